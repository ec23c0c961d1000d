"""Calls: builtins compute now; primitives and blocks become layers (or apply at once when
every tensor operand is given, as in ``concat(a, b)``)."""

from __future__ import annotations

from typing import Any

from archspec.elaborate import values as V
from archspec.elaborate.arith import checked
from archspec.elaborate.context import Ctx, Frame
from archspec.elaborate.expr import evaluate
from archspec.elaborate.nodes import make_node
from archspec.errors import ArgumentError, EvalError, SpecError, SpecTypeError
from archspec.frontend import ast as A
from archspec.ops.binding import bind_params


def call(ctx: Ctx, frame: Frame, e: A.Call) -> Any:
    func = evaluate(ctx, frame, e.func)
    args = [evaluate(ctx, frame, a) for a in e.args]
    kwargs = eval_kwargs(ctx, frame, e.kwargs)
    if func is V.POISON or V.POISON in args or V.POISON in kwargs.values():
        return V.POISON
    if isinstance(func, V.Builtin):
        from archspec.elaborate.expr import list_size
        ctx.tick(e.span, 1 + sum(map(list_size, [*args, *kwargs.values()])))
        return call_builtin(func, args, kwargs, e)
    if isinstance(func, V.PrimLayer) and not (func.args or func.kwargs or func.tensors):
        return call_primitive(ctx, frame, func, args, kwargs, e)
    if isinstance(func, V.BlockLayer) and not (func.args or func.kwargs):
        spans = {k.name: k.span for k in e.kwargs}
        return V.BlockLayer(func.block, args, kwargs, func.namespace, span=e.span,
                            arg_spans=spans)
    raise SpecTypeError(f"{V.describe(func)} cannot be called", e.func.span,
                        hint=shadow_hint(e.func))


def shadow_hint(func: A.Expr) -> str | None:
    """Parameters may reuse a primitive's name (``scale``); say so when that hides a call."""
    from archspec.elaborate.builtins import BUILTINS
    from archspec.ops.registry import PRIMITIVES
    if isinstance(func, A.Name) and (func.id in PRIMITIVES or func.id in BUILTINS):
        return (f"'{func.id}' is a parameter or local name here, which hides the "
                f"{'primitive' if func.id in PRIMITIVES else 'function'} '{func.id}'; rename it")
    return None


def eval_kwargs(ctx: Ctx, frame: Frame, kwargs: list[A.Kwarg]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kw in kwargs:
        if kw.name in out:
            raise ArgumentError(f"argument '{kw.name}' given twice", kw.span)
        out[kw.name] = evaluate(ctx, frame, kw.value)
    return out


def call_builtin(func: V.Builtin, args: list[Any], kwargs: dict[str, Any], e: A.Call) -> Any:
    if any(isinstance(a, (V.Tensor, V.Layer)) for a in [*args, *kwargs.values()]):
        raise SpecTypeError(f"{func.name}() works on numbers and lists, not tensors or layers",
                            e.span)
    try:
        result = func.fn(*args, **kwargs)
    except SpecError as err:
        err.span = e.span
        raise
    except (TypeError, ValueError, OverflowError, ZeroDivisionError, IndexError) as err:
        raise EvalError(f"{func.name}(): {err or 'bad arguments'}", e.span) from None
    return checked(result, e.span) if not isinstance(result, list) else result


def call_primitive(ctx: Ctx, frame: Frame, prim_layer: V.PrimLayer, args: list[Any],
                   kwargs: dict[str, Any], e: A.Call) -> Any:
    prim = prim_layer.prim
    tensors = [t for a in args for t in (a if isinstance(a, list) else [a])
               if isinstance(t, V.Tensor)]
    params = [a for a in args if not is_tensor_arg(a)]
    if len(params) != len(args) - sum(1 for a in args if is_tensor_arg(a)):
        raise SpecTypeError("mixed list of tensors and numbers", e.span)
    tensor_kwargs = {k: v for k, v in kwargs.items() if isinstance(v, V.Tensor)}
    plain = {k: v for k, v in kwargs.items() if k not in tensor_kwargs}
    for key in tensor_kwargs:
        if key not in prim.all_inputs:
            raise ArgumentError(f"{prim.name} has no tensor input '{key}'", kwarg_span(e, key),
                                hint=f"its inputs are: {', '.join(prim.all_inputs)}")
    check_binding(prim, params, plain, e)
    layer = V.PrimLayer(prim, params, plain, tensors, tensor_kwargs, span=e.span)
    if tensors and len(tensors) + len(tensor_kwargs) >= len(prim.inputs):
        return apply_primitive(ctx, frame, layer, [], None, {})
    return layer


def is_tensor_arg(a: Any) -> bool:
    return isinstance(a, V.Tensor) or (isinstance(a, list) and bool(a)
                                        and all(isinstance(t, V.Tensor) for t in a))


def check_binding(prim: Any, args: list[Any], kwargs: dict[str, Any], e: A.Call) -> None:
    """Bind now so argument errors point at the call, not at a later use."""
    try:
        bind_params(prim, args, kwargs)
    except SpecError as err:
        bad = next((k for k in kwargs if f"'{k}'" in err.message), None)
        err.span = kwarg_span(e, bad) if bad else e.span
        raise


def kwarg_span(e: A.Call, name: str) -> Any:
    return next((k.span for k in e.kwargs if k.name == name), e.span)


def apply_primitive(ctx: Ctx, frame: Frame, layer: V.PrimLayer, chained: list[V.Tensor],
                    name: str | None, attrs: dict[str, Any]) -> V.Tensor:
    prim = layer.prim
    named = [layer.tensor_kwargs[n] for n in prim.all_inputs if n in layer.tensor_kwargs]
    inputs = chained + layer.tensors + named
    try:
        params = bind_params(prim, layer.args, layer.kwargs)
    except SpecError as err:  # a bare `conv` applied: its arguments were never bound
        if err.span.line < 1:
            err.span = layer.span
        raise
    return make_node(ctx, frame, prim, params, inputs, name, layer.span, attrs)
