"""Instantiating a block: binding its parameters and elaborating its body."""

from __future__ import annotations

from typing import Any

from archspec.elaborate import values as V
from archspec.elaborate.apply import check_call_depth, register_block
from archspec.elaborate.context import CALL_STEPS, Ctx, Frame
from archspec.elaborate.expr import evaluate
from archspec.errors import ArgumentError, SpecTypeError, did_you_mean
from archspec.frontend import ast as A

PARAM_TYPES = {"int", "float", "number", "bool", "str", "list", "tensor", "layer", "any"}


def apply_block(ctx: Ctx, frame: Frame, layer: V.BlockLayer, x: V.Tensor, name: str | None,
                attrs: dict[str, Any]) -> Any:
    block = layer.block
    if not isinstance(block, A.BlockDef) or block.is_network:
        raise SpecTypeError(f"'{block.name}' is a network, not a block", layer.span,
                            hint="networks cannot be nested; define the reusable part as a "
                                 "block")
    check_call_depth(frame, layer)
    ctx.tick(layer.span, CALL_STEPS)
    path = name or fresh_path(ctx, frame.child_path(block.name))
    inner = Frame(path, layer.namespace, in_value=x, trace=[*frame.trace, layer.span],
                  blocks=(*frame.blocks, block.name))
    bind_block_params(ctx, inner, layer)
    shown = {k: v for k, v in inner.env.items() if not isinstance(v, (V.Tensor, V.Layer))}
    info = register_block(ctx, path, block.name, layer.span, attrs, shown, block.doc)
    result = ctx.interp.run_block_body(ctx, inner, block)
    if isinstance(result, V.Tensor):
        info.output = result.ref
    return result


def fresh_path(ctx: Ctx, base: str) -> str:
    """``base``, ``base_1``, ``base_2`` ...: the first not taken by a block or node. The search
    resumes where the last one for ``base`` stopped (names are never freed), so n unlabelled
    calls of one block cost linear time, not quadratic."""
    blocks, n = ctx.graph.meta.blocks, ctx.path_counts.get(base, 0)
    while True:
        path = base if n == 0 else f"{base}_{n}"
        if path not in blocks and path not in ctx.graph:
            ctx.path_counts[base] = n + 1
            return path
        n += 1


def bind_block_params(ctx: Ctx, inner: Frame, layer: V.BlockLayer) -> None:
    """Positional then keyword arguments; defaults are evaluated in the block's own frame, so
    they may use earlier parameters and ``in``."""
    block = layer.block
    assert isinstance(block, A.BlockDef)
    params = block.params
    if len(layer.args) > len(params):
        raise ArgumentError(f"block '{block.name}' takes {len(params)} arguments, got "
                            f"{len(layer.args)}", layer.span, hint=signature(block))
    given = dict(zip((p.name for p in params), layer.args))
    for key, value in layer.kwargs.items():
        if key not in (p.name for p in params):
            raise ArgumentError(f"block '{block.name}' has no parameter '{key}'",
                                layer.arg_spans.get(key, layer.span),
                                hint=did_you_mean(key, [p.name for p in params])
                                or signature(block))
        if key in given:
            raise ArgumentError(f"parameter '{key}' given twice", layer.arg_spans.get(key,
                                                                                     layer.span))
        given[key] = value
    for p in params:
        inner.env[p.name] = param_value(ctx, inner, block, p, given, layer)
        inner.spans[p.name] = p.span
        inner.used.add(p.name)


def param_value(ctx: Ctx, inner: Frame, block: A.BlockDef, p: A.ParamDef,
                given: dict[str, Any], layer: V.BlockLayer) -> Any:
    if p.name in given:
        value = given[p.name]
    elif p.default is not None:
        value = evaluate(ctx, inner, p.default)
    else:
        raise ArgumentError(f"block '{block.name}' is missing argument '{p.name}'", layer.span,
                            hint=signature(block))
    check_param_type(block.name, p, value, layer)
    return value


def check_param_type(block: str, p: A.ParamDef, value: Any, layer: V.BlockLayer) -> None:
    if p.type is None or value is V.POISON:
        return
    ok = {
        "int": isinstance(value, int) and not isinstance(value, bool),
        "float": isinstance(value, (int, float)) and not isinstance(value, bool),
        "number": isinstance(value, (int, float)) and not isinstance(value, bool),
        "bool": isinstance(value, bool), "str": isinstance(value, str),
        "list": isinstance(value, list), "tensor": isinstance(value, V.Tensor),
        "layer": isinstance(value, V.Layer), "any": True,
    }.get(p.type)
    if ok is None:
        raise SpecTypeError(f"unknown parameter type '{p.type}'", p.span,
                            hint=did_you_mean(p.type, PARAM_TYPES) or
                            f"types: {', '.join(sorted(PARAM_TYPES))}")
    if not ok:
        raise SpecTypeError(f"block '{block}': parameter '{p.name}' expects {p.type}, got "
                            f"{V.describe(value)}", layer.arg_spans.get(p.name, layer.span))


def signature(block: A.BlockDef) -> str:
    from archspec.frontend.fmt import format_expr  # noqa: PLC0415 (fmt imports the AST only)
    parts = [p.name + (f"={format_expr(p.default)}" if p.default is not None else "")
             for p in block.params]
    return f"{block.name}({', '.join(parts)})"
