"""LeNet-5 specials (LeCun et al. 1998): table_conv (C3's partial connections), lenet_pool
(trainable subsampling) and rbf (Euclidean RBF output units with fixed prototypes).

The torch modules live in archspec/ops/torch_modules.py, imported only by the lowerings.
"""

from __future__ import annotations

import random
from typing import Any

from archspec.errors import ArgumentError, ShapeError
from archspec.ir.graph import OpNode, Shape
from archspec.ops.common import (
    check_positive,
    expect_rank,
    fmt_shape,
    numel,
    pair,
    spatial_out,
    windows,
)
from archspec.ops.contract import Cost, Param, local_channels, primitive, weight_bias
from archspec.ops.geometry import FLOAT_PORTS, MIX

# Table I of the paper: the S2 maps (0-5) each C3 map (0-15) reads; 60 connections in all.
LENET_C3_TABLE: tuple[tuple[int, ...], ...] = (
    (0, 1, 2), (1, 2, 3), (2, 3, 4), (3, 4, 5), (0, 4, 5), (0, 1, 5),
    (0, 1, 2, 3), (1, 2, 3, 4), (2, 3, 4, 5), (0, 3, 4, 5), (0, 1, 4, 5), (0, 1, 2, 5),
    (0, 1, 3, 4), (1, 2, 4, 5), (0, 2, 3, 5),
    (0, 1, 2, 3, 4, 5),
)


def conv_table(p: dict[str, Any], cin: int) -> tuple[tuple[int, ...], ...]:
    """The connection table, checked against ``out`` and the input channel count."""
    table = LENET_C3_TABLE if p["table"] == "lenet" else p["table"]
    if isinstance(table, str) or not isinstance(table, (list, tuple)):
        raise ArgumentError(f"table_conv: table must be 'lenet' or a list of lists of input "
                            f"channels, got {table!r}")
    table = tuple(tuple(row) if isinstance(row, (list, tuple)) else (row,) for row in table)
    if len(table) != p["out"]:
        raise ArgumentError(f"table_conv: the table has {len(table)} rows but out={p['out']}",
                            hint="give one list of input channels per output channel")
    for o, row in enumerate(table):
        bad = [i for i in row if not isinstance(i, int) or not 0 <= i < cin]
        if not row or bad or len(set(row)) != len(row):
            raise ShapeError(f"table_conv: row {o} {list(row)} must list distinct input "
                             f"channels in 0..{cin - 1}")
    return table


def table_conv_cost(p: dict[str, Any], ins: list[Shape], out: Shape) -> Cost:
    kh, kw = pair(p["kernel"])
    links = sum(len(row) for row in conv_table(p, ins[0][0]))
    bias = p["out"] if p["bias"] else 0
    return Cost(params=links * kh * kw + bias, macs=out[1] * out[2] * links * kh * kw,
                other_flops=numel(out) if p["bias"] else 0)


def lower_table_conv(node: OpNode, ins: list[Shape]) -> Any:
    from archspec.ops.torch_modules import TableConv2d

    p = node.params
    return TableConv2d(ins[0][0], conv_table(p, ins[0][0]), pair(p["kernel"]), p["bias"])


@primitive("table_conv", params=(Param("out", "int"), Param("kernel", "pair", aliases=("k",)),
                                 Param("table", "any", "lenet"), Param("bias", "bool", True)),
           cost=table_conv_cost, lower=lower_table_conv, family="conv", stateful=True,
           param_shapes=lambda p, ins: weight_bias(
               (sum(map(len, conv_table(p, ins[0][0]))), *pair(p["kernel"])),
               p["out"] if p["bias"] else None),
           geometry=lambda p, x: windows(pair(p["kernel"]), (1, 1), ((0, 0), (0, 0))),
           ports=FLOAT_PORTS)
def table_conv(p: dict[str, Any], ins: list[Shape]) -> Shape:
    """Partially connected valid convolution: output map o reads only the input maps
    ``table[o]``; ``table='lenet'`` is C3's table (1,516 params at 6 -> 16, 5×5)."""
    x = ins[0]
    expect_rank("table_conv", x, 3)
    kernel = pair(p["kernel"])
    check_positive(kernel=kernel, out=p["out"])
    conv_table(p, x[0])
    return (p["out"], *spatial_out("table_conv", x, kernel, (1, 1), ((0, 0), (0, 0))))


def lenet_pool_cost(p: dict[str, Any], ins: list[Shape], out: Shape) -> Cost:
    kh, kw = pair(p["kernel"])
    return Cost(params=2 * ins[0][0], other_flops=(kh * kw + 2) * numel(out))


