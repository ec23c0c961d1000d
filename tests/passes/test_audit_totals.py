"""Exact parameter, MAC, FLOP and memory totals for small graphs counted by hand."""

from __future__ import annotations

import pytest
from audit_nets import resnet

import archspec
from archspec.ir.builder import GraphBuilder
from archspec.passes import annotate, audit
from archspec.passes.report import DEAD, MAIN

F32 = 4


def tiny(trainable: bool = True):
    """3×32×32 -> conv(16, 3, p=1) -> relu -> maxpool 2 -> flatten -> linear(10)."""
    b = GraphBuilder("tiny")
    x = b.input("x", (3, 32, 32))
    y = b.op("conv", [x], 16, 3, name="conv", padding=1,
             attrs=None if trainable else {"trainable": False})
    y = b.op("relu", [y], name="relu")
    y = b.op("maxpool", [y], 2, name="pool")
    y = b.op("flatten", [y], name="flat")
    b.output("logits", b.op("linear", [y], 10, name="fc"))
    return b.graph


def test_tiny_net_counts_by_hand():
    r = audit(tiny())
    conv_params, fc_params = 16 * 3 * 9 + 16, 16 * 16 * 16 * 10 + 10
    conv_macs, fc_macs = 16 * 32 * 32 * 3 * 9, 4096 * 10
    assert (r.params, r.trainable_params, r.non_trainable_params) == (
        conv_params + fc_params, conv_params + fc_params, 0)
    assert r.macs == conv_macs + fc_macs == 483_328
    # other work: conv bias 16384, relu 16384, 2×2 max over 4096 outputs, fc bias 10
    assert r.flops == 2 * r.macs + 16384 + 16384 + 4 * 4096 + 10
    acts = (16384 + 16384 + 4096 + 4096 + 10) * F32
    assert r.activation_bytes == acts
    assert r.input_bytes == 3 * 32 * 32 * F32
    # x+conv, then conv+relu (x freed), then relu+pool ...: the peak is conv+relu
    assert r.peak_activation_bytes == 2 * 16384 * F32
    tm = r.training_memory
    assert (tm.weights, tm.gradients, tm.optimizer) == (r.params * 4, r.params * 4, r.params * 8)
    assert tm.activations == acts + r.input_bytes
    assert tm.total == tm.weights + tm.gradients + tm.optimizer + tm.buffers + tm.activations
    assert r.param_bytes == {"fp32": r.params * 4, "fp16": r.params * 2,
                             "bf16": r.params * 2, "int8": r.params}


def test_rows_carry_per_layer_numbers():
    r = audit(tiny())
    conv = next(row for row in r.rows if row.name == "conv")
    assert (conv.op, conv.shape, conv.params, conv.macs) == ("conv", (16, 32, 32), 448, 442_368)
    assert conv.activation_bytes == 16 * 32 * 32 * 4 and conv.rf == (3.0, 3.0)
    assert [row.name for row in r.rows] == ["x", "conv", "relu", "pool", "flat", "fc"]


def test_annotate_writes_node_metadata():
    g = annotate(tiny())
    assert g.nodes["conv"]["cost"].params == 448 and g.nodes["conv"]["role"] == MAIN
    assert g.nodes["pool"]["rf"].size == (4.0, 4.0) and g.nodes["pool"]["rf"].jump == (2.0, 2.0)


def test_frozen_node_is_non_trainable():
    r = audit(tiny(trainable=False))
    assert (r.trainable_params, r.non_trainable_params) == (40_970, 448)
    assert r.training_memory.gradients == 40_970 * 4


def test_dtype_and_batch_scale_memory():
    r = audit(tiny(), dtype_bytes=2, batch=8)
    assert r.activation_bytes == (16384 * 2 + 4096 * 2 + 10) * 2
    assert r.training_memory.activations == (r.activation_bytes + r.input_bytes) * 8


def test_grouped_conv_and_bn_buffers():
    b = GraphBuilder("g")
    x = b.input("x", (16, 8, 8))
    y = b.op("conv", [x], 32, 3, groups=4, padding=1, bias=False)
    b.output("y", b.op("bn", [y]))
    r = audit(b.graph)
    assert r.params == 32 * 4 * 9 + 2 * 32
    assert r.buffers == 2 * 32 + 1  # running mean, var, num_batches_tracked
    assert r.macs == 32 * 8 * 8 * 4 * 9


