"""ResNet family: torchvision variants (fidelity) and He et al.'s CIFAR ResNets (option A)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
import torchvision
from torch import nn

import archspec
from tests.zoo.fidelity import (
    assert_matches,
    assert_same_outputs,
    assert_same_state,
    build,
    param_count,
    spec,
)

TORCHVISION = [
    ("resnet18", 11_689_512, 224),
    ("resnet34", 21_797_672, 128),
    ("resnet50", 25_557_032, 224),
    ("resnext50_32x4d", 25_028_904, 96),
    ("wide_resnet50_2", 68_883_240, 64),
]
HEAVY = [("resnet101", 44_549_160), ("resnet152", 60_192_808)]


def cifar_params(depth: int) -> int:
    """Parameters of a CIFAR ResNet with option-A shortcuts, by hand: per stage of n blocks with
    c channels, 2n 3x3 convs (c->c; the first of stages 2-3 from c/2) and 2n BNs (2c each);
    plus the stem conv (3->16) + BN and the 64->10 linear layer."""
    n = (depth - 2) // 6
    stem, head = 3 * 16 * 9 + 2 * 16, 64 * 10 + 10
    total = stem + head
    for c in (16, 32, 64):
        convs = (2 * n - 1) * c * c * 9 + (c if c == 16 else c // 2) * c * 9
        total += convs + 2 * n * 2 * c
    return total


@pytest.mark.parametrize("name, params, size", TORCHVISION)
def test_resnet_matches_torchvision(name: str, params: int, size: int) -> None:
    reference = getattr(torchvision.models, name)()
    assert_matches(name, reference, (3, size, size), params, size=size)


@pytest.mark.parametrize("name, params", HEAVY)
def test_deep_resnet_matches_torchvision(name: str, params: int) -> None:
    model, reference = build(name, size=64), getattr(torchvision.models, name)()
    assert param_count(model) == param_count(reference) == params
    assert_same_state(model, reference)
    assert_same_outputs(model, reference, (3, 64, 64), batch=1)


class CifarBlock(nn.Module):
    """He et al.'s CIFAR block with option A, as in the common PyTorch port (akamaster)."""

    def __init__(self, cin: int, planes: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(cin, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.pad = planes // 4 if stride != 1 or cin != planes else 0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        sc = F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, self.pad, self.pad)) if self.pad else x
        return F.relu(y + sc)


class CifarResNet(nn.Module):
    def __init__(self, n: int) -> None:
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16)
        cin = 16
        for i, c in enumerate((16, 32, 64)):
            blocks = [CifarBlock(cin if j == 0 else c, c, 2 if i and not j else 1)
                      for j in range(n)]
            setattr(self, f"layer{i + 1}", nn.Sequential(*blocks))
            cin = c
        self.linear = nn.Linear(64, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.layer3(self.layer2(self.layer1(y)))
        return self.linear(torch.flatten(F.adaptive_avg_pool2d(y, 1), 1))


def test_resnet20_matches_the_option_a_port() -> None:
    assert cifar_params(20) == 269_722
    assert_matches("resnet20", CifarResNet(3), (3, 32, 32), 269_722)


def test_cifar_shortcuts_have_no_parameters() -> None:
    model = build("resnet20")
    assert not [k for k in model.state_dict() if "downsample" in k or "shortcut" in k]
    assert {k.split(".")[0] for k in model.state_dict()} == {
        "conv1", "bn1", "layer1", "layer2", "layer3", "linear"}


@pytest.mark.parametrize("depth", [32, 44, 56, 110])
def test_cifar_variants_count(depth: int) -> None:
    net = archspec.load(spec(f"resnet{depth}"))
    assert net.audit().params == cifar_params(depth)
    assert net.outputs["out"] == (10,)


def test_resnet1202_checks_audits_and_builds() -> None:
    expected = cifar_params(1202)
    assert expected == 97_216 * 200 - 21_926 == 19_421_274
    net = archspec.load(spec("resnet1202"))
    report = net.audit()
    assert report.params == expected
    assert sum(1 for n in net.graph.nodes.values() if n["data"].op == "conv") == 1201
    model = archspec.build(spec("resnet1202"), device="meta")
    assert param_count(model) == expected
    assert len(model.layer3) == 200


def test_cifar_depth_must_be_6n_plus_2() -> None:
    with pytest.raises(archspec.SpecErrors) as err:
        archspec.load(spec("resnet20"), depth=21)
    assert "6n+2" in err.value.errors[0].message
