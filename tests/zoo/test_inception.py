"""Inception family: googlenet and inception_v3 against torchvision (eval and, with their
auxiliary heads, train mode), inception_v4 and inception_resnet_v2 against timm, and
inception_resnet_v1 (no installed reference) against hand-computed counts and shapes."""

from __future__ import annotations

from typing import Any

import pytest
import timm
import torch
import torchvision
from torch import nn

import archspec
from tests.zoo.fidelity import assert_same_outputs, assert_same_state, build, param_count, spec


def bc(cin: int, cout: int, kh: int, kw: int | None = None) -> int:
    """Parameters of conv (no bias) + BN."""
    return cin * cout * kh * (kh if kw is None else kw) + 2 * cout


def probe(module: str, call: str, in_shape: list[int]) -> tuple[tuple[int, ...], int]:
    """Output shape and parameter count of one std block applied to an input of ``in_shape``."""
    net = archspec.load(f"import std.{module}\n"
                        f"network probe {{\n  input x: {in_shape}\n  out x -> b: {call}\n}}\n")
    return tuple(net.outputs["out"]), net.audit().params


def train_outputs(model: nn.Module, x: torch.Tensor) -> Any:
    """Train-mode outputs with dropout disabled.

    The two models draw dropout masks from the global RNG in different orders, so every
    nn.Dropout gets p=0; train mode then differs from eval only by batch-statistics BN and the
    auxiliary heads, which is what the aux comparison is about."""
    for m in model.modules():
        if isinstance(m, nn.Dropout):
            m.p = 0.0
    model.train()
    with torch.no_grad():
        return model(x)


def close(a: torch.Tensor, b: torch.Tensor) -> None:
    torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-5)


# --- GoogLeNet -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def googlenet() -> tuple[nn.Module, nn.Module]:
    return build("googlenet"), torchvision.models.googlenet(aux_logits=True, init_weights=False)


def test_googlenet_params(googlenet: tuple[nn.Module, nn.Module]) -> None:
    model, reference = googlenet
    assert param_count(model) == param_count(reference) == 13_004_888
    report = archspec.load(spec("googlenet")).audit()
    assert (report.params, report.training.params) == (6_624_904, 13_004_888)
    no_aux = archspec.load(spec("googlenet"), aux_logits=False).audit()
    assert (no_aux.params, no_aux.training.params) == (6_624_904, 6_624_904)


def test_googlenet_paper_5x5_branch() -> None:
    """k5=5 restores the paper's 5x5 branch: 16 more weights per (ch5x5red, ch5x5) pair."""
    pairs = [(16, 32), (32, 96), (16, 48), (24, 64), (24, 64), (32, 64), (32, 128), (32, 128),
             (48, 128)]
    extra = sum(16 * a * b for a, b in pairs)
    assert archspec.load(spec("googlenet"), k5=5).audit().params == 6_624_904 + extra == 7_005_832


def test_googlenet_inception3a_block() -> None:
    assert probe("inception", "inception_v1(64, 96, 128, 16, 32, 32)", [192, 28, 28]) \
        == ((256, 28, 28), 155_872)


def test_googlenet_matches_torchvision(googlenet: tuple[nn.Module, nn.Module]) -> None:
    model, reference = googlenet
    assert_same_state(model, reference)
    assert_same_outputs(model, reference, (3, 224, 224))


def test_googlenet_aux_outputs_in_train_mode(googlenet: tuple[nn.Module, nn.Module]) -> None:
    model, reference = googlenet
    assert model.loss_weights == {"logits": 1.0, "aux1": 0.3, "aux2": 0.3}
    assert_same_state(model, reference)
    torch.manual_seed(1)
    x = torch.randn(2, 3, 224, 224)
    ours, theirs = train_outputs(model, x), train_outputs(reference, x)
    assert ours._fields == ("logits", "aux1", "aux2")
    close(ours.logits, theirs.logits)
    close(ours.aux1, theirs.aux_logits1)
    close(ours.aux2, theirs.aux_logits2)
    assert not torch.equal(ours.aux1, ours.aux2)


# --- Inception v3 ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def inception_v3() -> tuple[nn.Module, nn.Module]:
    reference = torchvision.models.inception_v3(aux_logits=True, init_weights=False)
    return build("inception_v3"), reference


