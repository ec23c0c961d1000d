"""Slicing and padding: slice, select, split (several output ports), pad, subsample."""

from __future__ import annotations

import operator
from typing import Any

from archspec.errors import ArgumentError, ShapeError
from archspec.ir.graph import OpNode, Shape
from archspec.ops.common import (
    check_positive,
    expect_rank,
    fmt_shape,
    norm_dim,
    pair,
    window_sizes,
)
from archspec.ops.contract import Fn, In, Param, local_channels, primitive
from archspec.ops.geometry import FLOAT_PORTS, KEEP, MIX, Geometry, Keep, Window

DIM = Param("dim", "int", 0)
FULL = slice(None)


def slice_geometry(p: dict[str, Any], x: Shape) -> tuple[int, int]:
    """The normalised dim and the sliced length, with Python's clamping."""
    if not x:
        raise ShapeError("slice needs at least one non-batch dim, got a scalar")
    dim = norm_dim("slice", p["dim"], len(x))
    if p["step"] <= 0:
        raise ArgumentError(f"slice: step must be positive, got {p['step']}",
                            hint="torch does not support negative steps")
    size = len(range(x[dim])[slice(p["start"], p["stop"], p["step"])])
    if size == 0:
        raise ShapeError(f"slice {p['start']}:{p['stop']}:{p['step']} of dim {dim} (size "
                         f"{x[dim]}) is empty", hint=f"indices run from 0 to {x[dim] - 1}")
    return dim, size


def lower_slice(node: OpNode, ins: list[Shape]) -> Fn:
    p = node.params
    dim, _ = slice_geometry(p, ins[0])
    index = (FULL,) * (dim + 1) + (slice(p["start"], p["stop"], p["step"]),)
    return Fn(operator.getitem, (In(0), index))


def slice_windows(p: dict[str, Any], x: Shape | None) -> Geometry:
    """Slicing H or W is a 1-wide window with negative padding (a crop)."""
    if x is None or len(x) != 3:
        return MIX
    dim, size = slice_geometry(p, x)
    if dim == 0:
        return KEEP
    kept = range(x[dim])[slice(p["start"], p["stop"], p["step"])]
    crop = Window(1, p["step"], -kept.start, kept.start + (size - 1) * p["step"] + 1 - x[dim])
    return (crop, Keep()) if dim == 1 else (Keep(), crop)


@primitive("slice", params=(Param("start", "int", None), Param("stop", "int", None),
                            Param("step", "int", 1), DIM),
           lower=lower_slice, family="shape", geometry=slice_windows, ports=FLOAT_PORTS,
           channels=local_channels)
def slice_op(p: dict[str, Any], ins: list[Shape]) -> Shape:
    """``x[start:stop:step]`` along non-batch ``dim`` with Python semantics (negative indices,
    clamping); an empty result is an error."""
    dim, size = slice_geometry(p, ins[0])
    return (*ins[0][:dim], size, *ins[0][dim + 1:])


def select_geometry(p: dict[str, Any], x: Shape) -> tuple[int, int]:
    if not x:
        raise ShapeError("select needs at least one non-batch dim, got a scalar")
    dim = norm_dim("select", p["dim"], len(x))
    if not -x[dim] <= p["index"] < x[dim]:
        raise ShapeError(f"select: index {p['index']} is out of range for dim {dim} of size "
                         f"{x[dim]}", hint=f"use an index from 0 to {x[dim] - 1}")
    return dim, p["index"] % x[dim]


def lower_select(node: OpNode, ins: list[Shape]) -> Fn:
    import torch

    dim, index = select_geometry(node.params, ins[0])
    return Fn(torch.select, (In(0), dim + 1, index))


@primitive("select", params=(Param("index", "int"), DIM), lower=lower_select, family="shape",
           geometry=MIX, ports=FLOAT_PORTS)
def select(p: dict[str, Any], ins: list[Shape]) -> Shape:
    """``x[index]`` along non-batch ``dim``, which disappears (torch.select)."""
    dim, _ = select_geometry(p, ins[0])
    return ins[0][:dim] + ins[0][dim + 1:]


