"""Tensor arithmetic and attributes: ``a + b``, ``0.17 * y``, ``x * se``, ``x.c``, ``x[0:58]``."""

from __future__ import annotations

from typing import Any

from archspec.elaborate import values as V
from archspec.elaborate.arith import is_num
from archspec.elaborate.context import Ctx, Frame
from archspec.elaborate.nodes import make_node
from archspec.errors import SpecLimitError, SpecNameError, SpecTypeError, did_you_mean
from archspec.frontend import ast as A
from archspec.ir.graph import Ref, node
from archspec.limits import LIMITS
from archspec.ops.binding import bind_params
from archspec.ops.geometry import INDEX
from archspec.ops.registry import get
from archspec.source import Span

SHAPE_ATTRS = ("c", "h", "w", "shape", "rank", "numel", "indices")


def primitive_node(ctx: Ctx, frame: Frame, op: str, inputs: list[V.Tensor], span: Span,
                   **kwargs: Any) -> V.Tensor:
    prim = get(op)
    return make_node(ctx, frame, prim, bind_params(prim, [], kwargs), inputs, None, span)


def scale(ctx: Ctx, frame: Frame, t: V.Tensor, factor: float, span: Span) -> V.Tensor:
    return primitive_node(ctx, frame, "scale", [t], span, factor=float(factor))


def tensor_binop(ctx: Ctx, frame: Frame, e: A.BinOp, a: Any, b: Any) -> Any:
    if e.op == "*" and (isinstance(a, V.Layer) or isinstance(b, V.Layer)):
        return repeat(a, b, e)
    ta, tb = isinstance(a, V.Tensor), isinstance(b, V.Tensor)
    if ta and tb and e.op in ("+", "*"):
        return primitive_node(ctx, frame, "add" if e.op == "+" else "mul", [a, b], e.span)
    if e.op == "*" and (ta and is_num(b) or tb and is_num(a)):
        return scale(ctx, frame, a if ta else b, b if ta else a, e.span)
    if e.op == "/" and ta and is_num(b) and b != 0:
        return scale(ctx, frame, a, 1.0 / b, e.span)
    if e.op in ("+", "-") and (ta and is_num(b) or tb and is_num(a) and e.op == "+"):
        value = b if ta else a
        return primitive_node(ctx, frame, "shift", [a if ta else b], e.span,
                              value=float(value if e.op == "+" else -value))
    raise SpecTypeError(f"cannot apply '{e.op}' to {V.describe(a)} and {V.describe(b)}",
                        e.span, hint="tensors support a + b (add), a * b (multiply), "
                                     "number * a (scale), a / number and a ± number (shift)")


def repeat(a: Any, b: Any, e: A.BinOp) -> V.RepeatLayer:
    layer, count = (a, b) if isinstance(a, V.Layer) else (b, a)
    if isinstance(count, bool) or not isinstance(count, int):
        raise SpecTypeError(f"a layer can be repeated by an integer, not {V.describe(count)}",
                            e.span)
    if count < 1:
        raise SpecTypeError(f"repeat count must be at least 1, got {count}", e.span)
    if count > LIMITS.max_repeat:
        raise SpecLimitError(f"repeat count {count:,} exceeds the limit of "
                             f"{LIMITS.max_repeat:,}", e.span)
    return V.RepeatLayer(layer, count, span=e.span)


def tensor_attr(ctx: Ctx, t: V.Tensor, e: A.Attr) -> Any:
    shape = t.shape
    if e.name in ("h", "w", "shape", "numel"):  # symbolic sizes must know (docs/symbolic.md)
        ctx.graph.meta.size_reads.append((t.ref.node, e.name, e.span))
    if e.name == "indices":
        n = node(ctx.graph, t.ref.node)
        if 1 not in n.port_shapes or get(n.op).ports.output(1) != INDEX:
            raise SpecNameError(f"'{n.name}' has no indices output", e.span,
                             hint="use maxpool(..., return_indices=true)")
        return V.Tensor(Ref(n.name, 1), n.port_shapes[1])
    if e.name in ("c", "h", "w"):
        axis = "chw".index(e.name)
        if axis >= len(shape):
            raise SpecTypeError(f"a {len(shape)}-d tensor has no '.{e.name}'", e.span)
        return shape[axis] if axis == 0 else traced(ctx, t, axis, e)
    if e.name == "shape":
        return [traced(ctx, t, axis, e) for axis in range(len(shape))]
    if e.name == "rank":
        return len(shape)
    if e.name == "numel":
        total = 1
        for d in shape:
            total *= d
        return total
    raise SpecNameError(f"a tensor has no attribute '{e.name}'", e.span,
                     hint=did_you_mean(e.name, SHAPE_ATTRS) or
                     f"tensor attributes: {', '.join(SHAPE_ATTRS)}")


def traced(ctx: Ctx, t: V.Tensor, axis: int, e: A.Attr) -> Any:
    """A size read by spec code, as a SizeValue that symbolic sizes can follow."""
    from archspec.elaborate.sizes import SizeLog, read_size
    if ctx.graph.meta.size_log is None:
        ctx.graph.meta.size_log = SizeLog()
    return read_size(ctx.graph.meta.size_log, t.shape[axis], t.ref.node, t.ref.port, axis,
                     e.name, e.span)


def index_tensor(ctx: Ctx, frame: Frame, t: V.Tensor, parts: list[Any], e: A.Index) -> Any:
    """``x[a:b]`` slices channels; ``x[i]`` selects one channel."""
    if e.is_slice:
        start, stop, step = parts
        return primitive_node(ctx, frame, "slice", [t], e.span, start=start or 0,
                              stop=stop if stop is not None else t.shape[0],
                              step=1 if step is None else step)
    return primitive_node(ctx, frame, "select", [t], e.span, index=parts[0])
