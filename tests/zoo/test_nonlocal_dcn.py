"""Non-local blocks (std/nonlocal) and deformable convolutions (std/deformable), alone and in
ResNet-50: identity / plain-conv behaviour at initialisation, and the math against torch."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
import torchvision
from torchvision.ops import deform_conv2d

import archspec
from tests.zoo.fidelity import build, param_count, spec

MODES = ["embedded_gaussian", "dot_product", "gaussian", "concatenation"]
NL_SPEC = """
import std.nonlocal
network t(mode="embedded_gaussian", sub_sample=true, bn_layer=true) {
  input x: [16, 8, 6]
  out x -> nl: nonlocal_block(mode, sub_sample=sub_sample, bn_layer=bn_layer)
}
"""
DCN_SPEC = """
import std.deformable
network t(version=1, stride=1) {
  input x: [4, 9, 9]
  out x -> dcn: deformable_conv(8, 3, stride, version=version)
}
"""


def randomize(model: torch.nn.Module) -> None:
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0, 0.3)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("sub_sample, bn_layer", [(True, True), (False, False)])
def test_nonlocal_block_is_the_identity_at_init(mode: str, sub_sample: bool,
                                                bn_layer: bool) -> None:
    model = archspec.build(NL_SPEC, mode=mode, sub_sample=sub_sample, bn_layer=bn_layer, seed=2)
    x = torch.randn(2, 16, 8, 6)
    for train in (True, False):
        model.train(train)
        out = model(x)
        assert torch.equal(out.out if hasattr(out, "out") else out, x)


def reference_nonlocal(x: torch.Tensor, sd: dict, mode: str) -> torch.Tensor:
    """Wang et al.'s block written directly (after AlexHex7/Non-local_pytorch), with the
    concatenation variant's N×M×2C pairs materialised."""
    def conv(name: str, t: torch.Tensor) -> torch.Tensor:
        return F.conv2d(t, sd[f"nl.{name}.weight"], sd.get(f"nl.{name}.bias"))
    b, _, h, w = x.shape
    g = F.max_pool2d(conv("g", x), 2).flatten(2).transpose(1, 2)            # b, M, ci
    theta = x if mode == "gaussian" else conv("theta", x)
    phi = F.max_pool2d(x if mode == "gaussian" else conv("phi", x), 2)
    n, m = h * w, phi.shape[2] * phi.shape[3]
    if mode == "concatenation":
        pairs = torch.cat([theta.flatten(2)[..., None].expand(-1, -1, n, m),
                           phi.flatten(2)[:, :, None, :].expand(-1, -1, n, m)], 1)
        weight = torch.cat([sd["nl.concat_theta.weight"], sd["nl.concat_phi.weight"]], 1)
        f = F.relu(F.conv2d(pairs, weight)).view(b, n, m)
    else:
        f = theta.flatten(2).transpose(1, 2) @ phi.flatten(2)
    f = f.softmax(-1) if mode in ("gaussian", "embedded_gaussian") else f / m
    y = (f @ g).transpose(1, 2).reshape(b, -1, h, w)
    wy = F.batch_norm(conv("W.0", y), sd["nl.W.1.running_mean"], sd["nl.W.1.running_var"],
                      sd["nl.W.1.weight"], sd["nl.W.1.bias"])
    return wy + x


@pytest.mark.parametrize("mode", MODES)
def test_nonlocal_block_math(mode: str) -> None:
    model = archspec.build(NL_SPEC, mode=mode, seed=0).eval()
    randomize(model)
    x = torch.randn(2, 16, 8, 6)
    with torch.no_grad():
        expected = reference_nonlocal(x, model.state_dict(), mode)
        torch.testing.assert_close(model(x), expected, atol=1e-5, rtol=1e-5)
        assert (model(x) - x).abs().max() > 0.1


