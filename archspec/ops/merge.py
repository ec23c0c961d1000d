"""Merges: concat, add, mul (variadic, broadcasting size-1 dims), scale (x * factor) and
shift (x + value)."""

from __future__ import annotations

import operator
from functools import reduce
from typing import Any

from archspec.errors import ArgumentError, ShapeError
from archspec.ir.graph import OpNode, Shape
from archspec.ops.common import broadcast, fmt_shapes, norm_dim, numel
from archspec.ops.contract import INPUTS, Cost, Fn, In, Param, local_channels, primitive
from archspec.ops.geometry import FLOAT_PORTS, KEEP, MIX


def add_all(*xs: Any) -> Any:
    """``x0 + x1 + ...`` for three or more operands (two use ``operator.add`` directly)."""
    return reduce(operator.add, xs)


def mul_all(*xs: Any) -> Any:
    """``x0 * x1 * ...`` for three or more operands."""
    return reduce(operator.mul, xs)


def lower_concat(node: OpNode, ins: list[Shape]) -> Fn:
    import torch

    return Fn(torch.cat, (INPUTS, norm_dim("concat", node.params["dim"], len(ins[0])) + 1))


@primitive("concat", params=(Param("dim", "int", 0),), inputs=("x",), variadic=True,
           lower=lower_concat, family="merge", ports=FLOAT_PORTS,
           geometry=lambda p, x: KEEP if x is not None and norm_dim("concat", p["dim"],
                                                                       len(x)) == 0 else MIX)
def concat(p: dict[str, Any], ins: list[Shape]) -> Shape:
    """Concatenate along non-batch ``dim`` (default 0 = channels; torch.cat); every other dim
    must match."""
    if len({len(s) for s in ins}) != 1:
        raise ShapeError(f"concat: operands have different ranks: {fmt_shapes(ins)}")
    if not ins[0]:
        raise ShapeError("concat needs operands with at least one non-batch dim")
    dim = norm_dim("concat", p["dim"], len(ins[0]))
    rest = {s[:dim] + s[dim + 1:] for s in ins}
    if len(rest) != 1:
        axes = ", ".join("C" if d == 0 else str(d) for d in range(len(ins[0])) if d != dim)
        raise ShapeError(f"concat along dim {dim}: the other dims ({axes}) must match, got "
                         f"{fmt_shapes(ins)}",
                         hint="resize the branches to the same spatial size (stride/padding)")
    return (*ins[0][:dim], sum(s[dim] for s in ins), *ins[0][dim + 1:])


def pointwise_cost(p: dict[str, Any], ins: list[Shape], out: Shape) -> Cost:
    """One op per output element per extra operand."""
    return Cost(other_flops=(len(ins) - 1) * numel(out))


def _variadic(op: str, binary: Any, many: Any, symbol: str) -> None:
    def rule(p: dict[str, Any], ins: list[Shape]) -> Shape:
        return broadcast(op, ins)

    def lower(node: OpNode, ins: list[Shape]) -> Fn:
        if len(ins) == 2:
            return Fn(binary, (In(0), In(1)))
        return Fn(many, tuple(In(i) for i in range(len(ins))))

    rule.__doc__ = (f"Element-wise ``{symbol.join(['x0', 'x1', '...'])}``; shapes must be equal "
                    "except for size-1 dims, which broadcast (e.g. C×H×W and C×1×1).")
    primitive(op, inputs=("a", "b"), variadic=True, cost=pointwise_cost, lower=lower,
              family="merge", geometry=KEEP, ports=FLOAT_PORTS, channels=local_channels)(rule)


_variadic("add", operator.add, add_all, " + ")
_variadic("mul", operator.mul, mul_all, " * ")


def scale_cost(p: dict[str, Any], ins: list[Shape], out: Shape) -> Cost:
    return Cost(other_flops=numel(out))


def lower_scale(node: OpNode, ins: list[Shape]) -> Fn:
    return Fn(operator.mul, (In(0), node.params["factor"]))


@primitive("scale", params=(Param("factor", "number"),), cost=scale_cost, lower=lower_scale,
           family="merge", geometry=KEEP, ports=FLOAT_PORTS, channels=local_channels)
def scale(p: dict[str, Any], ins: list[Shape]) -> Shape:
    """``x * factor`` for a constant number (Inception-ResNet residual scaling)."""
    if isinstance(p["factor"], bool):
        raise ArgumentError("scale: factor must be a number")
    return ins[0]


def lower_shift(node: OpNode, ins: list[Shape]) -> Fn:
    return Fn(operator.add, (In(0), node.params["value"]))


@primitive("shift", params=(Param("value", "number"),), cost=scale_cost, lower=lower_shift,
           family="merge", geometry=KEEP, ports=FLOAT_PORTS, channels=local_channels)
def shift(p: dict[str, Any], ins: list[Shape]) -> Shape:
    """``x + value`` for a constant number (``x - 0.5``, torchvision's ``transform_input``)."""
    if isinstance(p["value"], bool):
        raise ArgumentError("shift: value must be a number")
    return ins[0]
