"""Convolutions: conv (1-D over vectors is not supported; 2-D over C×H×W)."""

from __future__ import annotations

from typing import Any

from archspec.errors import ShapeError
from archspec.ir.graph import OpNode, Shape
from archspec.ops.common import (
    check_positive, expect_rank, numel, pair, resolve_padding, spatial_out,
)
from archspec.ops.registry import Cost, Param, primitive

CONV_PARAMS = (
    Param("out", "int", doc="output channels"),
    Param("kernel", "pair", doc="kernel size", aliases=("k",)),
    Param("stride", "pair", 1, aliases=("s",)),
    Param("padding", "padding", 0, aliases=("p", "pad")),
    Param("dilation", "pair", 1, aliases=("d",)),
    Param("groups", "int", 1, aliases=("g",)),
    Param("bias", "bool", True),
)


def check_groups(op: str, cin: int, cout: int, groups: int) -> None:
    if cin % groups:
        raise ShapeError(f"{op}: input channels {cin} are not divisible by groups={groups}",
                         hint=f"use a groups value that divides {cin}")
    if cout % groups:
        raise ShapeError(f"{op}: output channels {cout} are not divisible by groups={groups}",
                         hint=f"use an output channel count that is a multiple of {groups}")


def conv_geometry(p: dict[str, Any]) -> tuple:
    kernel, stride, dilation = pair(p["kernel"]), pair(p["stride"]), pair(p["dilation"])
    check_positive(kernel=kernel, stride=stride, dilation=dilation, out=p["out"],
                   groups=p["groups"])
    return kernel, stride, dilation, resolve_padding(p["padding"], kernel, dilation, stride)


def conv_shape(op: str, p: dict[str, Any], x: Shape) -> Shape:
    expect_rank(op, x, 3)
    kernel, stride, dilation, padding = conv_geometry(p)
    check_groups(op, x[0], p["out"], p["groups"])
    return (p["out"], *spatial_out(op, x, kernel, stride, padding, dilation))


def conv_cost(p: dict[str, Any], ins: list[Shape], out: Shape) -> Cost:
    kh, kw = pair(p["kernel"])
    per_out = (ins[0][0] // p["groups"]) * kh * kw
    params = p["out"] * per_out + (p["out"] if p["bias"] else 0)
    return Cost(params=params, macs=numel(out) * per_out,
                other_flops=numel(out) if p["bias"] else 0)


def lower_conv(node: OpNode, ins: list[Shape]) -> Any:
    import torch.nn as nn

    p = node.params
    _, stride, dilation, padding = conv_geometry(p)
    (pt, pb), (pl, pr) = padding
    pad: Any = (pt, pl)
    if (pt, pl) != (pb, pr):  # asymmetric 'same' padding: torch accepts the string
        pad = "same"
    return nn.Conv2d(ins[0][0], p["out"], pair(p["kernel"]), stride, pad, dilation,
                     p["groups"], p["bias"])


@primitive("conv", params=CONV_PARAMS, cost=conv_cost, lower=lower_conv, family="conv",
           stateful=True)
def conv(p: dict[str, Any], ins: list[Shape]) -> Shape:
    """2-D convolution (torch.nn.Conv2d). ``padding`` takes an int, a pair, 'same' or 'valid'."""
    return conv_shape("conv", p, ins[0])