@pytest.mark.parametrize("version, factor", [(1, 1.0), (2, 0.5)])
@pytest.mark.parametrize("stride", [1, 2])
def test_deformable_conv_at_init_is_the_plain_conv(version: int, factor: float,
                                                   stride: int) -> None:
    model = archspec.build(DCN_SPEC, version=version, stride=stride, seed=0).eval()
    weight = model.state_dict()["dcn.deform_conv.weight"]
    assert not model.state_dict()["dcn.conv_offset.weight"].any()
    x = torch.randn(2, 4, 9, 9)
    with torch.no_grad():
        plain = F.conv2d(x, weight, stride=stride, padding=1)
        torch.testing.assert_close(model(x), factor * plain, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("version", [1, 2])
def test_deformable_conv_feeds_offsets_and_mask(version: int) -> None:
    model = archspec.build(DCN_SPEC, version=version, seed=0).eval()
    randomize(model)
    sd, x = model.state_dict(), torch.randn(2, 4, 9, 9)
    with torch.no_grad():
        om = F.conv2d(x, sd["dcn.conv_offset.weight"], sd["dcn.conv_offset.bias"], padding=1)
        assert om.shape[1] == (27 if version == 2 else 18)
        mask = om[:, 18:].sigmoid() if version == 2 else None
        expected = deform_conv2d(x, om[:, :18], sd["dcn.deform_conv.weight"], padding=1,
                                 mask=mask)
        torch.testing.assert_close(model(x), expected, atol=1e-5, rtol=1e-5)
        plain = F.conv2d(x, sd["dcn.deform_conv.weight"], padding=1)
        assert (model(x) - plain).abs().max() > 0.1


def nonlocal_params(c: int) -> int:
    ci = c // 2
    return 3 * (c * ci + ci) + (ci * c + c) + 2 * c


def offset_conv_params(width: int, version: int) -> int:
    outs = 27 if version == 2 else 18
    return outs * width * 9 + outs


def test_nonlocal_and_dcn_resnet50_counts() -> None:
    base = 25_557_032
    nl = base + 2 * nonlocal_params(512) + 3 * nonlocal_params(1024)
    assert archspec.load(spec("nonlocal_resnet50")).audit().params == nl == 32_915_496
    for name, v in (("dcn_resnet50", 1), ("dcnv2_resnet50", 2)):
        dcn = base + sum(n * offset_conv_params(w, v) for n, w in ((4, 128), (6, 256), (3, 512)))
        assert archspec.load(spec(name)).audit().params == dcn
    assert dcn == 26_428_295


def load_resnet50_weights(model: torch.nn.Module,
                          rename: dict[str, str]) -> tuple[torch.nn.Module, list[str]]:
    """Load torchvision resnet50's weights (keys renamed); return it and the keys left at init."""
    reference = torchvision.models.resnet50().eval()
    state = {rename.get(k, k): v for k, v in reference.state_dict().items()}
    result = model.load_state_dict(state, strict=False)
    assert not result.unexpected_keys
    return reference, result.missing_keys


def test_nonlocal_resnet50_is_resnet50_at_init() -> None:
    model = build("nonlocal_resnet50", size=64).eval()
    reference, missing = load_resnet50_weights(model, {})
    assert {k.split(".nl.")[0] for k in missing} == {
        "layer2.1", "layer2.3", "layer3.1", "layer3.3", "layer3.5"}
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(model(x), reference(x), atol=1e-5, rtol=1e-5)


def test_dcn_resnet50_is_resnet50_at_init() -> None:
    model = build("dcn_resnet50", size=64).eval()
    rename = {k.replace("conv2.deform_conv.weight", "conv2.weight"): k
              for k in model.state_dict() if k.endswith("conv2.deform_conv.weight")}
    assert len(rename) == 13 and not any(k.startswith("layer1.") for k in rename)
    reference, missing = load_resnet50_weights(model, rename)
    assert len(missing) == 26 and all(".conv2.conv_offset." in k for k in missing)
    assert param_count(model) == 26_137_874
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(model(x), reference(x), atol=1e-4, rtol=1e-4)
