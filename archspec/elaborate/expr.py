"""Evaluating expressions: numbers, names, calls, groups, chains and tensor arithmetic."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from archspec.elaborate import values as V
from archspec.elaborate.arith import checked, is_num, scalar_binop
from archspec.elaborate.builtins import BUILTINS
from archspec.elaborate.confusables import confusable_hint
from archspec.elaborate.context import Ctx, Frame
from archspec.errors import (
    ArgumentError,
    EvalError,
    Note,
    SpecError,
    SpecLimitError,
    SpecNameError,
    SpecTypeError,
    did_you_mean,
)
from archspec.frontend import ast as A
from archspec.limits import LIMITS
from archspec.names import check_module_label
from archspec.ops.registry import PRIMITIVES, load_all

if TYPE_CHECKING:
    from archspec.ops.init import InitRule

# name -> what it takes: @init(rule, ...) (ops/init.py); the others take no arguments
ANNOTATIONS = {"init": "rule", "checkpoint": None, "frozen": None, "item": None}


def evaluate(ctx: Ctx, frame: Frame, e: A.Expr) -> Any:
    handler = HANDLERS.get(type(e))
    if handler is None:
        raise SpecTypeError(f"{type(e).__name__} is not allowed here", e.span)
    return handler(ctx, frame, e)


def _literal(ctx: Ctx, frame: Frame, e: Any) -> Any:
    return e.value


def _none(ctx: Ctx, frame: Frame, e: A.NoneLit) -> None:
    return None


def _name(ctx: Ctx, frame: Frame, e: A.Name) -> Any:
    return lookup(ctx, frame, e.id, e)


def lookup(ctx: Ctx, frame: Frame, name: str, e: A.Node) -> Any:
    """Local names, then the file's lets/blocks/imports, then builtins, then primitives."""
    if name in frame.env:
        frame.used.add(name)
        return frame.env[name]
    ns = frame.ns
    if name in ns.lets:
        return let_value(ctx, frame, name, e)
    found = ns.lookup_block(name)
    if found:
        return V.BlockLayer(found[0], [], {}, found[1], span=e.span)  # type: ignore[arg-type]
    if name in ns.aliases:
        return ns.aliases[name]
    if name in BUILTINS:
        return V.Builtin(name, BUILTINS[name])
    if name in load_all():
        return V.PrimLayer(PRIMITIVES[name], [], {}, span=e.span)
    raise unknown_name(frame, name, e)


PYTHON_CONSTANTS = {"True": "true", "False": "false", "None": "none"}


def unknown_name(frame: Frame, name: str, e: A.Node) -> SpecNameError:
    pool = [*frame.env, *frame.ns.visible_names(), *BUILTINS, *PRIMITIVES]
    hint = confusable_hint(name, pool) or did_you_mean(name, pool)
    if name.lower() in ("nan", "inf", "infinity"):
        hint = "numbers in a spec are finite: there is no NaN or infinity"
    if name in PYTHON_CONSTANTS:
        hint = f"the spec language writes {name} as '{PYTHON_CONSTANTS[name]}'"
    if hint is None:
        from archspec.elaborate.stdindex import std_module_defining
        module = std_module_defining(name)
        if module:
            hint = f"'{name}' is defined in the standard library: add `import std.{module}`"
    kind = "name" if not isinstance(e, A.Name) else "name"
    return SpecNameError(f"unknown {kind} '{name}'", e.span, hint=hint)


IN_PROGRESS = object()


def let_value(ctx: Ctx, frame: Frame, name: str, e: A.Node) -> Any:
    """File-level ``let`` constants are evaluated once, in an empty frame of their file."""
    ns = frame.ns
    value = ns.let_values.get(name, None)
    if value is IN_PROGRESS:
        raise SpecNameError(f"'{name}' is defined in terms of itself", e.span,
                            notes=[Note("defined here", ns.lets[name].span)])
    if name not in ns.let_values:
        ns.let_values[name] = IN_PROGRESS
        try:
            ns.let_values[name] = evaluate(ctx, Frame("", ns), ns.lets[name].value)
        except BaseException:
            ns.let_values[name] = V.POISON
            raise
    return ns.let_values[name]


