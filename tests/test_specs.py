"""Every spec in specs/ checks; the first specs have their shapes asserted layer by layer."""

from __future__ import annotations

from pathlib import Path

import pytest

import archspec
from archspec.ir import node

ROOT = Path(__file__).resolve().parents[1]
SPECS = sorted((ROOT / "specs").glob("*.arch"))


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_spec_checks(path: Path) -> None:
    net = archspec.load(path)
    assert net.outputs
    assert not [w for w in net.warnings if w.severity == "error"]


def block_shape(net: archspec.Network, path: str) -> tuple[int, ...]:
    info = net.graph.graph["blocks"].get(path)
    if info is not None:
        assert info.output is not None
        return node(net.graph, info.output.node).shape
    return node(net.graph, path).shape


RESNET50 = {
    "conv1": (64, 112, 112), "maxpool": (64, 56, 56), "layer1.0.conv1": (64, 56, 56),
    "layer1.0.conv3": (256, 56, 56), "layer1.0.downsample.0": (256, 56, 56),
    "layer1": (256, 56, 56), "layer2.0.conv1": (128, 56, 56), "layer2.0.conv2": (128, 28, 28),
    "layer2.0.downsample.0": (512, 28, 28), "layer2": (512, 28, 28), "layer3": (1024, 14, 14),
    "layer3.5": (1024, 14, 14), "layer4.0.conv2": (512, 7, 7), "layer4": (2048, 7, 7),
    "avgpool": (2048, 1, 1), "fc": (1000,),
}


def test_resnet50_shapes_layer_by_layer() -> None:
    net = archspec.load(ROOT / "specs" / "resnet50.arch")
    assert {k: block_shape(net, k) for k in RESNET50} == RESNET50
    assert net.graph.graph["blocks"]["layer3.5"].kind == "bottleneck"
    assert sum(1 for b in net.graph.graph["blocks"].values() if b.kind == "bottleneck") == 16


GOOGLENET = {
    "conv1": (64, 112, 112), "maxpool1": (64, 56, 56), "conv2": (64, 56, 56),
    "conv3": (192, 56, 56), "maxpool2": (192, 28, 28), "inception3a": (256, 28, 28),
    "inception3b": (480, 28, 28), "maxpool3": (480, 14, 14), "inception4a": (512, 14, 14),
    "inception4b": (512, 14, 14), "inception4c": (512, 14, 14), "inception4d": (528, 14, 14),
    "inception4e": (832, 14, 14), "maxpool4": (832, 7, 7), "inception5a": (832, 7, 7),
    "inception5b": (1024, 7, 7), "avgpool": (1024, 1, 1), "fc": (1000,),
    "inception3a.branch1": (64, 28, 28), "inception3a.branch2": (128, 28, 28),
    "inception3a.branch3": (32, 28, 28), "inception3a.branch4": (32, 28, 28),
    "aux1.conv": (128, 4, 4), "aux1.fc1": (1024,), "aux1.fc2": (1000,),
    "aux2.conv": (128, 4, 4), "aux2.fc2": (1000,),
}


def test_googlenet_shapes_layer_by_layer_with_aux_heads() -> None:
    net = archspec.load(ROOT / "specs" / "googlenet.arch")
    assert {k: block_shape(net, k) for k in GOOGLENET} == GOOGLENET
    outputs = net.graph.graph["outputs"]
    assert [(o.name, o.role, o.loss_weight) for o in outputs.values()] == [
        ("logits", "main", 1.0), ("aux1", "aux", 0.3), ("aux2", "aux", 0.3)]
    assert net.outputs == {"logits": (1000,), "aux1": (1000,), "aux2": (1000,)}
