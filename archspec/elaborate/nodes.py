"""Creating primitive nodes: naming, shape inference and located errors."""

from __future__ import annotations

from typing import Any

from archspec.elaborate import values as V
from archspec.elaborate.context import Ctx, Frame
from archspec.errors import (
    ArgumentError,
    Note,
    ShapeError,
    SpecError,
    SpecLimitError,
    SpecNameError,
    SpecTypeError,
)
from archspec.ir.graph import Ref, node
from archspec.ops.common import fmt_shape
from archspec.ops.registry import Primitive
from archspec.source import Span


def make_node(ctx: Ctx, frame: Frame, prim: Primitive, params: dict[str, Any],
              inputs: list[V.Tensor], name: str | None, span: Span,
              attrs: dict[str, Any] | None = None) -> V.Tensor:
    """Add ``prim`` applied to ``inputs``; name it ``name`` or a fresh automatic name."""
    ctx.check_node_budget(span)
    if name is None:
        name = ctx.builder.fresh(frame.child_path(prim.name))
    elif name in ctx.graph:
        raise duplicate(ctx, name, span)
    refs = [t.ref for t in inputs]
    try:
        ref = ctx.builder.add(prim.name, params, refs, name=name,
                              block=enclosing_block(ctx, name), span=span,
                              attrs=attrs, trace=list(frame.trace))
    except (ShapeError, ArgumentError, SpecTypeError) as err:
        err.span = span
        if len(inputs) > 1:
            err.notes = operand_notes(ctx, inputs) + err.notes
        if isinstance(err, ShapeError) and ctx.input_overrides:
            err.notes += override_notes(ctx, name, prim.name, inputs)
        ctx.failed.append((name, [r.node for r in refs]))
        raise
    made = node(ctx.graph, ref.node)
    check_dims(prim.name, [made.shape, *made.port_shapes.values()], span)
    return V.Tensor(ref, made.shape)


def override_notes(ctx: Ctx, name: str, op: str, inputs: list[V.Tensor]) -> list[Note]:
    """With an input shape given from outside, say which layer the map became too small at."""
    got = ", ".join(fmt_shape(t.shape) for t in inputs)
    return [Note(f"at layer '{name}' ({op}, input {got}) with input '{k}' of shape "
                 f"{fmt_shape(v)} given in place of the declared one", node(ctx.graph, k).span)
            for k, v in ctx.input_overrides.items() if k in ctx.graph]


def check_dims(op: str, shapes: list[Any], span: Span) -> None:
    """Every tensor dimension stays below the limit (``upsample(scale=10**12)``), so sizes,
    parameter counts and MACs stay meaningful numbers."""
    from archspec.limits import LIMITS
    for shape in shapes:
        if max(shape, default=0) > LIMITS.max_dim:
            raise SpecLimitError(f"{op} output {fmt_shape(shape)} has a dimension over "
                                 f"{LIMITS.max_dim:,}", span,
                                 hint="check the arithmetic of the sizes")


def enclosing_block(ctx: Ctx, path: str) -> str:
    """The innermost registered block whose path is a proper prefix of ``path``."""
    blocks = ctx.graph.meta.blocks
    while "." in path:
        path = path.rsplit(".", 1)[0]
        if path in blocks:
            return path
    return ""


def duplicate(ctx: Ctx, name: str, span: Span) -> SpecError:
    first = node(ctx.graph, name) if name in ctx.graph else None
    parent, _, last = name.rpartition(".")
    if first is not None and last.isdigit() and parent:
        note = f"the {first.op} here took position {last} of group '{parent}'"
        return SpecNameError(f"duplicate module name '{name}'", span,
                             notes=[Note(note, first.span)] if first.span.line else [],
                             hint="a labelled group numbers its items 0, 1, 2, ... like "
                                  "nn.Sequential, labelled or not: label this item with a "
                                  "name, or number it after the last position")
    notes = [Note("first defined here", first.span)] if first and first.span.line else []
    return SpecNameError(f"duplicate module name '{name}'", span, notes=notes,
                      hint="give each layer a distinct label")


def operand_notes(ctx: Ctx, inputs: list[V.Tensor]) -> list[Note]:
    """For a failed merge: each operand's shape and where that shape came from."""
    notes = []
    for i, t in enumerate(inputs, 1):
        src = node(ctx.graph, t.ref.node)
        msg = f"operand {i} is {fmt_shape(t.shape)}, from '{src.name}' ({describe_op(src)})"
        notes.append(Note(msg, src.span))
        cause = shape_cause(ctx, t.ref)
        if cause is not None and cause.name != src.name:
            notes.append(Note(f"operand {i} got size {fmt_shape(cause.shape)} at '{cause.name}' "
                              f"({describe_op(cause)})", cause.span))
    return notes


def shape_cause(ctx: Ctx, ref: Ref) -> Any:
    """Walk back along first inputs to the node that last changed the spatial size."""
    current = node(ctx.graph, ref.node)
    for _ in range(10_000):
        if not current.inputs:
            return None
        prev = node(ctx.graph, current.inputs[0].node)
        if prev.shape[1:] != current.shape[1:]:
            return current
        current = prev
    return None


KEY_PARAMS = ("out", "kernel", "stride", "padding", "dilation", "groups", "scale")


def describe_op(n: Any) -> str:
    shown = [f"{k}={fmt_param(n.params[k])}" for k in KEY_PARAMS
             if k in n.params and n.params[k] not in (None, 1, 0, False) or
             (k in ("out", "kernel") and k in n.params)]
    return f"{n.op} {', '.join(shown)}".strip() + f" at line {n.span.line}"


def fmt_param(v: Any) -> str:
    return "×".join(map(str, v)) if isinstance(v, (tuple, list)) else str(v)