def _in(ctx: Ctx, frame: Frame, e: A.InRef) -> Any:
    if frame.in_value is None:
        raise SpecNameError("'in' is only defined inside a block", e.span,
                         hint="a network's inputs are declared with `input NAME: [C, H, W]`")
    return frame.in_value


def is_empty_layer(value: Any) -> bool:
    """``none``, or a group of nothing but ``none``s: where a layer is expected, no layer."""
    return value is None or (isinstance(value, list) and all(v is None for v in value))


def _group(ctx: Ctx, frame: Frame, e: A.Group) -> Any:
    items = group_items(ctx, frame, e.items)
    if any(v is V.POISON for v in items):
        return V.POISON
    if any(isinstance(v, V.Layer) for v in items):
        items = [v for v in items if not is_empty_layer(v)]  # optional layers take no index
    if all(isinstance(v, V.Layer) for v in items) and items:
        return V.GroupLayer(items, span=e.span)
    if not any(isinstance(v, V.Layer) for v in items):
        return check_list(ctx, items, e.span)
    if any(isinstance(v, V.Layer) for v in items):
        bad = next(i for i, v in zip(e.items, items) if not isinstance(v, V.Layer))
        raise SpecTypeError(f"a group of layers cannot also hold {V.describe(items[0])}",
                            bad.span)
    return items


def group_items(ctx: Ctx, frame: Frame, exprs: list[A.Expr]) -> list[Any]:
    out: list[Any] = []
    for item in exprs:
        if isinstance(item, A.GroupFor):
            for value in iterate(ctx, frame, item.iter):
                ctx.tick(item.span)
                frame.env[item.var] = value
                out += group_items(ctx, frame, item.items)
            frame.env.pop(item.var, None)
        else:
            out.append(evaluate(ctx, frame, item))
    return out


def iterate(ctx: Ctx, frame: Frame, e: A.Expr) -> list[Any]:
    seq = evaluate(ctx, frame, e)
    if not isinstance(seq, list):
        raise SpecTypeError(f"can only loop over a list or range(), not {V.describe(seq)}",
                            e.span)
    if len(seq) > LIMITS.max_repeat:
        raise SpecLimitError(f"loop of {len(seq):,} iterations exceeds {LIMITS.max_repeat:,}",
                             e.span)
    return seq


def _labeled(ctx: Ctx, frame: Frame, e: A.Labeled) -> Any:
    label = render_label(ctx, frame, e.label)
    value = evaluate(ctx, frame, e.value)
    if value is V.POISON:
        return value
    if not isinstance(value, V.Layer):
        raise SpecTypeError(f"a label names a layer, but '{label}' labels {V.describe(value)}",
                            e.value.span, hint="labels go before calls: `conv1: conv(64, 3)`")
    return V.LabeledLayer(label, value, span=e.span, label_span=e.label.span)


def render_label(ctx: Ctx, frame: Frame, label: A.Label) -> str:
    parts = []
    for part in label.parts:
        value = part if isinstance(part, str) else evaluate(ctx, frame, part)
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise SpecTypeError(f"a label part must be a name or an integer, not "
                                f"{V.describe(value)}", label.span)
        parts.append(str(value))
    text = "".join(parts)
    check_module_label(text, label.span)  # any name torch accepts for a submodule
    return text


def _annotate(ctx: Ctx, frame: Frame, e: A.Annotate) -> Any:
    value = evaluate(ctx, frame, e.value)
    if e.name not in ANNOTATIONS:
        raise SpecNameError(f"unknown annotation '@{e.name}'", e.span,
                         hint=did_you_mean(e.name, ANNOTATIONS) or
                         f"known: {', '.join('@' + a for a in ANNOTATIONS)}")
    if value is V.POISON:
        return value
    if not isinstance(value, V.Layer):
        raise SpecTypeError(f"@{e.name} applies to a layer, not {V.describe(value)}", e.span)
    args = [evaluate(ctx, frame, a) for a in e.args]
    kwargs = annotation_kwargs(ctx, frame, e)
    if e.name == "init":
        return V.AnnotatedLayer(value, {"init": (init_rule(args, kwargs, e),)}, span=e.span)
    if args or kwargs:
        raise ArgumentError(f"@{e.name} takes no arguments", e.span)
    return V.AnnotatedLayer(value, {e.name: True}, span=e.span)


