"""Receptive-field arithmetic: size, jump (effective stride) and start (centre of unit 0)."""

from __future__ import annotations

from pathlib import Path

import pytest
from audit_nets import conv_stack, resnet

import archspec
from archspec.ir.builder import GraphBuilder
from archspec.ir.graph import Ref
from archspec.passes import receptive_field
from archspec.passes.report import audit


def rf(graph, name):
    return receptive_field(graph).nodes[name]["rf"]


@pytest.mark.parametrize("rates,strides,size,jump", [
    ([1, 1, 1], None, 7, 1),          # three 3×3: 3 + 2 + 2
    ([1, 1], [2, 1], 7, 2),           # 3×3 stride 2, then 3×3: 3 + 2·2
    ([1, 2, 4], None, 15, 1),         # dilated: 3 + 4 + 8
    ([1, 1, 1], [2, 2, 2], 15, 8),    # 3 + 2·2 + 2·4
])
def test_stacks(rates, strides, size, jump):
    g = conv_stack(rates, strides=strides)
    field = rf(g, f"conv{len(rates) - 1}")
    assert field.size == (size, size) and field.jump == (jump, jump)
    assert rf(g, f"relu{len(rates) - 1}") == field  # elementwise ops keep the field


def test_start_tracks_padding():
    b = GraphBuilder("s")
    x = b.input("x", (1, 32, 32))
    valid = b.op("conv", [x], 1, 3, name="valid")           # centre of unit 0 at pixel 1
    b.op("conv", [x], 1, 3, name="same", padding=1)         # at pixel 0
    b.op("conv", [valid], 1, 3, name="valid2", stride=2)    # 1 + 1·1 = 2
    assert rf(b.graph, "valid").start == (1.0, 1.0)
    assert rf(b.graph, "same").start == (0.0, 0.0)
    assert rf(b.graph, "valid2").start == (2.0, 2.0) and rf(b.graph, "valid2").size == (5, 5)


def test_resnet50_final_conv_is_427():
    g = resnet(50)
    field = rf(g, "layer4.2.conv3")
    assert field.size == (427.0, 427.0) and field.jump == (32.0, 32.0)
    assert rf(g, "layer4.2.bn3") == field
    head = rf(g, "fc")
    assert head.global_ and not head.spatial and head.size == (427.0, 427.0)
    assert audit(g).receptive_field == head


def test_resnet18_is_435():
    # basic blocks: two 3×3 per block; published value 435 (Araujo et al. 2019)
    assert rf(resnet(18), "layer4.1.conv2").size == (435.0, 435.0)


def test_factorised_kernels_per_axis():
    b = GraphBuilder("f")
    x = b.input("x", (4, 17, 17))
    y = b.op("conv", [x], 4, (1, 7), name="a", padding=(0, 3))
    b.op("conv", [y], 4, (7, 1), name="b", padding=(3, 0))
    assert rf(b.graph, "a").size == (1.0, 7.0)
    assert rf(b.graph, "b").size == (7.0, 7.0)


def test_pools_transposed_and_upsampling():
    b = GraphBuilder("u")
    x = b.input("x", (4, 32, 32))
    p = b.op("maxpool", [x], 2, name="pool")                  # 2, jump 2, start 0.5
    t = b.op("conv_transpose", [p], 4, 2, name="up", stride=2)  # jump back to 1
    u = b.op("upsample", [p], name="nearest", scale=2.0)
    a = b.op("adaptive_avgpool", [x], name="adapt", size=(3, 3))  # 32/3: bins of 11 or 12
    assert rf(b.graph, "pool").size == (2, 2) and rf(b.graph, "pool").start == (0.5, 0.5)
    up = rf(b.graph, "up")
    assert up.jump == (1.0, 1.0) and up.size == (2.0, 2.0) and up.start == (0.0, 0.0)
    near = rf(b.graph, "nearest")
    assert near.jump == (1.0, 1.0) and near.size == (2.0, 2.0) and near.start == (0.0, 0.0)
    ad = rf(b.graph, "adapt")
    assert ad.size == (12.0, 12.0) and ad.jump == pytest.approx((32 / 3, 32 / 3))
    assert t and u and a


def test_deform_conv_is_nominally_a_conv():
    b = GraphBuilder("d")
    x = b.input("x", (8, 16, 16))
    off = b.op("conv", [x], 18, 3, name="offset", padding=1)
    b.op("deform_conv", [x, off], 8, 3, name="dcn", padding=2, dilation=2)
    field = rf(b.graph, "dcn")
    assert field.size == (5.0, 5.0) and not field.misaligned  # offsets see 3×3, window 5×5


