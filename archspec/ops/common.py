"""Shared helpers for shape rules: torch's output-size formulas and argument checks."""

from __future__ import annotations

import math
from typing import Any

from archspec.errors import ArgumentError, ShapeError
from archspec.ir.graph import Shape
from archspec.ops.geometry import Geometry, Window, window_out


def pair(value: Any) -> tuple[int, int]:
    """``3`` -> ``(3, 3)``; ``(1, 7)`` stays."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ArgumentError(f"expected 1 or 2 integers, got {len(value)}")
        return as_int(value[0]), as_int(value[1])
    return as_int(value), as_int(value)


def as_int(value: Any) -> int:
    """``int(value)``, keeping an int subclass (a size read by spec code: elaborate/sizes.py)."""
    if type(value) is int:   # the common case first: every pair of every node comes here
        return value
    return value if isinstance(value, int) and not isinstance(value, bool) else int(value)


def expect_rank(op: str, shape: Shape, rank: int, what: str = "C×H×W") -> None:
    if len(shape) != rank:
        raise ShapeError(f"{op} expects a {what} input, got {fmt_shape(shape)}")


def fmt_shape(shape: Shape) -> str:
    return "×".join(str(d) for d in shape) if shape else "scalar"


def conv_out(size: int, kernel: int, stride: int, pad_lo: int, pad_hi: int, dilation: int = 1,
             ceil_mode: bool = False) -> int:
    """torch's Conv/Pool output size along one axis (ceil_mode as in MaxPool2d)."""
    return window_out(Window(kernel, stride, pad_lo, pad_hi, dilation, ceil_mode), size)


def windows(kernel: tuple[int, int], stride: tuple[int, int],
            padding: tuple[tuple[int, int], tuple[int, int]],
            dilation: tuple[int, int] = (1, 1), ceil_mode: bool = False) -> Geometry:
    """The (H, W) sliding-window geometry of a conv or pool."""
    return (Window(kernel[0], stride[0], *padding[0], dilation[0], ceil_mode),
            Window(kernel[1], stride[1], *padding[1], dilation[1], ceil_mode))


def same_padding(kernel: int, dilation: int) -> tuple[int, int]:
    total = dilation * (kernel - 1)
    return total // 2, total - total // 2


def spatial_out(op: str, shape: Shape, kernel: tuple[int, int], stride: tuple[int, int],
                padding: tuple[tuple[int, int], tuple[int, int]],
                dilation: tuple[int, int] = (1, 1), ceil_mode: bool = False) -> tuple[int, int]:
    """Output H, W for a sliding window; ShapeError if the window does not fit."""
    return window_sizes(op, shape, windows(kernel, stride, padding, dilation, ceil_mode))


def window_sizes(op: str, shape: Shape, geometry: Geometry) -> tuple[int, int]:
    """Output H, W of a window geometry over a C×H×W ``shape``; ShapeError if it does not fit."""
    out = []
    for axis, (size, w) in enumerate(zip(shape[-2:], geometry)):
        assert isinstance(w, Window)
        if size + w.pad_lo + w.pad_hi < w.extent:
            k = [g.kernel for g in geometry if isinstance(g, Window)]
            raise ShapeError(
                f"{op} kernel {k[0]}×{k[1]} (effective {w.extent}) is larger than the padded "
                f"input {size + w.pad_lo + w.pad_hi} along {'HW'[axis]}",
                hint="reduce the kernel, add padding, or downsample less before this layer")
        out.append(window_out(w, size))
    if min(out) <= 0:
        raise ShapeError(f"{op} output would be empty ({out[0]}×{out[1]})")
    return out[0], out[1]


def resolve_padding(padding: Any, kernel: tuple[int, int], dilation: tuple[int, int],
                    stride: tuple[int, int]) -> tuple[tuple[int, int], tuple[int, int]]:
    """Per-axis (low, high) padding from an int, a pair, 'valid' or 'same'."""
    if padding == "valid":
        return (0, 0), (0, 0)
    if padding == "same":
        if stride != (1, 1):
            raise ArgumentError("padding='same' needs stride 1 (as in torch)")
        return same_padding(kernel[0], dilation[0]), same_padding(kernel[1], dilation[1])
    ph, pw = pair(padding)
    if ph < 0 or pw < 0:
        raise ArgumentError(f"padding must be non-negative, got {padding}")
    return (ph, ph), (pw, pw)


def check_positive(**values: Any) -> None:
    for name, value in values.items():
        for v in value if isinstance(value, tuple) else (value,):
            if v <= 0:
                raise ArgumentError(f"{name} must be positive, got {v}")


def numel(shape: Shape) -> int:
    return math.prod(shape)


# -- additions for the other primitive families (dims, broadcasting, pooling checks) --------------

def fmt_shapes(shapes: list[Shape]) -> str:
    """``[64×56×56, 128×28×28]``: operand shapes for merge error messages."""
    return "[" + ", ".join(fmt_shape(s) for s in shapes) + "]"


def norm_dim(op: str, dim: int, rank: int, what: str = "dim") -> int:
    """A non-batch ``dim`` (negative counts from the end) as an index in ``0..rank-1``."""
    if not -rank <= dim < rank:
        raise ArgumentError(f"{op}: {what}={dim} is out of range for a rank-{rank} input",
                            hint=f"non-batch dims run from 0 to {rank - 1} (or -{rank} to -1); "
                                 "0 is the channel dim")
    return dim % rank


def norm_dims(op: str, dims: Any, rank: int) -> tuple[int, ...]:
    """Several non-batch dims, normalised and checked for repeats."""
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    out = tuple(norm_dim(op, d, rank) for d in dims)
    if len(set(out)) != len(out):
        raise ArgumentError(f"{op}: dims {dims} repeat a dimension")
    return out


def broadcast(op: str, shapes: list[Shape]) -> Shape:
    """torch broadcasting restricted to equal ranks (the batch dim leads every tensor, so a
    rank mismatch would broadcast against the batch)."""
    if len({len(s) for s in shapes}) != 1:
        raise ShapeError(f"{op}: operands have different ranks: {fmt_shapes(shapes)}",
                         hint="reshape the smaller operand so the ranks match (e.g. C×1×1)")
    out = []
    for sizes in zip(*shapes):
        big = {s for s in sizes if s != 1}
        if len(big) > 1:
            raise ShapeError(f"{op}: shapes do not match: {fmt_shapes(shapes)}",
                             hint="each dim must be equal, or 1 in all operands but one")
        out.append(big.pop() if big else 1)
    return tuple(out)


def check_pool_padding(op: str, kernel: tuple[int, int], padding: tuple[int, int]) -> None:
    """torch pools require 0 <= padding <= kernel // 2 (dilation does not relax it)."""
    for k, p in zip(kernel, padding):
        if p < 0 or p > k // 2:
            raise ArgumentError(f"{op}: padding {p} must be between 0 and half the kernel "
                                f"({k // 2} for kernel {k})",
                                hint="torch pools allow at most kernel // 2 padding")
