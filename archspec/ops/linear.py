"""Dense layers: linear (on the last dim, any rank) and matmul (batched, broadcasting)."""

from __future__ import annotations

from typing import Any

from archspec.errors import ArgumentError, ShapeError
from archspec.ir.graph import OpNode, Shape
from archspec.ops.common import broadcast, fmt_shape, numel
from archspec.ops.contract import Cost, Fn, In, Param, primitive, weight_bias
from archspec.ops.geometry import FLOAT, FLOAT_PORTS, MIX, Ports


def linear_cost(p: dict[str, Any], ins: list[Shape], out: Shape) -> Cost:
    fan_in = ins[0][-1]
    params = p["out"] * fan_in + (p["out"] if p["bias"] else 0)
    return Cost(params=params, macs=numel(out) * fan_in,
                other_flops=numel(out) if p["bias"] else 0)


def lower_linear(node: OpNode, ins: list[Shape]) -> Any:
    from torch import nn

    return nn.Linear(ins[0][-1], node.params["out"], node.params["bias"])


def linear_init_check(init: str, n: OpNode) -> str | None:
    if init == "identity_affine" and (n.shape[-1] != 6 or not n.params["bias"]):
        return "identity_affine needs 6 outputs (a 2×3 matrix) and a bias"
    return None


@primitive("linear", params=(Param("out", "int", doc="output features"),
                             Param("bias", "bool", True)),
           cost=linear_cost, lower=lower_linear, family="linear", stateful=True, geometry=MIX,
           ports=FLOAT_PORTS, init_check=linear_init_check,
           param_shapes=lambda p, ins: weight_bias((p["out"], ins[0][-1]),
                                                   p["out"] if p["bias"] else None))
def linear(p: dict[str, Any], ins: list[Shape]) -> Shape:
    """Fully connected layer on the last dim (torch.nn.Linear); ``F`` -> ``out``,
    ``…×F`` -> ``…×out``."""
    x = ins[0]
    if not x:
        raise ShapeError("linear needs at least one non-batch dim, got a scalar")
    if p["out"] <= 0:
        raise ArgumentError(f"linear: out must be positive, got {p['out']}")
    return (*x[:-1], p["out"])


def matmul_cost(p: dict[str, Any], ins: list[Shape], out: Shape) -> Cost:
    return Cost(macs=numel(out) * ins[0][-1])


def lower_matmul(node: OpNode, ins: list[Shape]) -> Fn:
    import torch

    return Fn(torch.matmul, (In(0), In(1)))


@primitive("matmul", inputs=("a", "b"), cost=matmul_cost, lower=lower_matmul, family="linear",
           geometry=MIX, ports=Ports((FLOAT, FLOAT), (FLOAT,)))
def matmul(p: dict[str, Any], ins: list[Shape]) -> Shape:
    """``a @ b`` (torch.matmul) on ``…×M×K`` and ``…×K×N`` -> ``…×M×N``; the leading dims
    broadcast (equal ranks)."""
    a, b = ins
    if len(a) < 2 or len(b) < 2:
        raise ShapeError(f"matmul needs operands of rank >= 2 (without batch), got "
                         f"{fmt_shape(a)} @ {fmt_shape(b)}",
                         hint="reshape vectors into 1×K or K×1 matrices first")
    if a[-1] != b[-2]:
        raise ShapeError(f"matmul: inner dims differ: {fmt_shape(a)} @ {fmt_shape(b)} "
                         f"({a[-1]} != {b[-2]})", hint="transpose one operand")
    if len(a) != len(b):
        raise ShapeError(f"matmul: operands have different ranks: {fmt_shape(a)} @ "
                         f"{fmt_shape(b)}", hint="the batch dim leads both, so ranks must match")
    try:
        lead = broadcast("matmul", [a[:-2], b[:-2]])
    except ShapeError:
        raise ShapeError(f"matmul: leading dims do not broadcast: {fmt_shape(a)} @ "
                         f"{fmt_shape(b)}", hint="each leading dim must be equal or 1") from None
    return (*lead, a[-2], b[-1])


