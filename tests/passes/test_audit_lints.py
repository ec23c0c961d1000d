"""Lints: HDC gridding, groups, SE width, dead code, RF coverage and alignment."""

from __future__ import annotations

import pytest
from audit_nets import conv_stack, resnet

from archspec.ir.builder import GraphBuilder
from archspec.passes import hdc_check, lint
from archspec.source import SourceFile, Span


@pytest.mark.parametrize("rates,ok", [
    ([1, 2, 5], True), ([1, 2, 3], True), ([1, 1, 2, 2], True), ([3], True), ([1, 1], True),
    ([2, 4, 8], False), ([1, 2, 9], False), ([1, 5], False), ([2, 2], False),
])
def test_hdc_rule(rates, ok):
    assert (hdc_check(rates) is None) == ok


def test_hdc_messages_say_why():
    assert "common factor 2" in hdc_check([2, 4, 8])
    assert "M_2 = 5" in hdc_check([1, 2, 9])
    assert hdc_check([1, 2, 9], kernel=5) is None  # a 5-wide kernel bridges the gap


def messages(graph, needle=""):
    return [w.message for w in lint(graph) if needle in w.message]


def test_gridding_warning_on_a_stack():
    src = SourceFile("net.arch", "x\n")
    g = conv_stack([2, 4, 8], hw=64)
    g.nodes["conv0"]["data"].span = Span(src, 1, 1)
    found = [w for w in lint(g) if "dilat" in w.message]
    assert len(found) == 1 and found[0].severity == "warning"
    assert "common factor 2" in found[0].message and found[0].span == Span(src, 1, 1)
    assert found[0].hint and "[1, 2, 5]" in found[0].hint
    assert messages(conv_stack([1, 2, 5]), "dilat") == []
    assert len(messages(conv_stack([1, 2, 9]), "M_2")) == 1


def test_identical_stacks_reported_once_with_count():
    b = GraphBuilder("two")
    x = b.input("x", (4, 32, 32))
    for i in range(2):
        for j in range(2):
            x = b.op("conv", [x], 4, 3, name=f"s{i}c{j}", padding=2, dilation=2)
            x = b.op("bn", [x])
        x = b.op("maxpool", [x], 2)  # breaks the stack
    b.output("y", x)
    found = messages(b.graph, "dilat")
    assert len(found) == 1 and "(2 stacks like this)" in found[0]


def test_stack_runs_through_bn_relu_and_1x1_but_not_merges():
    b = GraphBuilder("m")
    x = b.input("x", (4, 32, 32))
    y = b.op("conv", [x], 4, 3, padding=2, dilation=2)
    y = b.op("relu", [b.op("conv", [b.op("bn", [y])], 4, 1)])
    y = b.op("conv", [y], 4, 3, padding=4, dilation=4)
    z = b.op("conv", [b.op("add", [x, y])], 4, 3, padding=8, dilation=8)
    b.output("y", z)
    found = messages(b.graph, "dilat")
    assert len(found) == 1 and "[2, 4]" in found[0]


def group_pair(shuffle: bool):
    b = GraphBuilder("g")
    x = b.input("x", (12, 8, 8))
    y = b.op("relu", [b.op("conv", [x], 12, 1, name="g1", groups=3)])
    if shuffle:
        y = b.op("channel_shuffle", [y], 3)
    y = b.op("conv", [y], 12, 3, name="dw", padding=1, groups=12)  # depthwise: channel-local
    b.output("y", b.op("conv", [y], 12, 1, name="g2", groups=3))
    return b.graph


def test_stacked_group_convs_without_shuffle():
    found = messages(group_pair(shuffle=False), "group convolutions")
    assert len(found) == 1 and "'g1' and 'g2'" in found[0]
    assert messages(group_pair(shuffle=True), "group convolutions") == []


def test_narrow_se_bottleneck():
    def se(width):
        b = GraphBuilder("se")
        x = b.input("x", (16, 8, 8))
        s = b.op("conv", [b.op("gap", [x])], width, 1, name="reduce")
        s = b.op("sigmoid", [b.op("conv", [b.op("relu", [s])], 16, 1)])
        b.output("y", b.op("mul", [x, s]))
        return b.graph

    found = messages(se(1), "squeezes")
    assert found == [("'reduce' squeezes 16 channels to 1: an excitation bottleneck this narrow "
                      "carries almost no information")]
    assert messages(se(4), "squeezes") == []


def test_dead_branch_and_unused_input():
    b = GraphBuilder("d")
    x = b.input("x", (3, 8, 8))
    b.input("extra", (3, 8, 8))
    y = b.op("conv", [x], 4, 3, padding=1, name="used")
    b.op("relu", [b.op("conv", [y], 4, 1, name="side")], name="side_act")
    b.output("y", b.op("gap", [y]))
    found = messages(b.graph, "output")
    assert "input 'extra' is not used by any output" in found
    assert "'side_act' (relu) is computed but reaches no output" in found
    assert not any("'side'" in m for m in found)  # only the dead end is reported


def test_coverage():
    found = messages(conv_stack([1, 1], hw=64), "cover")
    assert found == [("the receptive field of output 'y' (5×5) does not cover the 64×64 "
                      "input: no unit sees the whole image")]
    assert messages(conv_stack([1, 1], hw=5), "cover") == []


def test_misaligned_merge_warning():
    b = GraphBuilder("m")
    x = b.input("x", (4, 32, 32))
    a = b.op("conv", [x], 4, 3, name="a", padding=1)
    c = b.op("pad", [b.op("conv", [x], 4, 2, name="c")], spatial=(0, 1, 0, 1))
    b.output("y", b.op("add", [a, c], name="sum"))
    found = messages(b.graph, "misaligned")
    assert found == [("operands of add 'sum' have misaligned receptive fields "
                      "(centre offset 0 vs 0.5; operand fields 3, 2)")]


def test_resnet50_is_clean():
    assert lint(resnet(50)) == []