def test_inception_v3_params(inception_v3: tuple[nn.Module, nn.Module]) -> None:
    model, reference = inception_v3
    assert param_count(model) == param_count(reference) == 27_161_264
    report = archspec.load(spec("inception_v3")).audit()
    assert (report.params, report.training.params) == (23_834_568, 27_161_264)


@pytest.mark.parametrize("call, in_shape, expected", [
    ("inception3_a(32)", [192, 35, 35], ((256, 35, 35), 255_904)),
    ("inception3_b()", [288, 35, 35],
     ((768, 17, 17), bc(288, 384, 3) + bc(288, 64, 1) + bc(64, 96, 3) + bc(96, 96, 3))),
    ("inception3_c(128)", [768, 17, 17], ((768, 17, 17), 1_297_408)),
    ("inception3_d()", [768, 17, 17], ((1280, 8, 8), 2 * bc(768, 192, 1) + bc(192, 320, 3)
                                       + 2 * bc(192, 192, 1, 7) + bc(192, 192, 3))),
    ("inception3_e()", [1280, 8, 8], ((2048, 8, 8), bc(1280, 320, 1) + bc(1280, 384, 1)
                                      + 4 * bc(384, 384, 1, 3) + bc(1280, 448, 1)
                                      + bc(448, 384, 3) + bc(1280, 192, 1))),
])
def test_inception_v3_blocks(call: str, in_shape: list[int],
                             expected: tuple[tuple[int, ...], int]) -> None:
    assert probe("inception", call, in_shape) == expected


def test_inception_v3_matches_torchvision(inception_v3: tuple[nn.Module, nn.Module]) -> None:
    model, reference = inception_v3
    assert_same_state(model, reference)
    assert_same_outputs(model, reference, (3, 299, 299), batch=1)


def test_inception_v3_aux_outputs_in_train_mode(
        inception_v3: tuple[nn.Module, nn.Module]) -> None:
    model, reference = inception_v3
    assert model.loss_weights == {"logits": 1.0, "aux_logits": 0.4}
    assert_same_state(model, reference)
    torch.manual_seed(2)
    x = torch.randn(2, 3, 299, 299)  # batch 2: the aux head's BN sees 1x1 maps
    ours, theirs = train_outputs(model, x), train_outputs(reference, x)
    assert ours._fields == ("logits", "aux_logits")
    close(ours.logits, theirs.logits)
    close(ours.aux_logits, theirs.aux_logits)


# --- Inception v4 and Inception-ResNet v2 (timm) ---------------------------------------------

@pytest.mark.parametrize("name, params", [
    ("inception_v4", 42_679_816),
    ("inception_resnet_v2", 55_843_464),
])
def test_matches_timm(name: str, params: int) -> None:
    reference = timm.create_model(name, pretrained=False)
    model = build(name)
    assert param_count(model) == param_count(reference) == params
    assert_same_state(model, reference)
    assert_same_outputs(model, reference, (3, 299, 299), batch=1)  # one forward: they are big


@pytest.mark.parametrize("call, in_shape, expected", [
    ("inception_resnet_block35(32, [32, 32], [32, 48, 64], scale=0.17)", [320, 35, 35],
     ((320, 35, 35), 3 * bc(320, 32, 1) + bc(32, 32, 3) + bc(32, 48, 3) + bc(48, 64, 3)
      + 128 * 320 + 320)),
    ("inception_resnet_block17(192, [128, 160, 192], scale=0.1)", [1088, 17, 17],
     ((1088, 17, 17), bc(1088, 192, 1) + bc(1088, 128, 1) + bc(128, 160, 1, 7)
      + bc(160, 192, 7, 1) + 384 * 1088 + 1088)),
])
def test_inception_resnet_v2_blocks(call: str, in_shape: list[int],
                                    expected: tuple[tuple[int, ...], int]) -> None:
    assert probe("inception_v4", call, in_shape) == expected


# --- Inception-ResNet v1 (facenet-pytorch layout; no installed reference) ---------------------

