"""Convolutions over C×H×W: conv and conv_transpose (deform_conv and table_conv live apart)."""

from __future__ import annotations

from typing import Any

from archspec.errors import ArgumentError, ShapeError
from archspec.ir.graph import OpNode, Shape
from archspec.ops.common import (
    check_positive,
    expect_rank,
    numel,
    pair,
    resolve_padding,
    window_sizes,
    windows,
)
from archspec.ops.contract import Cost, Param, primitive, weight_bias
from archspec.ops.geometry import FLOAT_PORTS, Geometry, Transposed, Window, spatial_size

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


def conv_windows(p: dict[str, Any], x: Shape | None = None) -> Geometry:
    kernel, stride, dilation, padding = conv_geometry(p)
    return windows(kernel, stride, padding, dilation)


def conv_groups(p: dict[str, Any], x: Shape | None = None) -> int:
    return p["groups"]


def conv_shape(op: str, p: dict[str, Any], x: Shape) -> Shape:
    expect_rank(op, x, 3)
    geometry = conv_windows(p)
    check_groups(op, x[0], p["out"], p["groups"])
    return (p["out"], *window_sizes(op, x, geometry))


def conv_cost(p: dict[str, Any], ins: list[Shape], out: Shape) -> Cost:
    kh, kw = pair(p["kernel"])
    per_out = (ins[0][0] // p["groups"]) * kh * kw
    params = p["out"] * per_out + (p["out"] if p["bias"] else 0)
    return Cost(params=params, macs=numel(out) * per_out,
                other_flops=numel(out) if p["bias"] else 0)


def lower_conv(node: OpNode, ins: list[Shape]) -> Any:
    from torch import nn

    p = node.params
    _, stride, dilation, padding = conv_geometry(p)
    (pt, pb), (pl, pr) = padding
    pad: Any = (pt, pl)
    if (pt, pl) != (pb, pr):  # asymmetric 'same' padding: torch accepts the string
        pad = "same"
    return nn.Conv2d(ins[0][0], p["out"], pair(p["kernel"]), stride, pad, dilation,
                     p["groups"], p["bias"])


def conv_params(p: dict[str, Any], ins: list[Shape]) -> dict[str, Shape]:
    """nn.Conv2d's weight (out, C/g, kh, kw) and bias (out,)."""
    return weight_bias((p["out"], ins[0][0] // p["groups"], *pair(p["kernel"])),
                       p["out"] if p["bias"] else None)


@primitive("conv", params=CONV_PARAMS, cost=conv_cost, lower=lower_conv, family="conv",
           stateful=True, geometry=conv_windows, ports=FLOAT_PORTS, channels=conv_groups,
           param_shapes=conv_params)
def conv(p: dict[str, Any], ins: list[Shape]) -> Shape:
    """2-D convolution (torch.nn.Conv2d). ``padding`` takes an int, a pair, 'same' or 'valid'."""
    return conv_shape("conv", p, ins[0])


CONV_T_PARAMS = (
    Param("out", "int", doc="output channels"),
    Param("kernel", "pair", doc="kernel size", aliases=("k",)),
    Param("stride", "pair", 1, aliases=("s",)),
    Param("padding", "pair", 0, aliases=("p", "pad")),
    Param("output_padding", "pair", 0),
    Param("dilation", "pair", 1, aliases=("d",)),
    Param("groups", "int", 1, aliases=("g",)),
    Param("bias", "bool", True),
)


def conv_t_geometry(p: dict[str, Any]) -> tuple:
    kernel, stride, dilation = pair(p["kernel"]), pair(p["stride"]), pair(p["dilation"])
    padding, out_pad = pair(p["padding"]), pair(p["output_padding"])
    check_positive(kernel=kernel, stride=stride, dilation=dilation, out=p["out"],
                   groups=p["groups"])
    for axis in range(2):
        if padding[axis] < 0 or out_pad[axis] < 0:
            raise ArgumentError("conv_transpose: padding and output_padding must be non-negative")
        if out_pad[axis] >= max(stride[axis], dilation[axis]):
            raise ArgumentError(
                f"conv_transpose: output_padding {out_pad[axis]} must be smaller than the stride "
                f"({stride[axis]}) or the dilation ({dilation[axis]})",
                hint="output_padding only picks among the sizes a stride can produce")
    return kernel, stride, padding, out_pad, dilation


def conv_t_cost(p: dict[str, Any], ins: list[Shape], out: Shape) -> Cost:
    kh, kw = pair(p["kernel"])
    per_in = (p["out"] // p["groups"]) * kh * kw
    params = ins[0][0] * per_in + (p["out"] if p["bias"] else 0)
    return Cost(params=params, macs=numel(ins[0]) * per_in,
                other_flops=numel(out) if p["bias"] else 0)


def lower_conv_t(node: OpNode, ins: list[Shape]) -> Any:
    from torch import nn

    p = node.params
    kernel, stride, padding, out_pad, dilation = conv_t_geometry(p)
    return nn.ConvTranspose2d(ins[0][0], p["out"], kernel, stride, padding, out_pad,
                              p["groups"], p["bias"], dilation)


def conv_t_windows(p: dict[str, Any], x: Shape | None = None) -> Geometry:
    kernel, stride, padding, out_pad, dilation = conv_t_geometry(p)
    return (Transposed(Window(kernel[0], stride[0], padding[0], padding[0], dilation[0]),
                       out_pad[0]),
            Transposed(Window(kernel[1], stride[1], padding[1], padding[1], dilation[1]),
                       out_pad[1]))


def conv_t_params(p: dict[str, Any], ins: list[Shape]) -> dict[str, Shape]:
    """nn.ConvTranspose2d's weight (C, out/g, kh, kw) and bias (out,)."""
    return weight_bias((ins[0][0], p["out"] // p["groups"], *pair(p["kernel"])),
                       p["out"] if p["bias"] else None)


@primitive("conv_transpose", params=CONV_T_PARAMS, family="conv", stateful=True,
           cost=conv_t_cost, lower=lower_conv_t, geometry=conv_t_windows, ports=FLOAT_PORTS,
           channels=conv_groups, param_shapes=conv_t_params)
def conv_transpose(p: dict[str, Any], ins: list[Shape]) -> Shape:
    """Transposed 2-D convolution (torch.nn.ConvTranspose2d):
    ``H' = (H-1)·s - 2p + d·(k-1) + output_padding + 1``."""
    x = ins[0]
    expect_rank("conv_transpose", x, 3)
    geometry = conv_t_windows(p)
    check_groups("conv_transpose", x[0], p["out"], p["groups"])
    hw = spatial_size(geometry, x[1:])
    if min(hw) <= 0:
        raise ShapeError(f"conv_transpose output would be empty ({hw[0]}×{hw[1]})",
                         hint="reduce the padding")
    return (p["out"], hw[0], hw[1])