def test_global_pool_and_se_gate():
    b = GraphBuilder("se")
    x = b.input("x", (16, 8, 8))
    y = b.op("conv", [x], 16, 3, name="conv", padding=1)
    s = b.op("gap", [y], name="squeeze")
    s = b.op("sigmoid", [b.op("conv", [s], 16, 1, name="excite")])
    m = b.op("mul", [y, s], name="scale")
    b.op("conv", [m], 16, 3, name="after", padding=1)
    sq = rf(b.graph, "squeeze")
    assert sq.global_ and not sq.spatial and sq.size == (3.0, 3.0)
    sc = rf(b.graph, "scale")
    assert sc.spatial and sc.global_ and sc.size == (3.0, 3.0) and not sc.misaligned
    assert rf(b.graph, "after").size == (5.0, 5.0)


def test_misaligned_merge_is_flagged():
    b = GraphBuilder("m")
    x = b.input("x", (4, 32, 32))
    a = b.op("conv", [x], 4, 3, name="a", padding=1)            # start 0
    c = b.op("conv", [x], 4, 2, name="c")                       # 31×31, start 0.5
    c = b.op("pad", [c], name="padc", spatial=(0, 1, 0, 1))     # back to 32, start 0.5
    b.op("add", [a, c], name="sum")
    b.op("add", [a, a], name="fine")
    assert rf(b.graph, "sum").misaligned and rf(b.graph, "sum").size == (3.0, 3.0)
    assert not rf(b.graph, "fine").misaligned


def test_flatten_keeps_positions_but_pooling_does_not():
    b = GraphBuilder("fl")
    x = b.input("x", (4, 6, 6))
    y = b.op("conv", [x], 4, 3, name="conv")                       # 4×4 map, field 3
    b.op("linear", [b.op("flatten", [y], name="flat")], 3, name="fc")
    b.op("gap", [y], name="pooled")
    flat = rf(b.graph, "flat")  # union of the 4 positions' fields: 3 + 3·1
    assert flat.global_ and not flat.spatial and flat.size == (6.0, 6.0)
    assert rf(b.graph, "fc").size == (6.0, 6.0)
    assert rf(b.graph, "pooled").size == (3.0, 3.0)  # a bag of 3×3 features


def test_max_unpool_indices_share_the_geometry():
    b = GraphBuilder("swwae")
    x = b.input("x", (4, 16, 16))
    p = b.op("maxpool", [x], 2, name="pool", return_indices=True)
    y = b.op("conv", [p], 4, 3, name="mid", padding=1)
    b.op("max_unpool", [y, Ref("pool", 1)], 2, name="unpool")
    up = rf(b.graph, "unpool")
    assert not up.misaligned and up.jump == (1.0, 1.0) and up.size == (6.0, 6.0)


def test_permute_across_axes_mixes_positions():
    """C×H×W -> H×W×C moves every position: the field covers the whole map (it used to be
    read as adaptive pooling and came out fractional)."""
    b = GraphBuilder("p")
    x = b.input("x", (3, 16, 12))
    c = b.op("conv", [x], 8, 3, name="c", padding=1)
    b.op("permute", [c], [1, 2, 0], name="moved")
    b.op("permute", [c], [0, 1, 2], name="kept")
    moved, kept = rf(b.graph, "moved"), rf(b.graph, "kept")
    assert (moved.size, moved.spatial, moved.global_) == ((18.0, 14.0), False, True)
    assert kept == rf(b.graph, "c") and kept.size == (3.0, 3.0)


def test_a_residual_around_a_channels_last_detour_keeps_the_detour_field():
    """ConvNeXt's block: permute to channels-last and back, added to the skip. The sum sees at
    least what the detour saw (the skip's 3×3 field used to win, and ConvNeXt-T's output came
    out 32×32: a false 'does not cover the input' warning)."""
    b = GraphBuilder("cn")
    x = b.input("x", (3, 16, 12))
    c = b.op("conv", [x], 8, 3, name="c", padding=1)
    there = b.op("permute", [c], [1, 2, 0], name="there")
    back = b.op("permute", [there], [2, 0, 1], name="back")
    b.op("add", [back, c], name="sum")
    total = rf(b.graph, "sum")
    assert (total.size, total.spatial, total.global_) == ((18.0, 14.0), True, True)


def test_convnext_gets_no_coverage_warning():
    net = archspec.load(Path(__file__).resolve().parents[2] / "specs" / "convnext_tiny.arch")
    assert not [w for w in net.warnings if "does not cover" in w.message]
    assert net.audit().receptive_field.size[0] >= 224


def test_a_new_geometry_needs_no_change_here():
    """The pass reads the declared rule: a crop by slicing shifts the first unit's centre."""
    b = GraphBuilder("s")
    x = b.input("x", (1, 32, 32))
    b.op("slice", [x], 4, 20, 2, dim=1, name="crop")
    field = rf(b.graph, "crop")
    assert (field.size, field.jump, field.start) == ((1.0, 1.0), (2.0, 1.0), (4.0, 0.0))
