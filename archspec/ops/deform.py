"""Deformable convolution (Dai et al. 2017, v1; Zhu et al. 2019, v2 with a modulation mask).

Inputs are ``(x, offset)`` or ``(x, offset, mask)``; the offset (and mask) tensors are usually
predicted by a zero-initialised plain ``conv`` in the spec. Lowered to
``torchvision.ops.DeformConv2d`` (state: weight, bias).
"""

from __future__ import annotations

from typing import Any

from archspec.errors import ArgumentError, ShapeError, SpecError
from archspec.ir.graph import OpNode, Shape
from archspec.ops.common import expect_rank, fmt_shape, pair, spatial_out
from archspec.ops.contract import Cost, Param, primitive
from archspec.ops.conv import (
    CONV_PARAMS,
    check_groups,
    conv_cost,
    conv_geometry,
    conv_groups,
    conv_params,
    conv_windows,
)
from archspec.ops.geometry import FLOAT, Ports

DEFORM_PARAMS = (*CONV_PARAMS[:-1], Param("offset_groups", "int", 1), CONV_PARAMS[-1])

# Bilinear sampling of one input value: 4 taps, one multiply-add each.
SAMPLE_FLOPS = 8


def _check_aux(what: str, shape: Shape, channels: int, hw: tuple[int, int], hint: str) -> None:
    expect_rank(f"deform_conv {what}", shape, 3)
    if shape[0] != channels or tuple(shape[1:]) != hw:
        raise ShapeError(
            f"deform_conv: {what} must be {channels}×{hw[0]}×{hw[1]}, got {fmt_shape(shape)}",
            hint=hint)


def _symmetric_padding(p: dict[str, Any]) -> tuple[int, int]:
    (pt, pb), (pl, pr) = conv_geometry(p)[3]
    if (pt, pl) != (pb, pr):
        raise ArgumentError("deform_conv: padding='same' with an even kernel needs asymmetric "
                            "padding, which DeformConv2d does not support",
                            hint="use an odd kernel or explicit padding")
    return pt, pl


def deform_cost(p: dict[str, Any], ins: list[Shape], out: Shape) -> Cost:
    """Conv MACs, plus bilinear sampling of every (input channel, tap, output position)."""
    base = conv_cost(p, ins[:1], out)
    kh, kw = pair(p["kernel"])
    samples = ins[0][0] * kh * kw * out[1] * out[2]
    per_sample = SAMPLE_FLOPS + (1 if len(ins) == 3 else 0)  # the mask multiplies each sample
    return Cost(params=base.params, macs=base.macs,
                other_flops=base.other_flops + samples * per_sample)


def lower_deform(node: OpNode, ins: list[Shape]) -> Any:
    try:
        from torchvision.ops import DeformConv2d
    except ImportError:
        raise SpecError("deform_conv is built as torchvision.ops.DeformConv2d, and torchvision "
                        "is not installed", node.span,
                        hint="pip install torchvision (or archspec[torch])") from None

    p = node.params
    return DeformConv2d(ins[0][0], p["out"], pair(p["kernel"]), pair(p["stride"]),
                        _symmetric_padding(p), pair(p["dilation"]), p["groups"], p["bias"])


@primitive("deform_conv", params=DEFORM_PARAMS, inputs=("x", "offset"), variadic=True,
           optional_inputs=("mask",),
           family="conv", stateful=True,
           cost=deform_cost, lower=lower_deform, geometry=conv_windows, channels=conv_groups,
           param_shapes=conv_params,
           ports=Ports((FLOAT, FLOAT, FLOAT), (FLOAT,)))
def deform_conv(p: dict[str, Any], ins: list[Shape]) -> Shape:
    """Deformable 2-D convolution; inputs (x, offset[, mask]). Offset has
    2·kh·kw·offset_groups channels, mask kh·kw·offset_groups, both at the output size."""
    if len(ins) > 3:
        raise ShapeError(f"deform_conv takes 2 or 3 inputs (x, offset[, mask]), got {len(ins)}")
    x = ins[0]
    expect_rank("deform_conv", x, 3)
    kernel, stride, dilation, padding = conv_geometry(p)
    _symmetric_padding(p)
    check_groups("deform_conv", x[0], p["out"], p["groups"])
    og = p["offset_groups"]
    if og <= 0 or x[0] % og:
        raise ShapeError(f"deform_conv: input channels {x[0]} are not divisible by "
                         f"offset_groups={og}", hint=f"use offset_groups dividing {x[0]}")
    hw = spatial_out("deform_conv", x, kernel, stride, padding, dilation)
    taps = kernel[0] * kernel[1] * og
    _check_aux("offset", ins[1], 2 * taps, hw,
               f"predict it with conv({2 * taps}, ...) at the output resolution "
               f"(2·{kernel[0]}·{kernel[1]}·offset_groups channels)")
    if len(ins) == 3:
        _check_aux("mask", ins[2], taps, hw,
                   f"predict it with conv({taps}, ...) -> sigmoid at the output resolution "
                   f"({kernel[0]}·{kernel[1]}·offset_groups channels)")
    return (p["out"], *hw)
