"""Issue 13's new-user study: two torchvision CNNs outside the zoo, written from docs/ alone,
checked key for key against torchvision (strict load, equal eval outputs, parameter counts)."""

from __future__ import annotations

from typing import Any

import pytest
import torch
import torchvision
from torch.utils.flop_counter import FlopCounterMode
from torchvision.models.efficientnet import MBConv

import archspec
from tests.zoo.fidelity import assert_matches, build, param_count, spec


def _torch_macs(reference: torch.nn.Module) -> int:
    """torch's flop counter on one 224x224 image, halved (docs/primitives.md's convention)."""
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        reference.eval()(torch.randn(1, 3, 224, 224))
    return counter.get_total_flops() // 2


def test_efficientnet_b0_matches_torchvision() -> None:
    reference = torchvision.models.efficientnet_b0(weights=None)
    model = assert_matches("efficientnet_b0", reference, (3, 224, 224), 5_288_548)
    keys = model.state_dict()
    assert keys["features.1.0.block.0.0.weight"].shape == (32, 1, 3, 3)    # t = 1: no expansion
    assert keys["features.1.0.block.1.fc1.weight"].shape == (8, 32, 1, 1)
    assert keys["features.2.0.block.0.0.weight"].shape == (96, 16, 1, 1)   # t = 6
    assert keys["features.6.3.block.2.fc2.bias"].shape == (1152,)
    assert keys["features.8.0.weight"].shape == (1280, 320, 1, 1)
    assert keys["classifier.1.weight"].shape == (1000, 1280)
    assert archspec.load(spec("efficientnet_b0")).audit().macs == _torch_macs(reference)


def test_efficientnet_b0_stochastic_depth_rates() -> None:
    reference = torchvision.models.efficientnet_b0(weights=None)
    expected = [m.stochastic_depth.p for m in reference.modules()
                if isinstance(m, MBConv) and m.use_res_connect]
    net = archspec.load(spec("efficientnet_b0"))
    nodes = [attrs["data"] for _, attrs in net.ir.nodes(data=True)]
    rates = [node.params["p"] for node in nodes if node.op == "drop_path"]
    assert len(rates) == 9
    assert rates == pytest.approx(expected, abs=1e-12)



def test_efficientnet_b0_training_mode_draws_like_torchvision() -> None:
    """Stochastic depth and dropout draw the same random numbers in the same order as
    torchvision's StochasticDepth("row") and Dropout: equal training outputs per seed."""
    reference = torchvision.models.efficientnet_b0(weights=None).train()
    model = build("efficientnet_b0").train()
    model.load_state_dict(reference.state_dict(), strict=True)
    x = torch.randn(4, 3, 64, 64)
    outputs = []
    for net, seed in ((model, 1), (reference, 1), (reference, 2)):
        torch.manual_seed(seed)
        with torch.no_grad():
            outputs.append(net(x))
    torch.testing.assert_close(outputs[0], outputs[1], atol=1e-5, rtol=1e-5)
    assert (outputs[1] - outputs[2]).abs().max() > 0.01    # the draws do matter


def _norms_and_dropouts(model: torch.nn.Module) -> list[tuple[float, ...]]:
    return [(m.eps, m.momentum) if isinstance(m, torch.nn.BatchNorm2d) else (m.p,)
            for m in model.modules() if isinstance(m, (torch.nn.BatchNorm2d, torch.nn.Dropout))]


@pytest.mark.parametrize(("variant", "config", "params"), [
    (1, dict(width=1.0, depth=1.1, drop_rate=0.2), 7_794_184),
    (3, dict(width=1.2, depth=1.4, drop_rate=0.3), 12_233_232),
    (5, dict(width=1.6, depth=2.2, drop_rate=0.4, bn_eps=1e-3, bn_momentum=0.01), 30_389_784),
    (7, dict(width=2.0, depth=3.1, drop_rate=0.5, bn_eps=1e-3, bn_momentum=0.01), 66_347_960),
])
def test_efficientnet_family_matches_torchvision(variant: int, config: dict[str, Any],
                                                 params: int) -> None:
    """The same spec's family network gives B1-B7 (on the meta device: keys, shapes, counts,
    BN eps/momentum and dropout rates)."""
    with torch.device("meta"):
        reference = getattr(torchvision.models, f"efficientnet_b{variant}")(weights=None)
    model = archspec.build(spec("efficientnet_b0"), network="efficientnet", device="meta",
                           **config)
    ours = {key: tuple(value.shape) for key, value in model.state_dict().items()}
    assert ours == {key: tuple(value.shape) for key, value in reference.state_dict().items()}
    assert param_count(model) == param_count(reference) == params
    assert _norms_and_dropouts(model) == _norms_and_dropouts(reference)

def test_regnet_y_400mf_matches_torchvision_key_for_key() -> None:
    """torchvision's block names have dashes (``block1-0``): a quoted label writes them."""
    reference = torchvision.models.regnet_y_400mf(weights=None)
    model = assert_matches("regnet_y_400mf", reference, (3, 224, 224), 4_344_144)
    ours = {key: tuple(value.shape) for key, value in model.state_dict().items()}
    assert ours["trunk_output.block1.block1-0.f.se.fc1.weight"] == (8, 48, 1, 1)  # 32 / 4
    assert ours["trunk_output.block4.block4-5.f.b.0.weight"] == (440, 8, 3, 3)   # 55 groups
    assert ours["trunk_output.block3.block3-0.proj.0.weight"] == (208, 104, 1, 1)
    assert archspec.load(spec("regnet_y_400mf")).audit().macs == _torch_macs(reference)


@pytest.mark.parametrize(("name", "config", "params"), [
    ("regnet_y_800mf", dict(depth=14, w_0=56, w_a=38.84, w_m=2.4, group_width=16), 6_432_512),
    ("regnet_x_400mf", dict(depth=22, w_0=24, w_a=24.48, w_m=2.54, group_width=16,
                            se_ratio=0.0), 5_495_976),
])
def test_regnet_family_widths_computed_in_the_language(name: str, config: dict[str, Any],
                                                       params: int) -> None:
    reference = getattr(torchvision.models, name)(weights=None)
    model = archspec.build(spec("regnet_y_400mf"), network="regnet", device="meta", **config)
    ours = {key: tuple(value.shape) for key, value in model.state_dict().items()}
    theirs = {key: tuple(value.shape) for key, value in reference.state_dict().items()}
    assert ours == theirs
    assert param_count(model) == param_count(reference) == params
