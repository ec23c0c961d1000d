"""Lowered convolutions (conv, conv_transpose, deform_conv, table_conv) against direct torch
computations with the module's own weights; MACs against torch.utils.flop_counter."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from op_harness import build, rand, run
from torch.utils.flop_counter import FlopCounterMode
from torchvision.ops import deform_conv2d

from archspec.ops.lenet import LENET_C3_TABLE


@pytest.mark.parametrize("kwargs", [
    {"p": 1}, {"p": "same", "kernel": 4}, {"s": 2, "g": 2, "d": 2, "p": 2}, {"bias": False}])
def test_conv_matches_f_conv2d(kwargs):
    kw = {"out": 6, "kernel": 3, **kwargs}
    built = build("conv", [(4, 9, 10)], **kw)
    m, (x,) = built.lower(), rand((4, 9, 10))
    if kw.get("p") == "same":
        ref = F.conv2d(F.pad(x, (1, 2, 1, 2)), m.weight, m.bias)   # torch puts the extra pad last
    else:
        ref = F.conv2d(x, m.weight, m.bias, m.stride, m.padding, m.dilation, m.groups)
    torch.testing.assert_close(run(m, [x]), ref)


def test_conv_transpose_matches_functional():
    built = build("conv_transpose", [(4, 5, 6)], 6, 3, s=2, p=1, output_padding=1, g=2)
    m, (x,) = built.lower(), rand((4, 5, 6))
    ref = F.conv_transpose2d(x, m.weight, m.bias, 2, 1, 1, 2)
    torch.testing.assert_close(run(m, [x]), ref)


def test_deform_conv_zero_offset_is_conv():
    built = build("deform_conv", [(4, 7, 8), (18, 7, 8), (9, 7, 8)], 6, 3, p=1)
    m = built.lower()
    x, _, _ = rand((4, 7, 8), (18, 7, 8), (9, 7, 8))
    offset, mask = torch.zeros(2, 18, 7, 8), torch.full((2, 9, 7, 8), 0.5)
    conv = F.conv2d(x, m.weight, m.bias, 1, 1)
    torch.testing.assert_close(run(m, [x, offset]), conv)
    # v2: the mask scales every sample, so a constant 0.5 halves the conv (not the bias)
    torch.testing.assert_close(run(m, [x, offset, mask]), (conv - m.bias[:, None, None]) * 0.5
                               + m.bias[:, None, None])
    assert sorted(m.state_dict()) == ["bias", "weight"]


def test_deform_conv_offsets_follow_torchvision():
    built = build("deform_conv", [(4, 6, 6), (36, 3, 3)], 4, 3, s=2, p=1, offset_groups=2)
    m = built.lower()
    x, off = rand((4, 6, 6), (36, 3, 3), seed=3)
    ref = deform_conv2d(x, off, m.weight, m.bias, stride=2, padding=1)
    torch.testing.assert_close(run(m, [x, off]), ref)


def test_table_conv_matches_per_map_convolutions():
    built = build("table_conv", [(6, 12, 12)], 16, 5, table="lenet")
    m, (x,) = built.lower(), rand((6, 12, 12))
    got = run(m, [x])
    start = 0
    for o, row in enumerate(LENET_C3_TABLE):
        w = m.weight[start:start + len(row)].unsqueeze(0)
        ref = F.conv2d(x[:, list(row)], w, m.bias[o:o + 1])
        torch.testing.assert_close(got[:, o:o + 1], ref)
        start += len(row)
    assert built.cost.params == 1516 == sum(p.numel() for p in m.parameters())


def _flops(fn, *tensors) -> int:
    with FlopCounterMode(display=False) as counter:
        fn(*tensors)
    return counter.get_total_flops()


@pytest.mark.parametrize("op,ins,args,kwargs", [
    ("conv", [(4, 9, 10)], (6, 3), {"s": 2, "p": 1}),
    ("conv", [(8, 9, 10)], (8, (1, 5)), {"g": 4, "d": 2, "p": "same"}),
    ("conv_transpose", [(4, 5, 6)], (6, 3), {"s": 2, "p": 1, "output_padding": 1, "g": 2}),
    ("linear", [(20,)], (7,), {}),
    ("linear", [(3, 5, 20)], (7,), {"bias": False}),
    ("matmul", [(3, 6, 5), (1, 5, 4)], (), {}),
    ("matmul", [(6, 5), (5, 4)], (), {}),
])
def test_macs_match_flop_counter(op, ins, args, kwargs):
    built = build(op, ins, *args, **kwargs)
    lowered, tensors = built.lower(), rand(*ins)
    assert _flops(lambda *t: run(lowered, list(t)), *tensors) == 2 * built.cost.macs * 2  # batch 2
