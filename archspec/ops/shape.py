"""Shape ops without arithmetic: flatten, reshape, permute, transpose, channel_shuffle, identity."""

from __future__ import annotations

import math
from typing import Any

from archspec.errors import ArgumentError, ShapeError
from archspec.ir.graph import OpNode, Shape
from archspec.ops.common import fmt_shape, norm_dim, norm_dims, numel
from archspec.ops.contract import Fn, In, Param, local_channels, primitive
from archspec.ops.geometry import FLOAT_PORTS, KEEP, MIX, Geometry


def moves_axes(keeps: Any) -> Any:
    """A geometry rule: pointwise when ``keeps(p, x)`` says every axis stays in place, else
    every position may land anywhere (unknown input: assume it mixes)."""
    def rule(p: dict[str, Any], x: Shape | None) -> Geometry:
        return KEEP if x is not None and keeps(p, x) else MIX
    return rule


def identity(x: Any) -> Any:
    """The identity function; a backend may alias its input instead of calling it."""
    return x


def flatten_dims(p: dict[str, Any], x: Shape) -> tuple[int, int]:
    if not x:
        raise ShapeError("flatten needs at least one non-batch dim, got a scalar")
    start = norm_dim("flatten", p["start"], len(x), "start")
    end = norm_dim("flatten", p["end"], len(x), "end")
    if end < start:
        raise ArgumentError(f"flatten: end ({p['end']}) comes before start ({p['start']})")
    return start, end


def lower_flatten(node: OpNode, ins: list[Shape]) -> Fn:
    import torch

    start, end = flatten_dims(node.params, ins[0])
    return Fn(torch.flatten, (In(0), start + 1, end + 1))


@primitive("flatten", params=(Param("start", "int", 0, aliases=("start_dim",)),
                              Param("end", "int", -1, aliases=("end_dim",))),
           lower=lower_flatten, family="shape", ports=FLOAT_PORTS,
           geometry=moves_axes(lambda p, x: len(set(flatten_dims(p, x))) == 1))
def flatten(p: dict[str, Any], ins: list[Shape]) -> Shape:
    """Merge non-batch dims ``start..end`` (torch.flatten): C×H×W -> (C·H·W,)."""
    x = ins[0]
    start, end = flatten_dims(p, x)
    return (*x[:start], math.prod(x[start:end + 1]), *x[end + 1:])


def reshape_target(p: dict[str, Any], x: Shape) -> Shape:
    shape = (p["shape"],) if isinstance(p["shape"], int) else tuple(p["shape"])
    if shape.count(-1) > 1 or any(s == 0 or s < -1 for s in shape):
        raise ArgumentError(f"reshape: shape {list(shape)} may hold positive sizes and at most "
                            "one -1")
    known = math.prod(s for s in shape if s != -1)
    if -1 in shape:
        if numel(x) % known:
            raise ShapeError(f"reshape: {fmt_shape(x)} ({numel(x)} elements) cannot be viewed "
                             f"as {list(shape)}", hint=f"{numel(x)} is not a multiple of {known}")
        shape = tuple(numel(x) // known if s == -1 else s for s in shape)
    elif known != numel(x):
        raise ShapeError(f"reshape: {fmt_shape(x)} has {numel(x)} elements but "
                         f"{list(shape)} has {known}", hint="the element count must not change")
    return shape


def lower_reshape(node: OpNode, ins: list[Shape]) -> Fn:
    import torch

    return Fn(torch.reshape, (In(0), (-1, *reshape_target(node.params, ins[0]))))


@primitive("reshape", params=(Param("shape", "ints"),), lower=lower_reshape, family="shape",
           ports=FLOAT_PORTS, geometry=moves_axes(lambda p, x: reshape_target(p, x) == tuple(x)))
def reshape(p: dict[str, Any], ins: list[Shape]) -> Shape:
    """View the non-batch dims as ``shape`` (one -1 is inferred; torch.reshape)."""
    return reshape_target(p, ins[0])


def permutation(p: dict[str, Any], x: Shape) -> tuple[int, ...]:
    dims = norm_dims("permute", p["dims"], len(x))
    if sorted(dims) != list(range(len(x))):
        raise ArgumentError(f"permute: dims {list(p['dims'])} is not a permutation of the "
                            f"{len(x)} non-batch dims of {fmt_shape(x)}",
                            hint=f"list each of 0..{len(x) - 1} once")
    return dims


def lower_permute(node: OpNode, ins: list[Shape]) -> Fn:
    import torch

    return Fn(torch.permute, (In(0), (0, *(d + 1 for d in permutation(node.params, ins[0])))))


@primitive("permute", params=(Param("dims", "ints"),), lower=lower_permute, family="shape",
           ports=FLOAT_PORTS,
           geometry=moves_axes(lambda p, x: permutation(p, x) == tuple(range(len(x)))))
def permute(p: dict[str, Any], ins: list[Shape]) -> Shape:
    """Reorder the non-batch dims (torch.permute); the batch dim stays first."""
    return tuple(ins[0][d] for d in permutation(p, ins[0]))


def transpose_dims(p: dict[str, Any], x: Shape) -> tuple[int, int]:
    return (norm_dim("transpose", p["dim0"], len(x), "dim0"),
            norm_dim("transpose", p["dim1"], len(x), "dim1"))


def lower_transpose(node: OpNode, ins: list[Shape]) -> Fn:
    import torch

    d0, d1 = transpose_dims(node.params, ins[0])
    return Fn(torch.transpose, (In(0), d0 + 1, d1 + 1))


@primitive("transpose", params=(Param("dim0", "int", -2), Param("dim1", "int", -1)),
           lower=lower_transpose, family="shape", ports=FLOAT_PORTS,
           geometry=moves_axes(lambda p, x: len(set(transpose_dims(p, x))) == 1))
def transpose(p: dict[str, Any], ins: list[Shape]) -> Shape:
    """Swap two non-batch dims (torch.transpose; default the last two)."""
    d0, d1 = transpose_dims(p, ins[0])
    out = list(ins[0])
    out[d0], out[d1] = out[d1], out[d0]
    return tuple(out)


def lower_shuffle(node: OpNode, ins: list[Shape]) -> Fn:
    import torch

    return Fn(torch.channel_shuffle, (In(0), node.params["groups"]))


@primitive("channel_shuffle", params=(Param("groups", "int", aliases=("g",)),),
           lower=lower_shuffle, family="shape", geometry=KEEP, ports=FLOAT_PORTS)
def channel_shuffle(p: dict[str, Any], ins: list[Shape]) -> Shape:
    """ShuffleNet channel shuffle (torch.channel_shuffle): view C as g×(C/g), transpose."""
    x, g = ins[0], p["groups"]
    if len(x) < 2:
        raise ShapeError(f"channel_shuffle expects a C×H×W (or C×L) input, got {fmt_shape(x)}")
    if g <= 0 or x[0] % g:
        raise ShapeError(f"channel_shuffle: {x[0]} channels are not divisible by groups={g}",
                         hint=f"use a groups value that divides {x[0]}")
    return x


def lower_identity(node: OpNode, ins: list[Shape]) -> Fn:
    return Fn(identity, (In(0),))


@primitive("identity", lower=lower_identity, family="shape", geometry=KEEP, ports=FLOAT_PORTS,
           channels=local_channels)
def identity_op(p: dict[str, Any], ins: list[Shape]) -> Shape:
    """The input unchanged (torch.nn.Identity)."""
    return ins[0]
