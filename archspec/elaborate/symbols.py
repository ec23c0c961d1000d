"""Size symbols written in a spec: ``input x: [3, H, W] where H >= 32, W >= 32``.

A name in an input shape that nothing in scope binds (no parameter, ``let``, block, builtin
or primitive) is a size symbol. Given a concrete size (``--input 3x224x224``,
``load(input_shape=...)``) the input takes it and the bounds are checked there; without
one, elaboration stops with ``SymbolicInput``, which ``archspec.load`` catches to load the
spec symbolically (archspec/symbolic/load.py). docs/symbolic.md, "Sizes in the spec".
"""

from __future__ import annotations

import difflib
from typing import Any

from archspec.elaborate.builtins import BUILTINS
from archspec.elaborate.context import Ctx, Frame
from archspec.elaborate.expr import evaluate
from archspec.errors import SpecNameError, SpecTypeError
from archspec.frontend import ast as A
from archspec.ops.registry import load_all

COMPARISONS = (">=", ">", "<=", "<", "==")
BOUND_HINT = "a bound compares sizes: `H >= 32`, `H <= 1024`, `H % 32 == 0`, `H == W`"


class SymbolicInput(Exception):
    """A network's first input has size symbols and no concrete size was given."""

    def __init__(self, name: str, dims: list[int | str], bounds: list[Any], span: Any):
        super().__init__(f"input '{name}' has size symbols {dims}")
        self.name, self.dims, self.bounds, self.span = name, dims, bounds, span


def is_bound(frame: Frame, name: str) -> bool:
    ns = frame.ns
    return (name in frame.env or name in ns.lets or ns.lookup_block(name) is not None
            or name in ns.aliases or name in BUILTINS or name in load_all())


def symbolic_dims(ctx: Ctx, frame: Frame, stmt: A.Input) -> list[Any] | None:
    """The declared shape with each size symbol as its name, or None without symbols."""
    if not isinstance(stmt.shape, A.Group):
        return None
    items = stmt.shape.items
    free = {i.id for i in items if isinstance(i, A.Name) and not is_bound(frame, i.id)}
    if not free:
        return None
    for item in items:
        if isinstance(item, A.Name) and item.id in free:
            check_not_typo(frame, item)
    return [item.id if isinstance(item, A.Name) and item.id in free
            else evaluate(ctx, frame, item) for item in items]


def check_not_typo(frame: Frame, name: A.Name) -> None:
    """A symbol spelled like a parameter or constant in scope is taken for a typo (a located
    error, not a silent symbol): the same name in another case, one edit away (a letter
    changed, added, dropped or two swapped) for names of 3+ letters, or difflib ≥ 0.8."""
    pool = sorted({*frame.env, *frame.ns.lets})
    close = [p for p in pool if p.lower() == name.id.lower()
             or (min(len(p), len(name.id)) >= 3 and one_edit(p, name.id))]
    close = close or difflib.get_close_matches(name.id, pool, n=1, cutoff=0.8)
    if close:
        raise SpecNameError(
            f"unknown name '{name.id}'", name.span,
            hint=f"did you mean '{close[0]}'? (an unbound name in an input shape is a size "
                 f"symbol, but this one looks like a typo: give a symbol another name)")


