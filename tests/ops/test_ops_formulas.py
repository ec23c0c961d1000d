"""torch's output-size formulas, checked on many random cases against torch itself (meta
tensors), and the shared helpers of archspec.ops.common."""

from __future__ import annotations

import random

import pytest
import torch
import torch.nn.functional as F
from op_harness import build

from archspec.errors import ArgumentError, ShapeError
from archspec.ops.common import broadcast, conv_out, norm_dim
from archspec.ops.pool import adaptive_windows

META = {"device": "meta"}


def _cases(seed: int, n: int):
    rng = random.Random(seed)
    for _ in range(n):
        k, s, d = rng.randint(1, 5), rng.randint(1, 4), rng.randint(1, 3)
        size = rng.randint(d * (k - 1) + 1, 30)
        yield size, k, s, d, rng.randint(0, k // 2)


@pytest.mark.parametrize("ceil_mode", [False, True])
def test_conv_out_matches_max_pool2d(ceil_mode):
    for size, k, s, d, p in _cases(1 + ceil_mode, 400):
        x = torch.empty(1, 1, size, 3, **META)
        got = F.max_pool2d(x, (k, 1), (s, 1), (p, 0), (d, 1), ceil_mode=ceil_mode).shape[2]
        assert conv_out(size, k, s, p, p, d, ceil_mode) == got, (size, k, s, d, p)


@pytest.mark.parametrize("ceil_mode", [False, True])
def test_conv_out_matches_avg_pool2d(ceil_mode):
    for size, k, s, _, p in _cases(3 + ceil_mode, 400):
        x = torch.empty(1, 1, size, 3, **META)
        got = F.avg_pool2d(x, (k, 1), (s, 1), (p, 0), ceil_mode=ceil_mode).shape[2]
        assert conv_out(size, k, s, p, p, 1, ceil_mode) == got, (size, k, s, p)


def test_conv_out_matches_conv2d():
    w = torch.empty(1, 1, 1, 1, **META)
    for size, k, s, d, p in _cases(5, 400):
        x = torch.empty(1, 1, size + 2 * p, 1, **META)
        wk = w.expand(1, 1, k, 1)
        got = F.conv2d(x[:, :, : size], wk, None, (s, 1), (p, 0), (d, 1)).shape[2]
        assert conv_out(size, k, s, p, p, d) == got, (size, k, s, d, p)


def test_primitive_shapes_match_torch_on_random_geometry():
    rng = random.Random(7)
    for _ in range(150):
        c, h, w = rng.randint(1, 3) * 2, rng.randint(5, 20), rng.randint(5, 20)
        k, s, d = rng.randint(1, 4), rng.randint(1, 3), rng.randint(1, 2)
        x, p = torch.empty(1, c, h, w, **META), rng.randint(0, 2)
        ref = torch.nn.Conv2d(c, 4, k, s, p, d, 2, device="meta")
        try:
            shape = build("conv", [(c, h, w)], 4, k, s=s, d=d, p=p, g=2).shape
        except ShapeError:  # on real data: torch 2.11's meta conv does not check the size
            with pytest.raises(RuntimeError):
                torch.nn.Conv2d(c, 4, k, s, p, d, 2)(torch.empty(1, c, h, w))
        else:
            assert ref(x).shape[1:] == shape
        op = rng.randint(0, max(s, d) - 1)
        ct = build("conv_transpose", [(c, h, w)], 4, k, s=s, d=d, output_padding=op)
        ref_t = torch.nn.ConvTranspose2d(c, 4, k, s, 0, op, dilation=d, device="meta")
        assert ref_t(x).shape[1:] == ct.shape


@pytest.mark.parametrize("size,out,expected", [(9, 4, 12), (7, 7, 7), (5, 1, 5), (6, 4, 8)])
def test_adaptive_windows(size, out, expected):
    assert adaptive_windows(size, out) == expected


def test_norm_dim():
    assert [norm_dim("op", d, 3) for d in (0, 2, -1, -3)] == [0, 2, 2, 0]
    with pytest.raises(ArgumentError, match="dim=3 is out of range for a rank-3 input"):
        norm_dim("op", 3, 3)


def test_broadcast():
    assert broadcast("add", [(4, 9, 9), (4, 1, 1), (1, 9, 9)]) == (4, 9, 9)
    with pytest.raises(ShapeError) as err:
        broadcast("add", [(4, 9, 9), (4, 8, 9)])
    assert err.value.message == "add: shapes do not match: [4×9×9, 4×8×9]"
    with pytest.raises(ShapeError, match="different ranks"):
        broadcast("add", [(4, 9, 9), (9, 9)])