def annotation_kwargs(ctx: Ctx, frame: Frame, e: A.Annotate) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    for kw in e.kwargs:
        if kw.name in kwargs:
            raise ArgumentError(f"@{e.name}: argument '{kw.name}' given twice", kw.span)
        kwargs[kw.name] = evaluate(ctx, frame, kw.value)
    return kwargs


def init_rule(args: list[Any], kwargs: dict[str, Any], e: A.Annotate) -> InitRule:
    """``@init(rule, args..., param=...)`` bound to the rule's schema (ops/init.py)."""
    from archspec.ops.init import bind_init  # 0.9 ms of start-up that only @init specs need
    if not args:
        raise ArgumentError("@init needs a rule name", e.span,
                            hint="e.g. @init(\"zeros\"), @init(\"constant\", 1e-6, "
                                 "param=\"bias\"), @init(\"trunc_normal\", std=0.02)")
    try:
        return bind_init(args[0], args[1:], kwargs)
    except (ArgumentError, SpecTypeError) as err:
        err.span = e.span
        raise


def _if(ctx: Ctx, frame: Frame, e: A.IfExpr) -> Any:
    cond = evaluate(ctx, frame, e.cond)
    if cond is V.POISON:
        return cond
    if not isinstance(cond, bool):
        raise SpecTypeError(f"a condition must be true or false, not {V.describe(cond)}",
                            e.cond.span)
    if not cond and e.orelse is None:
        return None  # nothing: an empty layer in a chain or group
    return evaluate(ctx, frame, e.then if cond else e.orelse)


def _unary(ctx: Ctx, frame: Frame, e: A.UnaryOp) -> Any:
    v = evaluate(ctx, frame, e.operand)
    if v is V.POISON:
        return v
    if e.op == "not":
        if not isinstance(v, bool):
            raise SpecTypeError(f"'not' needs true or false, not {V.describe(v)}", e.span)
        return not v
    if isinstance(v, V.Tensor) and e.op == "-":
        from archspec.elaborate.tensors import scale
        return scale(ctx, frame, v, -1.0, e.span)
    if not is_num(v):
        raise SpecTypeError(f"cannot apply unary '{e.op}' to {V.describe(v)}", e.span)
    return checked(-v if e.op == "-" else v, e.span)


def _binop(ctx: Ctx, frame: Frame, e: A.BinOp) -> Any:
    if e.op in ("and", "or"):
        return _logic(ctx, frame, e)
    a = evaluate(ctx, frame, e.left)
    b = evaluate(ctx, frame, e.right)
    if a is V.POISON or b is V.POISON:
        return V.POISON
    if isinstance(a, (V.Tensor, V.Layer)) or isinstance(b, (V.Tensor, V.Layer)):
        from archspec.elaborate.tensors import tensor_binop
        return tensor_binop(ctx, frame, e, a, b)
    if isinstance(a, list) or isinstance(b, list):
        ctx.tick(e.span, list_size(a) + list_size(b))  # `==`, `+`, `*` walk their lists
    log = ctx.graph.meta.size_log
    if log is None:
        result = scalar_binop(e.op, a, b, e.span)
    else:  # sizes read by the spec are followed (elaborate/sizes.py)
        from archspec.elaborate.sizes import spec_binop
        result = spec_binop(log, e.op, a, b, e.span)
    return check_list(ctx, result, e.span) if isinstance(result, list) else result


def list_size(value: Any) -> int:
    """Elements of a list value with nested lists counted in full, 0 for other values;
    counting stops past the limit. ``s = [s, s]`` in a loop shares structure, doubling the
    size (and the cost of comparing it) each time: that is what this measures."""
    if not isinstance(value, list):
        return 0
    total, stack = 0, [value]
    while stack and total <= LIMITS.max_list:
        items = stack.pop()
        total += len(items)
        stack.extend(i for i in items if isinstance(i, list))
    return total


def check_list(ctx: Ctx, value: list, span: Any) -> list:
    """Bound a new list value and count building it as elaboration work."""
    total = list_size(value)
    if total > LIMITS.max_list:
        raise SpecLimitError(f"a list of more than {LIMITS.max_list:,} elements (nested lists "
                             "counted in full)", span)
    ctx.tick(span, total)
    return value


