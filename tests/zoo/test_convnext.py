"""ConvNeXt-Tiny (specs/convnext_tiny.arch) against torchvision's convnext_tiny: keys, strict
load, outputs, MACs, stochastic depth rates, and the initial weights of a seeded build."""

from __future__ import annotations

import pytest
import torch
import torchvision
from torch.utils.flop_counter import FlopCounterMode
from torchvision.models.convnext import CNBlock

import archspec
from tests.zoo.fidelity import assert_matches, build, spec


def test_convnext_tiny_matches_torchvision() -> None:
    reference = torchvision.models.convnext_tiny(weights=None)
    model = assert_matches("convnext_tiny", reference, (3, 64, 64), 28_589_128)
    keys = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    assert keys["features.0.0.weight"] == (96, 3, 4, 4)
    assert keys["features.0.1.weight"] == (96,)                  # LayerNorm2d
    assert keys["features.1.0.layer_scale"] == (96, 1, 1)       # a free parameter
    assert keys["features.1.0.block.0.weight"] == (96, 1, 7, 7)
    assert keys["features.1.0.block.2.weight"] == (96,)         # LayerNorm after Permute
    assert keys["features.1.0.block.3.weight"] == (384, 96)
    assert keys["features.1.0.block.5.weight"] == (96, 384)
    assert keys["features.2.1.weight"] == (192, 96, 2, 2)
    assert keys["features.5.8.layer_scale"] == (384, 1, 1)
    assert keys["classifier.0.weight"] == (768,) and keys["classifier.2.weight"] == (1000, 768)


def test_convnext_tiny_seeded_build_starts_from_torchvisions_weights() -> None:
    """Same seed, same layers made in the same order, the same torch.nn.init calls (truncated
    normal weights, zero biases, layer scale 1e-6): bit-identical initial weights."""
    torch.manual_seed(5)
    reference = torchvision.models.convnext_tiny(weights=None).state_dict()
    ours = build("convnext_tiny", seed=5).state_dict()
    assert ours.keys() == reference.keys()
    assert [k for k in reference if not torch.equal(ours[k], reference[k])] == []
    assert torch.all(ours["features.7.2.layer_scale"] == torch.tensor(1e-6))


def test_convnext_tiny_macs_and_stochastic_depth() -> None:
    reference = torchvision.models.convnext_tiny(weights=None).eval()
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        reference(torch.randn(1, 3, 224, 224))
    net = archspec.load(spec("convnext_tiny"))
    assert net.audit().macs == counter.get_total_flops() // 2 == 4_455_531_264
    expected = [m.stochastic_depth.p for m in reference.modules() if isinstance(m, CNBlock)]
    rates = [attrs["data"].params["p"] for _, attrs in net.ir.nodes(data=True)
             if attrs["data"].op == "drop_path"]
    assert len(rates) == 18 and rates == pytest.approx(expected, abs=1e-12)
