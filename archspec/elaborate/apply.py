"""Applying a layer to a tensor: the names modules get, groups, repeats and block instances."""

from __future__ import annotations

from typing import Any

from archspec.elaborate import values as V
from archspec.elaborate.calls import apply_primitive
from archspec.elaborate.context import Ctx, Frame
from archspec.elaborate.nodes import enclosing_block
from archspec.errors import GraphError, SpecLimitError, SpecNameError, SpecTypeError
from archspec.ir.graph import BlockInfo, OpNode, input_shapes, node, nodes
from archspec.limits import LIMITS
from archspec.ops.registry import get
from archspec.source import Span


def apply(ctx: Ctx, frame: Frame, layer: V.Layer, x: V.Tensor, name: str | None = None,
          prefix: str | None = None, attrs: dict[str, Any] | None = None) -> Any:
    """Apply ``layer`` to ``x``. ``name`` is the full module path (None: automatic);
    ``prefix`` is the path labels are relative to (default: the current block)."""
    prefix = frame.path if prefix is None else prefix
    attrs = attrs or {}
    if isinstance(layer, V.PrimLayer):
        out = apply_primitive(ctx, frame, layer, [x], name, attrs)
        if attrs.get("init") is not None and isinstance(out, V.Tensor):
            check_inits(ctx, node(ctx.graph, out.ref.node), attrs["init"], layer.span)
        return out
    if isinstance(layer, V.LabeledLayer):
        full = f"{prefix}.{layer.label}" if prefix else layer.label
        return apply(ctx, frame, layer.layer, x, full, prefix, attrs)
    if isinstance(layer, V.AnnotatedLayer):
        inner = merge_attrs(layer.attrs, attrs)
        if inner.pop("item", False):
            return apply_item(ctx, frame, layer.layer, x, name, prefix, inner)
        return apply(ctx, frame, layer.layer, x, name, prefix, inner)
    if isinstance(layer, V.RepeatLayer):
        group = V.GroupLayer([layer], span=layer.span)
        return apply(ctx, frame, group, x, name, prefix, attrs)
    if "init" in attrs:
        raise SpecTypeError("@init applies to a primitive layer, not a block", layer.span)
    if isinstance(layer, (V.GroupLayer, V.BlockLayer)):
        start = len(ctx.graph)
        out = apply_composite(ctx, frame, layer, x, name, prefix, attrs)
        if attrs.get("frozen"):
            freeze_from(ctx, start)
        return out
    raise SpecTypeError(f"cannot apply {V.describe(layer)}", layer.span)


def apply_composite(ctx: Ctx, frame: Frame, layer: V.Layer, x: V.Tensor, name: str | None,
                    prefix: str, attrs: dict[str, Any]) -> Any:
    if isinstance(layer, V.GroupLayer):
        return apply_group(ctx, frame, layer, x, name, prefix, attrs)
    return ctx.interp.apply_block(ctx, frame, layer, x, name, attrs)


def freeze_from(ctx: Ctx, start: int) -> None:
    """``@frozen`` on a block or group: every node it added (nodes are added in order, so
    those after ``start``) keeps its parameters out of training, in audit and build alike."""
    for index, n in enumerate(nodes(ctx.graph)):
        if index >= start:
            n.attrs["frozen"] = True


def merge_attrs(inner: dict[str, Any], outer: dict[str, Any]) -> dict[str, Any]:
    """Annotations of nested layers: several ``@init`` compose in the order written (the inner
    one is written first); the others are flags."""
    merged = {**outer, **inner}
    if "init" in inner and "init" in outer:
        merged["init"] = (*inner["init"], *outer["init"])
    return merged


def check_inits(ctx: Ctx, n: OpNode, inits: Any, span: Span) -> None:
    """Each ``@init`` rule must apply to the layer's parameters (it runs after the build)."""
    from archspec.ops.init import as_rules, init_problem  # only specs with @init need it
    prim = get(n.op)
    for rule in as_rules(inits):
        problem = init_problem(rule, prim, n.params, input_shapes(ctx.graph, n)) \
            or prim.init_check(rule.rule, n)
        if problem:
            raise SpecTypeError(f"@init({rule.rule!r}) cannot apply to {n.op} '{n.name}': "
                                f"{problem}", span, hint="put @init on a layer with "
                                "parameters, e.g. conv(64, 3) @init('zeros')")


