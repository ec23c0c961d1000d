"""Free parameters: a bare learnable tensor at the layer's name, applied by broadcasting.

``x -> layer_scale: scale_param([C, 1, 1])`` is ConvNeXt's ``layer_scale * x`` (state-dict key
``layer_scale``, not ``layer_scale.weight``); ``add_param(shape)`` adds one (a position
embedding). The tensor is registered with ``register_parameter`` on the module that holds the
layer's siblings (see ``backends/torch/modules.py``).
"""

from __future__ import annotations

import operator
from typing import Any

from archspec.errors import ArgumentError, ShapeError
from archspec.ir.graph import OpNode, Shape
from archspec.ops.common import fmt_shape, numel
from archspec.ops.contract import FREE, Cost, FreeParam, Param, local_channels, primitive
from archspec.ops.geometry import FLOAT_PORTS, KEEP

SHAPE = Param("shape", "ints", doc="the tensor's shape; it broadcasts against the input "
                                   "(C×1×1 scales channels)")


def check_param_shape(op: str, shape: tuple[int, ...], x: Shape) -> None:
    """``shape`` broadcasts onto ``x`` without enlarging it: aligned at the end, each size
    equal to x's or 1; one extra leading 1 stands for the batch (timm's ``1×N×D``)."""
    if not shape or any(not isinstance(s, int) or s < 1 for s in shape):
        raise ArgumentError(f"{op}: shape must be a list of positive sizes, got {list(shape)}")
    extra = len(shape) - len(x)
    if extra > 1 or (extra == 1 and shape[0] != 1):
        raise ShapeError(f"{op}: a {fmt_shape(shape)} parameter has more dims than the "
                         f"{fmt_shape(x)} input", hint="give one size per input dim, e.g. "
                                                     f"[{x[0] if x else 1}, 1, 1] per channel")
    for got, want in zip(reversed(shape), reversed(x)):
        if got not in (1, want):
            raise ShapeError(f"{op}: a {fmt_shape(shape)} parameter does not broadcast onto the "
                             f"{fmt_shape(x)} input", hint="each size must equal the input's, "
                                                         "counted from the last dim, or be 1")


def param_cost(p: dict[str, Any], ins: list[Shape], out: Shape) -> Cost:
    return Cost(params=numel(tuple(p["shape"])), other_flops=numel(out))


def free_param_shapes(p: dict[str, Any], ins: list[Shape]) -> dict[str, Shape]:
    return {FREE: tuple(p["shape"])}


def lower_scale_param(node: OpNode, ins: list[Shape]) -> FreeParam:
    import torch

    return FreeParam(torch.nn.Parameter(torch.ones(node.params["shape"])), operator.mul)


def lower_add_param(node: OpNode, ins: list[Shape]) -> FreeParam:
    import torch

    return FreeParam(torch.nn.Parameter(torch.zeros(node.params["shape"])), operator.add)


FREE_PARAM = dict(params=(SHAPE,), cost=param_cost, family="merge", stateful=True,
                  parameter=True, geometry=KEEP, ports=FLOAT_PORTS, channels=local_channels,
                  param_shapes=free_param_shapes)


@primitive("scale_param", lower=lower_scale_param, **FREE_PARAM)  # type: ignore[arg-type]
def scale_param(p: dict[str, Any], ins: list[Shape]) -> Shape:
    """A learnable tensor of ``shape`` (initially ones) multiplying the input by broadcasting:
    ``x * param``. Its state-dict key is the layer's name (ConvNeXt's ``layer_scale``, a
    ``C×1×1`` tensor started at 1e-6 with ``@init("constant", 1e-6)``)."""
    check_param_shape("scale_param", tuple(p["shape"]), ins[0])
    return ins[0]


@primitive("add_param", lower=lower_add_param, **FREE_PARAM)  # type: ignore[arg-type]
def add_param(p: dict[str, Any], ins: list[Shape]) -> Shape:
    """A learnable tensor of ``shape`` (initially zeros) added to the input by broadcasting:
    ``x + param`` (a position embedding). Its state-dict key is the layer's name."""
    check_param_shape("add_param", tuple(p["shape"]), ins[0])
    return ins[0]