def inception_resnet_v1_params(num_classes: int | None) -> int:
    """Inception-ResNet v1 counted by hand from the facenet-pytorch layout."""
    stem = (bc(3, 32, 3) + bc(32, 32, 3) + bc(32, 64, 3) + bc(64, 80, 1) + bc(80, 192, 3)
            + bc(192, 256, 3))
    b35 = 3 * bc(256, 32, 1) + 3 * bc(32, 32, 3) + 96 * 256 + 256
    m6a = bc(256, 384, 3) + bc(256, 192, 1) + bc(192, 192, 3) + bc(192, 256, 3)
    b17 = 2 * bc(896, 128, 1) + bc(128, 128, 1, 7) + bc(128, 128, 7, 1) + 256 * 896 + 896
    m7a = 3 * bc(896, 256, 1) + bc(256, 384, 3) + 3 * bc(256, 256, 3)
    b8 = 2 * bc(1792, 192, 1) + bc(192, 192, 1, 3) + bc(192, 192, 3, 1) + 384 * 1792 + 1792
    head = 1792 * 512 + 2 * 512 + (513 * num_classes if num_classes else 0)
    return stem + 5 * b35 + m6a + 10 * b17 + m7a + 6 * b8 + head


@pytest.fixture(scope="module")
def resnet_v1() -> archspec.Network:
    return archspec.load(spec("inception_resnet_v1"))


def test_inception_resnet_v1_params(resnet_v1: archspec.Network) -> None:
    assert resnet_v1.audit().params == inception_resnet_v1_params(1000) == 23_995_624
    embedder = archspec.load(spec("inception_resnet_v1"), classify=False)
    assert embedder.audit().params == inception_resnet_v1_params(None)
    assert embedder.outputs == {"out": (512,)}


@pytest.mark.parametrize("call, in_shape, out_shape", [
    ("inception_resnet_block35(32, [32, 32], [32, 32, 32], scale=0.17)", [256, 17, 17],
     (256, 17, 17)),
    ("inception_resnet_mixed_6a(384, [192, 192, 256])", [256, 17, 17], (896, 8, 8)),
    ("inception_resnet_block17(128, [128, 128, 128], scale=0.1)", [896, 8, 8], (896, 8, 8)),
    ("inception_resnet_mixed_7a([256, 384], [256, 256], [256, 256, 256])", [896, 8, 8],
     (1792, 3, 3)),
    ("inception_resnet_block8(192, [192, 192, 192], no_relu=true)", [1792, 3, 3],
     (1792, 3, 3)),
])
def test_inception_resnet_v1_block_shapes(call: str, in_shape: list[int],
                                          out_shape: tuple[int, ...]) -> None:
    assert probe("inception_v4", call, in_shape)[0] == out_shape


def test_inception_resnet_v1_builds_and_runs(resnet_v1: archspec.Network) -> None:
    model = resnet_v1.build(seed=0)
    assert param_count(model) == resnet_v1.audit().params
    assert len(model.repeat_1) == 5 and len(model.repeat_2) == 10 and len(model.repeat_3) == 5
    model.eval()
    with torch.no_grad():
        y = model(torch.randn(1, 3, 160, 160))
    assert y.shape == (1, 1000) and torch.isfinite(y).all()


@pytest.mark.parametrize("call, relu", [
    ("inception_resnet_block35(32, [32, 32], [32, 32, 32], scale=0.17)", True),
    ("inception_resnet_block8(192, [192, 192, 192], scale=0.17, no_relu=true)", False),
])
def test_inception_resnet_residual_scale(call: str, relu: bool) -> None:
    """With the residual 1x1 conv's weight zeroed, a block computes x + 0.17 * bias (then ReLU
    unless no_relu), whatever its branches do."""
    channels = 256 if "block35" in call else 1792
    text = (f"import std.inception_v4\nnetwork probe {{\n  input x: [{channels}, 3, 3]\n"
            f"  out x -> b: {call}\n}}\n")
    model = archspec.build(text, seed=0).eval()
    torch.manual_seed(3)
    with torch.no_grad():
        model.b.conv2d.weight.zero_()
        model.b.conv2d.bias.normal_()
        x = torch.randn(1, channels, 3, 3)
        expected = x + 0.17 * model.b.conv2d.bias.view(1, -1, 1, 1)
        close(model(x), torch.relu(expected) if relu else expected)
    assert relu or (expected < 0).any()
