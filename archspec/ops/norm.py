"""Normalisation: bn, lrn, layer_norm, group_norm."""

from __future__ import annotations

from typing import Any

from archspec.errors import ArgumentError, ShapeError
from archspec.ir.graph import OpNode, Shape
from archspec.ops.common import fmt_shape, norm_dims, numel
from archspec.ops.contract import Cost, Fn, In, Param, local_channels, primitive
from archspec.ops.geometry import FLOAT_PORTS, KEEP

EPS = Param("eps", "float", 1e-5)
AFFINE = Param("affine", "bool", True)
BN_FLOPS = 2      # eval: the frozen statistics fold into one scale and one shift per element
STATS_FLOPS = 5   # per-sample statistics: mean 1, variance 2, normalise 2 (+2 when affine)


def _stats_flops(affine: bool) -> int:
    return STATS_FLOPS + (2 if affine else 0)


def affine_params(p: dict[str, Any], shape: Shape) -> dict[str, Shape]:
    """A norm's weight and bias, of the normalised shape, when affine."""
    return {"weight": tuple(shape), "bias": tuple(shape)} if p["affine"] else {}


def channel_affine(p: dict[str, Any], ins: list[Shape]) -> dict[str, Shape]:
    return affine_params(p, (ins[0][0],))


def bn_cost(p: dict[str, Any], ins: list[Shape], out: Shape) -> Cost:
    c = ins[0][0]
    return Cost(params=2 * c if p["affine"] else 0,
                buffers=2 * c + 1 if p["track_running_stats"] else 0,
                other_flops=BN_FLOPS * numel(out))


def lower_bn(node: OpNode, ins: list[Shape]) -> Any:
    from torch import nn

    p = node.params
    cls = nn.BatchNorm2d if len(ins[0]) == 3 else nn.BatchNorm1d
    return cls(ins[0][0], p["eps"], p["momentum"], p["affine"], p["track_running_stats"])


@primitive("bn", params=(EPS, Param("momentum", "float", 0.1), AFFINE,
                         Param("track_running_stats", "bool", True)),
           cost=bn_cost, lower=lower_bn, family="norm", stateful=True, geometry=KEEP,
           ports=FLOAT_PORTS, channels=local_channels, param_shapes=channel_affine)
def bn(p: dict[str, Any], ins: list[Shape]) -> Shape:
    """Batch normalisation over channels: BatchNorm2d for C×H×W, BatchNorm1d for C or C×L."""
    if not 1 <= len(ins[0]) <= 3:
        raise ShapeError(f"bn expects a C, C×L or C×H×W input, got {fmt_shape(ins[0])}")
    if p["eps"] <= 0:
        raise ArgumentError(f"bn: eps must be positive, got {p['eps']}")
    return ins[0]


def lrn_cost(p: dict[str, Any], ins: list[Shape], out: Shape) -> Cost:
    # per element: size squares summed over the window, then scale, power and divide
    return Cost(other_flops=(p["size"] + 3) * numel(out))


def lower_lrn(node: OpNode, ins: list[Shape]) -> Fn:
    import torch.nn.functional as F

    p = node.params
    return Fn(F.local_response_norm, (In(0), p["size"]),
              {"alpha": p["alpha"], "beta": p["beta"], "k": p["k"]})


@primitive("lrn", params=(Param("size", "int"), Param("alpha", "float", 1e-4),
                          Param("beta", "float", 0.75), Param("k", "float", 1.0)),
           cost=lrn_cost, lower=lower_lrn, family="norm", geometry=KEEP, ports=FLOAT_PORTS,
           channels=local_channels)
def lrn(p: dict[str, Any], ins: list[Shape]) -> Shape:
    """Local response normalisation across channels (AlexNet); no parameters."""
    if len(ins[0]) < 2:
        raise ShapeError(f"lrn expects a C×H×W (or C×L) input, got {fmt_shape(ins[0])}")
    if p["size"] <= 0:
        raise ArgumentError(f"lrn: size must be positive, got {p['size']}")
    return ins[0]


def ln_shape(p: dict[str, Any], x: Shape) -> Shape:
    """The normalised (trailing) part of ``x``."""
    if p["dims"] is None:
        return x
    dims = sorted(norm_dims("layer_norm", p["dims"], len(x)))
    if dims != list(range(len(x) - len(dims), len(x))):
        raise ArgumentError(f"layer_norm: dims {p['dims']} must be the trailing dims of "
                            f"{fmt_shape(x)} (torch.nn.LayerNorm normalises the last dims)",
                            hint="permute the dims to normalise to the end first")
    return x[dims[0]:]


def ln_cost(p: dict[str, Any], ins: list[Shape], out: Shape) -> Cost:
    params = 2 * numel(ln_shape(p, ins[0])) if p["affine"] else 0
    return Cost(params=params, other_flops=_stats_flops(p["affine"]) * numel(out))


def lower_ln(node: OpNode, ins: list[Shape]) -> Any:
    from torch import nn

    p = node.params
    return nn.LayerNorm(ln_shape(p, ins[0]), p["eps"], elementwise_affine=p["affine"])


@primitive("layer_norm", params=(Param("dims", "ints", None), EPS, AFFINE),
           cost=ln_cost, lower=lower_ln, family="norm", stateful=True, geometry=KEEP,
           ports=FLOAT_PORTS, channels=local_channels,
           param_shapes=lambda p, ins: affine_params(p, ln_shape(p, ins[0])))
def layer_norm(p: dict[str, Any], ins: list[Shape]) -> Shape:
    """Layer normalisation over ``dims`` (default: all non-batch dims), which must be trailing;
    with affine, weight and bias have the normalised shape (torch.nn.LayerNorm)."""
    ln_shape(p, ins[0])
    return ins[0]


def gn_cost(p: dict[str, Any], ins: list[Shape], out: Shape) -> Cost:
    return Cost(params=2 * ins[0][0] if p["affine"] else 0,
                other_flops=_stats_flops(p["affine"]) * numel(out))


def lower_gn(node: OpNode, ins: list[Shape]) -> Any:
    from torch import nn

    p = node.params
    return nn.GroupNorm(p["groups"], ins[0][0], p["eps"], p["affine"])


@primitive("group_norm", params=(Param("groups", "int", aliases=("g",)), EPS, AFFINE),
           cost=gn_cost, lower=lower_gn, family="norm", stateful=True, geometry=KEEP,
           ports=FLOAT_PORTS, channels=local_channels, param_shapes=channel_affine)
def group_norm(p: dict[str, Any], ins: list[Shape]) -> Shape:
    """Group normalisation (torch.nn.GroupNorm): channels split into ``groups``."""
    x = ins[0]
    if len(x) < 1:
        raise ShapeError("group_norm expects a C×... input, got a scalar")
    if p["groups"] <= 0 or x[0] % p["groups"]:
        raise ShapeError(f"group_norm: {x[0]} channels are not divisible by "
                         f"groups={p['groups']}", hint=f"use a groups value that divides {x[0]}")
    return x