def one_edit(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by one substitution, insertion, deletion or swap of
    neighbours."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    i = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    if len(a) == len(b):
        return a[i + 1:] == b[i + 1:] or (a[i:i + 2] == b[i:i + 2][::-1]
                                          and a[i + 2:] == b[i + 2:])
    return a[i + 1:] == b[i:] if len(a) > len(b) else a[i:] == b[i + 1:]


def declared_shape(ctx: Ctx, frame: Frame, stmt: A.Input, dims: list[Any]) -> list[int]:
    """The concrete shape a symbolic input takes: the given size, its bounds checked; with
    no given size, raise SymbolicInput (the first input only)."""
    if ctx.graph.meta.inputs:
        raise SpecTypeError("only a network's first input may have size symbols", stmt.span,
                            hint="give this input concrete sizes")
    for d in dims:
        if not isinstance(d, str) and (not isinstance(d, int) or isinstance(d, bool) or d < 1):
            raise SpecTypeError("an input shape is a list of positive integers and size "
                                "symbols, e.g. [3, H, W]", stmt.shape.span)
    bounds = bound_constraints(ctx, frame, stmt, {d for d in dims if isinstance(d, str)})
    given = ctx.input_overrides.get(stmt.name)
    if given is None:
        raise SymbolicInput(stmt.name, dims, bounds, stmt.span)
    check_given(list(given), dims, bounds, stmt)
    return [given[i] if isinstance(d, str) and i < len(given) else d
            for i, d in enumerate(dims)]


def check_given(given: list[int], dims: list[Any], bounds: list[Any], stmt: A.Input) -> None:
    """A concrete size for a symbolic input: each symbol one value, within the bounds."""
    if len(given) != len(dims):
        return  # check_override reports the rank
    env: dict[str, int] = {}
    for d, size in zip(dims, given):
        if isinstance(d, str) and env.setdefault(d, size) != size:
            raise SpecTypeError(f"the input shape {'x'.join(map(str, given))} gives {d} two "
                                f"sizes ({env[d]} and {size})", stmt.shape.span,
                                hint=f"input '{stmt.name}' is {dims}: equal names, equal sizes")
    for c in bounds:
        if not c.holds_at(env):
            at = ", ".join(f"{k} = {v}" for k, v in sorted(env.items()) if k in c.symbols)
            raise SpecTypeError(f"the input size {at} is outside the bound {c.origin.node}",
                                c.origin.span, hint=f"input '{stmt.name}' takes sizes where "
                                + ", ".join(b.origin.node for b in bounds) + " hold")


def bound_constraints(ctx: Ctx, frame: Frame, stmt: A.Input, symbols: set[str]) -> list[Any]:
    return [bound_constraint(ctx, frame, b, symbols) for b in stmt.bounds]


def bound_constraint(ctx: Ctx, frame: Frame, b: A.Expr, symbols: set[str]) -> Any:
    """``H >= 32`` as a Constraint whose origin names the bound and its span."""
    from archspec.frontend.fmt import format_oneline
    from archspec.symbolic.constraints import Constraint, Origin
    if not (isinstance(b, A.BinOp) and b.op in COMPARISONS):
        raise SpecTypeError("a size bound is a comparison", b.span, hint=BOUND_HINT)
    left, right = (size_term(ctx, frame, side, symbols) for side in (b.left, b.right))
    if isinstance(left, int) and isinstance(right, int):
        raise SpecTypeError("this bound mentions no size symbol of the input", b.span,
                            hint=BOUND_HINT)
    origin = Origin(format_oneline(b), b.span)
    if b.op == "==":
        return Constraint.equal(left, right, origin)
    if b.op in (">=", ">"):
        return Constraint.at_least(left, right + int(b.op == ">"), origin)
    return Constraint.at_most(left, right - int(b.op == "<"), origin)


def size_term(ctx: Ctx, frame: Frame, e: A.Expr, symbols: set[str]) -> Any:
    """An int or a SizeExpr: symbols, integers and names of integers, + - * // %."""
    from archspec.symbolic.expr import sym
    if isinstance(e, A.Name) and e.id in symbols:
        return sym(e.id)
    if isinstance(e, A.UnaryOp) and e.op == "-":
        return -size_term(ctx, frame, e.operand, symbols)
    if isinstance(e, A.BinOp) and e.op in ("+", "-", "*", "//", "%"):
        left, right = (size_term(ctx, frame, s, symbols) for s in (e.left, e.right))
        return arith(e, left, right)
    value = evaluate(ctx, frame, e)
    if isinstance(value, bool) or not isinstance(value, int):
        raise SpecTypeError("a size bound is made of size symbols and integers", e.span,
                            hint=BOUND_HINT)
    return value


def arith(e: A.BinOp, left: Any, right: Any) -> Any:
    if e.op in ("//", "%") and not (isinstance(right, int) and right > 0):
        raise SpecTypeError(f"'{e.op}' in a size bound takes a positive integer divisor",
                            e.span, hint=BOUND_HINT)
    try:
        return {"+": lambda: left + right, "-": lambda: left - right,
                "*": lambda: left * right, "//": lambda: left // right,
                "%": lambda: left % right}[e.op]()
    except TypeError:
        raise SpecTypeError("a size bound is affine: sizes times integers, not sizes times "
                            "sizes", e.span, hint=BOUND_HINT) from None