def apply_item(ctx: Ctx, frame: Frame, layer: V.Layer, x: V.Tensor, name: str | None,
               prefix: str, attrs: dict[str, Any]) -> Any:
    """``(a -> b -> c) @item``: one layer at ``name`` (its group position or label). With
    exactly one stateful primitive, unlabelled, that layer takes the name itself (a
    channels-first LayerNorm written as permute -> layer_norm -> permute has the keys of
    torchvision's LayerNorm2d); otherwise the steps are numbered under it, like a group."""
    if not isinstance(layer, V.GroupLayer) or layer.numbered:
        return apply(ctx, frame, layer, x, name, prefix, attrs)  # already one layer
    steps = flatten_group(layer.items)
    stateful = [i for i, s in enumerate(steps) if is_stateful_step(s)]
    composite = any(not isinstance(unannotated(s), V.PrimLayer) for s in steps)
    if name is None or len(stateful) != 1 or composite:
        return apply(ctx, frame, V.GroupLayer(steps, span=layer.span), x, name, prefix, attrs)
    flags = {k: v for k, v in attrs.items() if k != "init"}
    for index, step in enumerate(steps):
        if x is V.POISON:
            return x
        mine = index == stateful[0]
        x = apply(ctx, frame, step, x, name if mine else None, prefix, attrs if mine else flags)
    return x


def unannotated(layer: V.Layer) -> V.Layer:
    while isinstance(layer, V.AnnotatedLayer):
        layer = layer.layer
    return layer


def is_stateful_step(layer: V.Layer) -> bool:
    inner = unannotated(layer)
    return isinstance(inner, V.PrimLayer) and inner.prim.stateful


def flatten_group(items: list[V.Layer]) -> list[V.Layer]:
    """Repeats inside a group take one position per copy (``[b(64), b(64) * 2]`` -> 0, 1, 2)."""
    out: list[V.Layer] = []
    for item in items:
        if isinstance(item, V.RepeatLayer):
            out += [item.layer] * item.count
        elif isinstance(item, V.GroupLayer) and not item.numbered:
            out += flatten_group(item.items)
        else:
            out.append(item)
    return out


def apply_group(ctx: Ctx, frame: Frame, group: V.GroupLayer, x: Any, name: str | None,
                prefix: str, attrs: dict[str, Any]) -> Any:
    items = flatten_group(group.items)
    info = register_block(ctx, name, "group", group.span, attrs) if name is not None else None
    for index, item in enumerate(items):
        if x is V.POISON:
            return x
        if name is None:
            x = apply(ctx, frame, item, x, None, prefix)
        elif isinstance(item, V.LabeledLayer):
            x = apply(ctx, frame, item, x, None, name)
        else:
            x = apply(ctx, frame, item, x, f"{name}.{index}", name)
    if info is not None and isinstance(x, V.Tensor):
        info.output = x.ref
    return x


def register_block(ctx: Ctx, path: str, kind: str, span: Any, attrs: dict[str, Any],
                   args: dict[str, Any] | None = None, doc: str | None = None) -> BlockInfo:
    blocks = ctx.graph.meta.blocks
    if path in blocks or path in ctx.graph:
        raise SpecNameError(f"duplicate module name '{path}'", span,
                         hint="give each layer a distinct label")
    if "init" in attrs:
        raise SpecTypeError("@init applies to a primitive layer, not a block", span)
    info = BlockInfo(path, kind, enclosing_block(ctx, path), span, dict(args or {}),
                     {k: v for k, v in attrs.items()}, doc)
    blocks[path] = info
    return info


def check_call_depth(frame: Frame, layer: V.BlockLayer) -> None:
    name = layer.block.name
    if name in frame.blocks:
        cycle = " -> ".join((*frame.blocks[frame.blocks.index(name):], name))
        raise GraphError(f"block '{name}' calls itself ({cycle})", layer.span,
                         hint="a block cannot contain itself; use a repeat or a loop")
    if len(frame.blocks) >= LIMITS.max_call_depth:
        raise SpecLimitError(f"blocks nested deeper than {LIMITS.max_call_depth}", layer.span)