def split_sizes(p: dict[str, Any], x: Shape) -> tuple[int, list[int]]:
    if not x:
        raise ShapeError("split needs at least one non-batch dim, got a scalar")
    dim, chunks = norm_dim("split", p["dim"], len(x)), p["chunks"]
    if isinstance(chunks, int):
        if chunks <= 0 or x[dim] % chunks:
            raise ShapeError(f"split: dim {dim} of size {x[dim]} does not split into {chunks} "
                             "equal chunks", hint="give the chunk sizes as a list instead")
        return dim, [x[dim] // chunks] * chunks
    sizes = list(chunks)
    if not sizes or min(sizes) <= 0 or sum(sizes) != x[dim]:
        raise ShapeError(f"split: sizes {sizes} must be positive and add up to {x[dim]}, "
                         f"the size of dim {dim}")
    return dim, sizes


def lower_split(node: OpNode, ins: list[Shape]) -> Fn:
    import torch

    dim, sizes = split_sizes(node.params, ins[0])
    if len(set(sizes)) == 1:  # torch.chunk and split_with_sizes are builtins (torch.split is not)
        return Fn(torch.chunk, (In(0), len(sizes), dim + 1))
    return Fn(torch.split_with_sizes, (In(0), sizes, dim + 1))


def split_geometry(p: dict[str, Any], x: Shape | None) -> Geometry:
    return KEEP if x is not None and split_sizes(p, x)[0] == 0 else MIX


@primitive("split", params=(Param("chunks", "ints"), DIM), lower=lower_split, family="shape",
           geometry=split_geometry, ports=FLOAT_PORTS)
def split(p: dict[str, Any], ins: list[Shape]) -> tuple[Shape, dict[int, Shape]]:
    """Split along ``dim`` into ``chunks`` equal parts, or parts of the listed sizes
    (torch.split); part i is output port i."""
    dim, sizes = split_sizes(p, ins[0])
    shapes = [(*ins[0][:dim], s, *ins[0][dim + 1:]) for s in sizes]
    return shapes[0], dict(enumerate(shapes[1:], start=1))


def pad_amounts(p: dict[str, Any]) -> tuple[int, ...]:
    """torch's F.pad tuple: (left, right, top, bottom[, channels before, after])."""
    spatial, channels = p["spatial"], p["channels"]
    sp = (spatial,) * 4 if isinstance(spatial, int) else tuple(spatial)
    ch = (channels,) * 2 if isinstance(channels, int) else tuple(channels)
    if len(sp) != 4 or len(ch) != 2:
        raise ArgumentError("pad: spatial takes 1 or 4 numbers (left, right, top, bottom), "
                            "channels 1 or 2 (before, after)")
    if min(sp + ch) < 0:
        raise ArgumentError(f"pad: amounts must be non-negative, got spatial={spatial}, "
                            f"channels={channels}", hint="use slice to crop")
    if any(ch) and p["mode"] != "constant":
        raise ArgumentError(f"pad: channel padding needs mode 'constant', not {p['mode']!r}")
    return sp + ch if any(ch) else sp


def lower_pad(node: OpNode, ins: list[Shape]) -> Fn:
    import torch.nn.functional as F

    p = node.params
    kwargs = {"mode": p["mode"]}
    if p["mode"] == "constant":
        kwargs["value"] = p["value"]
    return Fn(F.pad, (In(0), pad_amounts(p)), kwargs)


def pad_windows(p: dict[str, Any], x: Shape | None = None) -> Geometry:
    left, right, top, bottom = pad_amounts(p)[:4]
    return Window(1, 1, top, bottom), Window(1, 1, left, right)


@primitive("pad", params=(Param("spatial", "ints", 0), Param("channels", "ints", 0),
                          Param("value", "float", 0.0),
                          Param("mode", "str", "constant",
                                choices=("constant", "reflect", "replicate", "circular"))),
           lower=lower_pad, family="shape", geometry=pad_windows, ports=FLOAT_PORTS,
           channels=local_channels)
def pad(p: dict[str, Any], ins: list[Shape]) -> Shape:
    """Pad a C×H×W input (F.pad): ``spatial`` = n or (left, right, top, bottom); ``channels``
    = n or (before, after), zero channels as in ResNet-CIFAR option A."""
    x = ins[0]
    expect_rank("pad", x, 3)
    amounts = pad_amounts(p)
    check_wrap(p["mode"], amounts, x)
    ch = amounts[4:] or (0, 0)
    return (x[0] + ch[0] + ch[1], *window_sizes("pad", x, pad_windows(p)))


def check_wrap(mode: str, amounts: tuple[int, ...], x: Shape) -> None:
    """F.pad reads padding from the map itself: reflect needs pad < size, circular pad <= size
    (it wraps around once at most)."""
    if mode not in ("reflect", "circular"):
        return
    for axis, (lo, hi) in (("W", amounts[:2]), ("H", amounts[2:4])):
        size = x[2] if axis == "W" else x[1]
        widest = size - 1 if mode == "reflect" else size
        if max(lo, hi) > widest:
            relation = "smaller than" if mode == "reflect" else "at most"
            raise ShapeError(f"pad: {mode} padding {max(lo, hi)} along {axis} must be "
                             f"{relation} the input size {size} ({fmt_shape(x)})",
                             hint=f"{mode} padding copies values from the map itself; pad "
                                  "less, or use mode 'constant' or 'replicate'")


def subsample_windows(p: dict[str, Any]) -> Geometry:
    """``x[:, :, ::s, ::s]``: a 1-wide window with stride s (ceil(H/s) rows)."""
    sh, sw = pair(p["stride"])
    return Window(1, sh), Window(1, sw)


def lower_subsample(node: OpNode, ins: list[Shape]) -> Fn:
    sh, sw = pair(node.params["stride"])
    index = (FULL, FULL, slice(None, None, sh), slice(None, None, sw))
    return Fn(operator.getitem, (In(0), index))


@primitive("subsample", params=(Param("stride", "pair", aliases=("s",)),),
           lower=lower_subsample, family="shape", ports=FLOAT_PORTS, channels=local_channels,
           geometry=lambda p, x: subsample_windows(p))
def subsample(p: dict[str, Any], ins: list[Shape]) -> Shape:
    """Keep every stride-th row and column: ``x[:, :, ::s, ::s]`` (ceil(H/s)×ceil(W/s))."""
    x = ins[0]
    expect_rank("subsample", x, 3)
    check_positive(stride=pair(p["stride"]))
    return (x[0], *window_sizes("subsample", x, subsample_windows(p)))
