"""Dilated networks and gating: the DeepLabv3 ASPP head against torchvision, DRN-C-26 (fyu/drn
layout, no installed reference) by hand counts and receptive fields, dilated stacks and the
HDC gridding lint, and the highway layer."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torchvision.models.segmentation.deeplabv3 import DeepLabHead

import archspec
from tests.zoo.fidelity import assert_matches, build, param_count, spec

DRN_C_26_PARAMS = 21_126_584   # counted by hand from the layout; the paper: 21.1M


def stack_spec(rates: list[int], size: int = 16) -> str:
    return (f"import std.dilated\nnetwork stack {{\n  input x: [8, {size}, {size}]\n"
            f"  out x -> body: dilated_stack(rates={rates})\n}}\n")


# -- DeepLabv3 head ------------------------------------------------------------------------------

def test_deeplab_aspp_matches_torchvision() -> None:
    reference = DeepLabHead(2048, 21)
    model = assert_matches("deeplab_aspp", reference, (2048, 20, 20), 16_130_837, size=20)
    keys = model.state_dict()
    assert keys["0.convs.3.0.weight"].shape == (256, 2048, 3, 3)
    assert keys["0.convs.4.1.weight"].shape == (256, 2048, 1, 1)        # after the pool
    assert keys["0.project.0.weight"].shape == (256, 1280, 1, 1)
    assert model.get_submodule("0.convs.3.0").dilation == (36, 36)


def test_aspp_rates_set_dilation_and_padding() -> None:
    net = archspec.load(spec("deeplab_aspp"), rates=[6, 12, 18], size=33)
    convs = {n: d["data"] for n, d in net.graph.nodes.items() if d["data"].op == "conv"}
    assert [convs[f"0.convs.{i}.0"].params["dilation"] for i in (1, 2, 3)] == [6, 12, 18]
    assert [convs[f"0.convs.{i}.0"].params["padding"] for i in (1, 2, 3)] == [6, 12, 18]
    assert net.outputs == {"out": (21, 33, 33)}


# -- DRN-C-26 ------------------------------------------------------------------------------------

def test_drn_c_26_counts_and_output_stride_8() -> None:
    net = archspec.load(spec("drn_c_26"), out_map=True)
    report = net.audit()
    assert report.params == DRN_C_26_PARAMS
    assert net.outputs == {"out": (1000, 28, 28)}           # 224 / 8
    rf = report.receptive_field
    assert rf.jump == (8.0, 8.0)
    # 7 (stem) + 4 + 2 + 4 (layer2, s2) + 4·2 + 3·8 (layer3) + 8 + 7·16 (layer4)
    # + 4·32 (d2) + 4·64 (d4) + 2·32 (degrid d2) + 2·16 (degrid d1)
    assert rf.size == (581.0, 581.0)
    assert archspec.load(spec("drn_c_26")).outputs == {"out": (1000,)}


def test_drn_c_26_builds_with_the_fyu_layout() -> None:
    model = build("drn_c_26", size=64, pool_size=8)
    assert param_count(model) == DRN_C_26_PARAMS
    keys = model.state_dict()
    assert "layer2.0.downsample.0.weight" in keys and "layer3.1.downsample.0.weight" not in keys
    assert not any(".downsample." in k for k in keys if k.startswith(("layer7", "layer8")))
    dil = {n: model.get_submodule(n).dilation[0] for n in
           ("layer4.1.conv2", "layer5.0.conv1", "layer6.1.conv2", "layer7.0.conv1",
            "layer8.0.conv2")}
    assert dil == {"layer4.1.conv2": 1, "layer5.0.conv1": 2, "layer6.1.conv2": 4,
                   "layer7.0.conv1": 2, "layer8.0.conv2": 1}
    model.eval()
    with torch.no_grad():
        assert model(torch.randn(1, 3, 64, 64)).shape == (1, 1000)


def test_drn_degridding_layers_have_no_residual() -> None:
    net = archspec.load(spec("drn_c_26"))
    ops = {d["data"].op for d in net.graph.nodes.values()}
    assert "maxpool" not in ops and "avgpool" in ops          # no max-pool, only the head pool
    adds = {n.split(".")[0] for n, d in net.graph.nodes.items() if d["data"].op == "add"}
    assert adds == {f"layer{i}" for i in range(1, 7)}
    gridding = [w.message for w in net.warnings if "gridding" in w.message]
    assert any("layer5" in m for m in gridding) and any("layer6" in m for m in gridding)
    assert not any("layer7" in m or "layer8" in m for m in gridding)


# -- dilated stacks and the HDC lint -------------------------------------------------------------

@pytest.mark.parametrize("rates, grids", [([2, 4, 8], True), ([1, 2, 9], True),
                                          ([1, 2, 5], False), ([1, 2, 3], False)])
def test_hdc_lint_flags_gridding_stacks(rates: list[int], grids: bool) -> None:
    net = archspec.load(stack_spec(rates, size=32))
    found = [w for w in net.warnings if "gridding" in w.message or "HDC" in w.message]
    assert bool(found) == grids
    if grids:
        assert found[0].severity == "warning" and str(rates) in found[0].message
        assert "Hybrid Dilated Convolution" in found[0].hint


@pytest.mark.parametrize("rates, rf", [([1, 2, 4], 15), ([1, 2, 5], 17), ([1, 1, 1], 7)])
def test_dilated_stack_receptive_field(rates: list[int], rf: int) -> None:
    net = archspec.load(stack_spec(rates))
    assert net.audit().receptive_field.size == (rf, rf)
    assert net.outputs == {"out": (8, 16, 16)}          # padding = rate keeps the size


def test_dilated_stack_modules() -> None:
    model = archspec.build(stack_spec([1, 2, 5]), seed=0)
    assert [model.get_submodule(f"body.{i}.0").dilation for i in range(3)] == [
        (1, 1), (2, 2), (5, 5)]
    assert model.state_dict()["body.2.1.weight"].shape == (8,)


# -- highway -------------------------------------------------------------------------------------

def test_highway_cifar_builds_and_keeps_shapes() -> None:
    net = archspec.load(spec("highway_cifar"))
    shapes = {n: d["data"].shape for n, d in net.graph.nodes.items()}
    assert shapes["stage1.1.gate"] == (32, 32, 32)
    assert shapes["stage2.0.gate"] == (32, 16, 16)
    assert shapes["stage3.1.transform.0"] == (32, 8, 8)
    assert net.outputs == {"out": (10,)}
    per_layer = 32 * 32 * 9 + 2 * 32 + 32 * 32 + 32     # H (3x3 conv + BN) + gate (1x1 + bias)
    assert net.audit().params == 3 * 32 * 9 + 2 * 32 + 6 * per_layer + 32 * 10 + 10
    model = build("highway_cifar")
    assert param_count(model) == net.audit().params
    assert model(torch.randn(2, 3, 32, 32)).shape == (2, 10)


def test_highway_layer_computes_the_gated_sum() -> None:
    text = ("import std.highway\nnetwork one {\n  input x: [4, 6, 6]\n"
            "  out x -> hw: highway(carry_bias=-3.0)\n}\n")
    model = archspec.build(text, seed=0).eval()
    sd = model.state_dict()
    sd["hw.transform.1.running_mean"].uniform_(-1, 1)
    sd["hw.transform.1.running_var"].uniform_(0.5, 2)
    x = torch.randn(2, 4, 6, 6)
    h = F.relu(F.batch_norm(F.conv2d(x, sd["hw.transform.0.weight"], padding=1),
                            sd["hw.transform.1.running_mean"], sd["hw.transform.1.running_var"],
                            sd["hw.transform.1.weight"], sd["hw.transform.1.bias"], False))
    t = torch.sigmoid(F.conv2d(x, sd["hw.gate.weight"], sd["hw.gate.bias"]) - 3.0)
    with torch.no_grad():
        torch.testing.assert_close(model(x), h * t + x * (1 - t), atol=1e-6, rtol=1e-5)
    assert t.mean() < 0.1                      # starts mostly carrying x: sigmoid(−3) ≈ 0.05