def _logic(ctx: Ctx, frame: Frame, e: A.BinOp) -> Any:
    a = evaluate(ctx, frame, e.left)
    if a is V.POISON:
        return a
    if not isinstance(a, bool):
        raise SpecTypeError(f"'{e.op}' needs true or false, not {V.describe(a)}", e.left.span)
    if (e.op == "and" and not a) or (e.op == "or" and a):
        return a
    b = evaluate(ctx, frame, e.right)
    if b is not V.POISON and not isinstance(b, bool):
        raise SpecTypeError(f"'{e.op}' needs true or false, not {V.describe(b)}", e.right.span)
    return b


def _attr(ctx: Ctx, frame: Frame, e: A.Attr) -> Any:
    from archspec.elaborate.loader import Namespace
    from archspec.elaborate.tensors import tensor_attr
    value = evaluate(ctx, frame, e.value)
    if value is V.POISON:
        return value
    if isinstance(value, Namespace):
        found = value.lookup_block(e.name)
        if not found:
            raise SpecNameError(f"the imported module has no block '{e.name}'", e.span,
                             hint=did_you_mean(e.name, value.blocks))
        return V.BlockLayer(found[0], [], {}, found[1], span=e.span)  # type: ignore[arg-type]
    if isinstance(value, V.Tensor):
        return tensor_attr(ctx, value, e)
    raise SpecTypeError(f"{V.describe(value)} has no attribute '{e.name}'", e.span)


def _index(ctx: Ctx, frame: Frame, e: A.Index) -> Any:
    from archspec.elaborate.tensors import index_tensor
    value = evaluate(ctx, frame, e.value)
    parts = [None if p is None else evaluate(ctx, frame, p) for p in (e.start, e.stop, e.step)]
    if value is V.POISON or V.POISON in parts:
        return V.POISON
    if isinstance(value, V.Tensor):
        return index_tensor(ctx, frame, value, parts, e)
    if not isinstance(value, list):
        raise SpecTypeError(f"cannot index {V.describe(value)}", e.span)
    if any(p is not None and (isinstance(p, bool) or not isinstance(p, int)) for p in parts):
        raise SpecTypeError("list indices must be integers", e.span)
    if e.is_slice:
        if parts[2] == 0:
            raise EvalError("slice step cannot be zero", e.span)
        return check_list(ctx, value[slice(*parts)], e.span)
    if not -len(value) <= parts[0] < len(value):  # type: ignore[operator]
        raise EvalError(f"index {parts[0]} is out of range for a list of {len(value)}", e.span)
    return value[parts[0]]  # type: ignore[index]


def _chain(ctx: Ctx, frame: Frame, e: A.Chain) -> Any:
    apply = ctx.interp.apply
    value = evaluate(ctx, frame, e.head)
    for element in e.elements:
        layer = evaluate(ctx, frame, element)
        if value is V.POISON or layer is V.POISON:
            value = V.POISON
            continue
        if is_empty_layer(layer):
            continue  # `none`, or an `if` without `else` that is false: no step
        if not isinstance(layer, V.Layer):
            raise SpecTypeError(f"'->' applies a layer, but this is {V.describe(layer)}",
                                element.span, hint="write the layer as a call: conv(64, 3)")
        if isinstance(value, V.Layer):
            value = V.GroupLayer([value, layer], span=e.span, numbered=False)
        elif isinstance(value, V.Tensor):
            value = apply(ctx, frame, layer, value)
        else:
            raise SpecTypeError(f"'->' starts from a tensor, not {V.describe(value)}",
                                e.head.span)
    return value


def _call(ctx: Ctx, frame: Frame, e: A.Call) -> Any:
    return ctx.interp.call(ctx, frame, e)


HANDLERS: dict[type, Any] = {
    A.Num: _literal, A.Str: _literal, A.Bool: _literal, A.NoneLit: _none, A.Name: _name,
    A.InRef: _in,
    A.Group: _group, A.Labeled: _labeled, A.Annotate: _annotate, A.IfExpr: _if,
    A.UnaryOp: _unary, A.BinOp: _binop, A.Attr: _attr, A.Index: _index, A.Chain: _chain,
    A.Call: _call,
}

__all__ = ["evaluate", "lookup", "SpecError"]
