"""Cost rules against the conventions written in docs/primitives.md, with exact numbers."""

from __future__ import annotations

import subprocess
import sys

import pytest
from op_harness import build

from archspec.ops.registry import Cost

C = (6, 7, 9)  # 378 elements
N = 378


@pytest.mark.parametrize("op,ins,args,kwargs,cost", [
    ("conv", [(4, 9, 10)], (6, 3), {"p": 1}, Cost(222, 0, 6 * 90 * 36, 540)),
    ("conv", [(4, 9, 10)], (6, 3), {"p": 1, "g": 2, "bias": False}, Cost(108, 0, 540 * 18, 0)),
    ("conv_transpose", [(4, 5, 6)], (6, 3), {"s": 2}, Cost(222, 0, 120 * 54, 6 * 11 * 13)),
    ("deform_conv", [(4, 7, 8), (18, 7, 8), (9, 7, 8)], (6, 3), {"p": 1},
     Cost(222, 0, 336 * 36, 2016 * 9 + 336)),
    ("deform_conv", [(4, 7, 8), (18, 7, 8)], (6, 3), {"p": 1, "bias": False},
     Cost(216, 0, 336 * 36, 2016 * 8)),
    ("table_conv", [(6, 14, 14)], (16, 5), {}, Cost(1516, 0, 100 * 60 * 25, 1600)),
    ("bn", [C], (), {}, Cost(12, 13, 0, 2 * N)),
    ("bn", [C], (), {"affine": False, "track_running_stats": False}, Cost(0, 0, 0, 2 * N)),
    ("lrn", [C], (5,), {}, Cost(other_flops=8 * N)),
    ("layer_norm", [C], (), {}, Cost(params=2 * N, other_flops=7 * N)),
    ("layer_norm", [C], (), {"dims": -1, "affine": False}, Cost(other_flops=5 * N)),
    ("group_norm", [C], (3,), {}, Cost(params=12, other_flops=7 * N)),
    ("relu", [C], (), {}, Cost(other_flops=N)),
    ("prelu", [C], ("all",), {}, Cost(params=6, other_flops=N)),
    ("softmax", [(10,)], (), {}, Cost(other_flops=30)),
    ("maxpool", [C], (3, 2), {}, Cost(other_flops=6 * 3 * 4 * 9)),
    ("avgpool", [C], (2,), {}, Cost(other_flops=6 * 3 * 4 * 4)),
    ("gap", [C], (), {}, Cost(other_flops=N)),
    ("adaptive_avgpool", [C], ((2, 4),), {}, Cost(other_flops=6 * 8 * 12)),
    ("mean", [C], (), {}, Cost(other_flops=N)),
    ("max_unpool", [C, C], (2,), {}, Cost()),
    ("lenet_pool", [(6, 28, 28)], (), {}, Cost(params=12, other_flops=6 * 196 * 6)),
    ("linear", [(20,)], (7,), {}, Cost(147, 0, 140, 7)),
    ("linear", [(5, 20)], (7,), {"bias": False}, Cost(140, 0, 700, 0)),
    ("matmul", [(3, 6, 5), (1, 5, 4)], (), {}, Cost(macs=3 * 6 * 4 * 5)),
    ("rbf", [(84,)], (10,), {}, Cost(0, 840, 840, 840)),
    ("add", [C, C, (6, 1, 1)], (), {}, Cost(other_flops=2 * N)),
    ("mul", [C, (6, 1, 1)], (), {}, Cost(other_flops=N)),
    ("scale", [C], (0.1,), {}, Cost(other_flops=N)),
    ("shift", [C], (-0.5,), {}, Cost(other_flops=N)),
    ("upsample", [C], (2,), {"mode": "bilinear"}, Cost(other_flops=8 * 4 * N)),
    ("upsample", [C], (2,), {}, Cost()),
    ("grid_sample", [C, (5, 4, 2)], (), {}, Cost(other_flops=8 * 6 * 20)),
    ("affine_grid", [(2, 3), C], (), {}, Cost(other_flops=12 * 63)),
    *[(op, [C], args, {}, Cost()) for op, args in [
        ("flatten", ()), ("reshape", ((-1,),)), ("permute", ((0, 2, 1),)), ("transpose", ()),
        ("slice", (1, 3)), ("select", (0,)), ("split", (2,)), ("pad", (1,)),
        ("subsample", (2,)), ("channel_shuffle", (2,)), ("identity", ()), ("dropout", ()),
        ("dropout2d", ())]],
    ("concat", [C, C], (), {}, Cost()),
])
def test_cost(op, ins, args, kwargs, cost):
    assert build(op, ins, *args, **kwargs).cost == cost


def test_flops_are_two_per_mac_plus_other():
    cost = build("conv", [(4, 9, 10)], 6, 3, p=1).cost
    assert cost.flops == 2 * 6 * 90 * 36 + 540


def test_registering_ops_does_not_import_torch():
    code = ("import sys, archspec.ops.registry as r; r.load_all(); "
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
