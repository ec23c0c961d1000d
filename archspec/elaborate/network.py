"""Elaborating a network: choose it, bind its parameters, run its body, collect errors."""

from __future__ import annotations

from typing import Any

from archspec.elaborate import values as V
from archspec.elaborate.apply import apply
from archspec.elaborate.blocks import apply_block
from archspec.elaborate.calls import call
from archspec.elaborate.context import Ctx, Frame, Interpreter
from archspec.elaborate.expr import evaluate
from archspec.elaborate.loader import Loader, Namespace
from archspec.elaborate.stmts import run_block_body, run_statements, warn_unused
from archspec.errors import (
    ArgumentError,
    SpecError,
    SpecErrors,
    SpecNameError,
    SpecTypeError,
    did_you_mean,
)
from archspec.frontend import ast as A
from archspec.gc_pause import gc_paused
from archspec.ir.graph import OpGraph, Shape
from archspec.source import Span


def choose_network(ns: Namespace, name: str | None) -> A.BlockDef | A.NetworkAlias:
    """The network ``name``, or the last network defined in the file itself."""
    own = [b for b in ns.module.blocks if b.is_network]
    if name is not None:
        found = ns.lookup_block(name)
        if found is None or not found[0].is_network:
            nets = [b.name for b in own] + [n for n in ns.imported
                                             if ns.lookup_block(n)[0].is_network]  # type: ignore
            raise SpecNameError(f"no network named '{name}'", Span(ns.source, 1, 1),
                             hint=did_you_mean(name, nets) or f"networks: {', '.join(nets)}")
        return found[0]
    if not own:
        raise SpecNameError("the spec defines no network", Span(ns.source, 1, 1),
                         hint="add `network NAME { input x: [3, 224, 224] ... out y }`")
    return own[-1]


INTERPRETER = Interpreter(apply=apply, call=call, apply_block=apply_block,
                          run_block_body=run_block_body)
FIRST_INPUT = "*"  # key of ``input_shapes`` meaning the first input of the chosen network


def elaborate(loader: Loader, ns: Namespace, network: str | None = None,
              params: dict[str, Any] | None = None,
              input_shapes: dict[str, Shape] | None = None) -> OpGraph:
    """AST -> shape-checked graph. ``input_shapes`` replace declared input shapes by input
    name (``FIRST_INPUT``: the first input of the network elaborated, after following variants
    ``network a = b(...)`` to the network they name). Raises SpecErrors (all errors found)
    with ``.graph`` set to the partial graph, for renderers that draw what elaborated."""
    net = choose_network(ns, network)
    params = dict(params or {})
    owner, seen = ns, set()
    while isinstance(net, A.NetworkAlias):
        if id(net) in seen:
            raise SpecNameError(f"network '{net.name}' is defined in terms of itself",
                                net.span, hint="give the variant its own name")
        seen.add(id(net))
        net, owner, params = resolve_alias(loader, owner, net, params)
    ctx = Ctx(loader, net.name if not network else network, {}, INTERPRETER)
    meta = ctx.graph.meta
    meta.name = choose_network(ns, network).name
    ctx.input_overrides = named_inputs(net, input_shapes or {})
    meta.span = net.span
    frame = Frame("", owner)
    try:
        with gc_paused():  # the graph only grows: the collector would walk it again and again
            bind_network_params(ctx, frame, net, params)
            run_statements(ctx, frame, net.body)
            warn_unused(ctx, frame)
        if not meta.outputs and not ctx.errors:
            raise SpecNameError(f"network '{net.name}' has no output", net.name_span,
                             hint="end it with `out VALUE`")
    except SpecError as err:
        ctx.report(err)
    meta.outputs = dict(sorted(meta.outputs.items(), key=lambda kv: kv[1].role != "main"))
    if ctx.errors:
        errors = SpecErrors(ctx.errors)
        errors.graph = ctx.graph  # type: ignore[attr-defined]
        raise errors
    return ctx.graph


def named_inputs(net: A.BlockDef, shapes: dict[str, Shape]) -> dict[str, Shape]:
    """``shapes`` with ``FIRST_INPUT`` replaced by the name of ``net``'s first input."""
    if FIRST_INPUT not in shapes:
        return dict(shapes)
    names = [s.name for s in net.body if isinstance(s, A.Input)]
    if not names:
        raise SpecTypeError(f"network '{net.name}' declares no input to give a shape to",
                            net.name_span, hint="declare one: `input x: [3, 224, 224]`")
    rest = {k: v for k, v in shapes.items() if k != FIRST_INPUT}
    return {names[0]: shapes[FIRST_INPUT], **rest}


def resolve_alias(loader: Loader, ns: Namespace, alias: A.NetworkAlias,
                  params: dict[str, Any]) -> tuple[Any, Namespace, dict[str, Any]]:
    found = ns.lookup_block(alias.target)
    if found is not None and not found[0].is_network:
        raise SpecNameError(f"'{alias.target}' is a block, not a network", alias.span,
                            hint="a variant names a network: `network b = a(width=2)`")
    if found is None:
        pool = [n for n in ns.visible_names()]
        raise SpecNameError(f"unknown network '{alias.target}'", alias.span,
                         hint=did_you_mean(alias.target, pool))
    ctx = Ctx(loader, alias.name, {}, INTERPRETER)
    frame = Frame("", ns)
    if alias.args:
        raise ArgumentError("a network alias takes keyword arguments only", alias.args[0].span)
    target = found[0]
    names = [p.name for p in target.params] if isinstance(target, A.BlockDef) else []
    for k in alias.kwargs:
        if isinstance(target, A.BlockDef) and k.name not in names:
            raise ArgumentError(f"network '{target.name}' has no parameter '{k.name}'", k.span,
                                hint=did_you_mean(k.name, names) or
                                f"parameters: {', '.join(names) or 'none'}")
    merged = {k.name: evaluate(ctx, frame, k.value) for k in alias.kwargs}
    merged.update(params)
    return found[0], found[1], merged


def bind_network_params(ctx: Ctx, frame: Frame, net: A.BlockDef, params: dict[str, Any]) -> None:
    names = [p.name for p in net.params]
    for key in params:
        if key not in names:
            raise ArgumentError(f"network '{net.name}' has no parameter '{key}'", net.name_span,
                                hint=did_you_mean(key, names) or
                                f"parameters: {', '.join(names) or 'none'}")
    resolved = {}
    for p in net.params:
        if p.name in params:
            value = params[p.name]
        elif p.default is not None:
            value = evaluate(ctx, frame, p.default)
        else:
            raise ArgumentError(f"network '{net.name}' needs parameter '{p.name}'",
                                net.name_span, hint=f"pass it with -p {p.name}=VALUE")
        frame.env[p.name] = value
        frame.spans[p.name] = p.span
        frame.used.add(p.name)
        if value is not V.POISON:
            resolved[p.name] = value
    ctx.graph.meta.params = resolved
    ctx.graph.meta.blocks[""].args = dict(resolved)