def lower_lenet_pool(node: OpNode, ins: list[Shape]) -> Any:
    from archspec.ops.torch_modules import LeNetPool2d

    return LeNetPool2d(ins[0][0], pair(node.params["kernel"]))


@primitive("lenet_pool", params=(Param("kernel", "pair", 2, aliases=("k",)),),
           cost=lenet_pool_cost, lower=lower_lenet_pool, family="pool", stateful=True,
           param_shapes=lambda p, ins: weight_bias((ins[0][0],), ins[0][0]),
           geometry=lambda p, x: windows(pair(p["kernel"]), pair(p["kernel"]), ((0, 0), (0, 0))),
           ports=FLOAT_PORTS, channels=local_channels)
def lenet_pool(p: dict[str, Any], ins: list[Shape]) -> Shape:
    """Trainable subsampling: the sum over each kernel×kernel window (stride = kernel) times
    one coefficient per map, plus one bias per map (2·C params)."""
    x = ins[0]
    expect_rank("lenet_pool", x, 3)
    kernel = pair(p["kernel"])
    check_positive(kernel=kernel)
    return (x[0], *spatial_out("lenet_pool", x, kernel, kernel, ((0, 0), (0, 0))))


SEGMENTS = {  # seven-segment strokes as (x0, y0, x1, y1) on a 7 wide × 12 high bitmap
    "a": (1, 1, 5, 1), "b": (5, 1, 5, 5), "c": (5, 5, 5, 10), "d": (1, 10, 5, 10),
    "e": (1, 5, 1, 10), "f": (1, 1, 1, 5), "g": (1, 5, 5, 5),
}
DIGITS = ("abcdef", "bc", "abdeg", "abcdg", "bcfg", "acdfg", "acdefg", "abc", "abcdefg",
          "abcdfg")


def seven_segment(digit: int) -> list[float]:
    """The 7×12 ±1 bitmap (row-major, 84 values) of ``digit`` drawn as a seven-segment figure."""
    on = set()
    for seg in DIGITS[digit]:
        x0, y0, x1, y1 = SEGMENTS[seg]
        on |= {(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)}
    return [1.0 if (x, y) in on else -1.0 for y in range(12) for x in range(7)]


def rbf_prototypes(kind: str, out: int, fan_in: int) -> list[list[float]]:
    """Fixed, deterministic ±1 prototypes: 'lenet' = seven-segment digits (10×84 only),
    'binary' = a seeded pseudo-random pattern of any size."""
    if kind == "lenet":
        if (out, fan_in) != (10, 84):
            raise ShapeError(f"rbf prototypes='lenet' are 10 digits of 7×12 = 84 pixels; got "
                             f"out={out} on {fan_in} features", hint="use prototypes='binary'")
        return [seven_segment(d) for d in range(10)]
    rng = random.Random(1998)
    return [[1.0 if rng.getrandbits(1) else -1.0 for _ in range(fan_in)] for _ in range(out)]


def rbf_cost(p: dict[str, Any], ins: list[Shape], out: Shape) -> Cost:
    n = p["out"] * ins[0][0]
    # (x - w)² summed: one multiply-add per pair, plus the subtraction
    return Cost(buffers=n, macs=n, other_flops=n)


def lower_rbf(node: OpNode, ins: list[Shape]) -> Any:
    from archspec.ops.torch_modules import RBF

    p = node.params
    return RBF(rbf_prototypes(p["prototypes"], p["out"], ins[0][0]))


@primitive("rbf", params=(Param("out", "int"),
                          Param("prototypes", "str", "lenet", choices=("lenet", "binary"))),
           cost=rbf_cost, lower=lower_rbf, family="linear", stateful=True, geometry=MIX,
           param_shapes=lambda p, ins: {},
           ports=FLOAT_PORTS)
def rbf(p: dict[str, Any], ins: list[Shape]) -> Shape:
    """Euclidean RBF units ``y_i = Σ_j (x_j - w_ij)²`` with fixed ±1 prototypes ``w`` kept as
    a non-trainable buffer (LeNet-5's output layer: 84 -> 10)."""
    x = ins[0]
    if len(x) != 1:
        raise ShapeError(f"rbf expects a vector input, got {fmt_shape(x)}",
                         hint="flatten first")
    check_positive(out=p["out"])
    rbf_prototypes(p["prototypes"], p["out"], x[0])
    return (p["out"],)
