"""Hand-written PyTorch modules that call what archspec's primitives lower to (F.pad, slicing,
F.interpolate, DeformConv2d, max_pool2d_with_indices...) import to those primitives, and the
imported spec, built, computes the same outputs with the same weights."""

from __future__ import annotations

import pytest

import archspec
from archspec.importers import import_model

torch = pytest.importorskip("torch")
nn, F = torch.nn, torch.nn.functional


def imported(model: nn.Module, shape: tuple[int, ...]) -> str:
    """The imported spec, after checking that its build strict-loads ``model``'s weights and
    matches its outputs."""
    torch.manual_seed(0)
    model.eval()
    text = import_model(model, shape, name="net")
    built = archspec.load(text).build().eval()
    built.load_state_dict(model.state_dict(), strict=True)
    x = torch.randn(2, *shape)
    with torch.no_grad():
        expected, got = model(x), built(x)
    assert torch.allclose(got, expected, atol=1e-5, rtol=0)
    return text


class Shortcut(nn.Module):
    """ResNet-CIFAR's option A, and other functional calls, as people write them."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(4, 8, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        short = F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, 2, 2))
        y = self.conv(x)[:, :, ::2, ::2] + short
        y = F.local_response_norm(y, 3, alpha=2e-4)
        y = F.interpolate(y, scale_factor=2.0, mode="bilinear", align_corners=False)
        return torch.log_softmax(F.gelu(y[:, 2:6]), 1)


def test_functional_calls_map_to_their_primitives() -> None:
    text = imported(Shortcut(), (4, 8, 8))
    for call in ("subsample(2)", "pad(channels=2)", "lrn(3, alpha=0.0002)",
                 "upsample(scale=2.0, mode=\"bilinear\", align_corners=false)", "slice(2, 6)",
                 "gelu", "log_softmax"):
        assert call in text, call


class Deformable(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        from torchvision.ops import DeformConv2d
        self.offsets = nn.Conv2d(4, 2 * 2 * 9, 3, padding=1)
        self.sampler = DeformConv2d(4, 6, 3, padding=1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.sampler(x, self.offsets(x))


def test_deform_conv_keeps_its_module_name_and_offset_groups() -> None:
    pytest.importorskip("torchvision")
    text = imported(Deformable(), (4, 8, 8))
    assert "-> sampler: deform_conv(offsets, 6, 3, p=1, offset_groups=2, bias=false)" in text


class WhatWhere(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.enc = nn.Conv2d(3, 4, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pooled, where = F.max_pool2d_with_indices(self.enc(x), 2)
        return F.max_unpool2d(torch.relu(pooled), where, 2, output_size=(7, 7))


def test_pool_indices_become_the_pools_indices_port() -> None:
    text = imported(WhatWhere(), (3, 7, 7))
    assert "maxpool(2, return_indices=true)" in text
    assert ".indices, 2, output_size=[7, 7])" in text


def test_reshape_transpose_and_matmul() -> None:
    class Attention(nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            flat = torch.reshape(x, (-1, 4, 16))
            weights = torch.softmax(torch.matmul(torch.transpose(flat, 1, 2), flat), 2)
            return torch.reshape(torch.matmul(flat, weights), (-1, 4, 4, 4))

    text = imported(Attention(), (4, 4, 4))
    assert "reshape([4, 16])" in text and "-> transpose" in text
    assert "matmul(" in text and "softmax(dim=1)" in text and "reshape([4, 4, 4])" in text