def aux_graph():
    """A trunk, a main head, an aux head (training only) and a dead branch."""
    b = GraphBuilder("aux")
    x = b.input("x", (3, 8, 8))
    t = b.op("conv", [x], 4, 3, name="trunk", padding=1)
    b.block("aux1", "aux_head", "")
    a = b.op("linear", [b.op("flatten", [t], block="aux1")], 5, name="aux1.fc", block="aux1")
    b.op("conv", [t], 2, 1, name="unused")
    m = b.op("linear", [b.op("flatten", [t])], 5, name="fc")
    b.output("main", m)
    b.output("aux", a, role="aux", loss_weight=0.3)
    return b.graph


def test_aux_heads_are_training_only_and_dead_nodes_excluded():
    r = audit(aux_graph())
    trunk, head, unused = 4 * 27 + 4, 256 * 5 + 5, 4 * 2 + 2
    assert r.params == trunk + head
    assert r.training.params == trunk + 2 * head
    assert (r.dead.params, r.dead.nodes) == (unused, 1)
    roles = {row.name: row.role for row in r.rows}
    assert roles["aux1.fc"] == "aux" and roles["unused"] == DEAD and roles["trunk"] == MAIN
    assert r.block("aux1").role == "aux" and r.block("aux1").params == head


def test_no_outputs_means_everything_counts():
    b = GraphBuilder("open")
    x = b.input("x", (3, 8, 8))
    b.op("conv", [x], 4, 3)
    assert audit(b.graph).params == 4 * 27 + 4


@pytest.mark.parametrize("depth,params", [(18, 11_689_512), (50, 25_557_032),
                                          (152, 60_192_808)])
def test_resnet_params_match_torchvision(depth, params):
    assert audit(resnet(depth, hw=64)).params == params


def test_resnet50_rollups_and_runs():
    r = audit(resnet(50))
    assert r.macs == 4_089_184_256  # torchvision's published 4.09 GMACs
    layer4 = r.block("layer4")
    assert layer4.params == 14_964_736 and layer4.depth == 1
    assert sum(r.block(f"layer{i}").params for i in range(1, 5)) + 9408 + 128 + 2_049_000 \
        == r.params
    assert r.block("layer3.0").depth == 2 and r.block("layer3.0.downsample").depth == 3
    assert [run.label for run in r.runs] == [
        "layer1.1–2 bottleneck ×2", "layer2.1–3 bottleneck ×3", "layer3.1–5 bottleneck ×5",
        "layer4.1–2 bottleneck ×2"]
    assert r.runs[2].params_each == r.block("layer3.1").params


def test_resnet50_memory():
    r = audit(resnet(50))
    assert r.buffers == 53_173  # 53 BNs: 2·C + 1 each
    # the widest point: a bottleneck's 256×56×56 input kept for the shortcut, plus
    # conv3's and bn3's outputs
    assert r.peak_activation_bytes == 3 * 256 * 56 * 56 * 4


def _unit(b, x, path, parent, branches=1):
    b.block(path, "unit", parent, args={"c": 4})
    outs = []
    for k in range(branches):
        b.block(f"{path}.br{k}", "conv_unit", path, args={"c": 4})
        outs.append(b.op("conv", [x], 4, 1, name=f"{path}.br{k}.conv", block=f"{path}.br{k}"))
    return outs[0] if branches == 1 else b.op("add", outs, block=path)


def test_runs_need_dataflow_and_are_not_repeated_inside_runs():
    b = GraphBuilder("runs")
    x = b.input("x", (4, 8, 8))
    b.block("stage", "group", "")
    for i in range(3):  # three sequential units, each with two parallel identical branches
        x = _unit(b, x, f"stage.{i}", "stage", branches=2)
    b.output("y", x)
    r = audit(b.graph)
    # the branches are parallel (br1 does not read br0): no run inside any unit
    assert [run.label for run in r.runs] == ["stage.0–2 unit ×3"]


def test_inner_runs_reported_once():
    b = GraphBuilder("nested")
    x = b.input("x", (4, 8, 8))
    b.block("stage", "group", "")
    for i in range(2):
        path = f"stage.{i}"
        b.block(path, "unit", "stage", args={"c": 4})
        for k in range(3):
            x = _unit(b, x, f"{path}.{k}", path)
    b.output("y", x)
    labels = [run.label for run in audit(b.graph).runs]
    assert labels == ["stage.0–1 unit ×2", "stage.0.0–2 unit ×3"]


def test_frozen_annotation_in_a_spec():
    net = archspec.load("network fz {\n  input x: [3, 8, 8]\n"
                        "  out x -> c1: conv(4, 3) @frozen -> flatten -> fc: linear(2)\n}\n")
    r = net.audit()
    assert (r.params, r.trainable_params, r.non_trainable_params) == (402, 290, 112)
