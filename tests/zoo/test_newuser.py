"""Issue 13's new-user study: two torchvision CNNs outside the zoo, written from docs/ alone,
checked key for key against torchvision (strict load, equal eval outputs, parameter counts)."""

from __future__ import annotations

import pytest
import torchvision
from torchvision.models.efficientnet import MBConv

import archspec
from tests.zoo.fidelity import assert_matches, spec


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


def test_efficientnet_b0_stochastic_depth_rates() -> None:
    reference = torchvision.models.efficientnet_b0(weights=None)
    expected = [m.stochastic_depth.p for m in reference.modules()
                if isinstance(m, MBConv) and m.use_res_connect]
    net = archspec.load(spec("efficientnet_b0"))
    nodes = [attrs["data"] for _, attrs in net.ir.nodes(data=True)]
    rates = [node.params["p"] for node in nodes if node.op == "drop_path"]
    assert len(rates) == 9
    assert rates == pytest.approx(expected, abs=1e-12)
