"""SE-ResNets (timm seresnet / legacy SENet) and the SE module of std/senet."""

from __future__ import annotations

import pytest
import timm
import torch
from timm.layers.squeeze_excite import SEModule
from timm.models.senet import SEModule as LegacySEModule

import archspec
from tests.zoo.fidelity import assert_matches, assert_same_outputs, assert_same_state, spec

SE_SPEC = """
import std.senet
network se(c=72, reduction=16, divisor=8) {
  input x: [c, 5, 5]
  out x -> se: se_module(reduction, divisor)
}
"""


@pytest.mark.parametrize("name", ["seresnet50", "legacy_seresnet50"])
def test_seresnet50_matches_timm(name: str) -> None:
    reference = timm.create_model(name, pretrained=False)
    model = assert_matches(name, reference, (3, 224, 224), 28_088_024)
    se = "se" if name == "seresnet50" else "se_module"
    assert model.state_dict()[f"layer1.0.{se}.fc1.weight"].shape == (16, 256, 1, 1)
    assert model.state_dict()[f"layer4.2.{se}.fc2.bias"].shape == (2048,)


def test_legacy_layout_has_the_caffe_stem_and_stride_on_conv1() -> None:
    net = archspec.load(spec("legacy_seresnet50"))
    shapes = {n: d["data"].shape for n, d in net.graph.nodes.items()}
    assert shapes["layer0.conv1"] == (64, 112, 112)
    assert shapes["pool0"] == (64, 56, 56)          # ceil mode, no padding: ceil(109/2) + 1
    assert shapes["layer2.0.conv1"] == (128, 28, 28)  # the stride is on the 1x1
    assert shapes["layer2.0.conv2"] == (128, 28, 28)
    assert "last_linear" in shapes and "fc" not in shapes


def test_seresnet18_basic_blocks_match_timm() -> None:
    reference = timm.create_model("seresnet18", pretrained=False)
    model = archspec.build(spec("seresnet50"), seed=0, unit="basic", layers=[2, 2, 2, 2],
                           size=64)
    assert_same_state(model, reference)
    assert_same_outputs(model, reference, (3, 64, 64), batch=1)


@pytest.mark.parametrize("divisor, rd, reference", [
    (8, 8, lambda: SEModule(72)),                   # make_divisible(72 / 16 = 4.5, 8) = 8
    (1, 4, lambda: LegacySEModule(72, 16)),         # 72 // 16 = 4
])
def test_se_module_rounding_count_and_output(divisor: int, rd: int, reference) -> None:
    spec = archspec.load(SE_SPEC, divisor=divisor)
    assert spec.audit().params == 2 * 72 * rd + rd + 72
    model, ref = archspec.build(SE_SPEC, divisor=divisor, seed=1), reference()
    with torch.no_grad():
        for p in ref.parameters():
            p.normal_()
    model.load_state_dict({f"se.{k}": v for k, v in ref.state_dict().items()}, strict=True)
    x = torch.randn(2, 72, 5, 5)
    model.eval()
    torch.testing.assert_close(model(x), ref(x), atol=1e-6, rtol=1e-6)
