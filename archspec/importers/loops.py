"""Loops in recovered specs.

Two shapes of repetition become ``for`` loops:

- **Accumulating concatenation** (DenseNet's dense block): each child reads the concat of the
  block input and every earlier child's output, and the block returns the concat of all. It is
  written with a growing list, which elaborates to exactly the same concat nodes:
  ``feats = [in]; for i in range(n) { new = concat(feats) -> "denselayer{i + 1}": layer();
  feats = feats + [new] }; out concat(feats)``.
- **Index-varying group items**: consecutive unlabelled items of a group that are one call
  whose numbers follow the index (dilations 1, 2, 4, 8; channels 32·(i + 1)) become
  ``[for i in range(n) { call(..., d=2 ** i) }]``.
"""

from __future__ import annotations

import re
from typing import Any

from archspec.frontend import ast as A
from archspec.frontend.fmt import format_expr
from archspec.importers.unify import Mismatch, kwarg, param_index

INDEX = "i"
MIN_ITEMS = 3          # fewer items read better written out
COUNT = "repeats"      # the loop count's kind, for a block parameter named ``num_layers``


def concat_loop(body: list[A.Stmt]) -> list[A.Stmt] | None:
    """``body`` as an accumulating-concat loop, or None when it is not one."""
    *steps, last = body
    if len(steps) < MIN_ITEMS or not isinstance(last, A.Out) or last.name is not None:
        return None
    made: list[str] = []
    calls: set[str] = set()
    labels: list[str] = []
    for step in steps:
        parsed = concat_step(step)
        if parsed is None or parsed[0] != accumulated(made):
            return None
        label, call = parsed[1]
        labels.append(label)
        calls.add(format_expr(call))
        made.append(step.targets[0])  # type: ignore[attr-defined]
    template = label_template(labels)
    if len(calls) != 1 or template is None or concat_inputs(last.value) != accumulated(made):
        return None
    return loop_body(len(steps), template, parsed[1][1])


def accumulated(made: list[str]) -> list[str]:
    return ["in", *made]


def concat_step(stmt: A.Stmt) -> tuple[list[str], tuple[str, A.Expr]] | None:
    """(the concat's inputs, (label, call)) of ``v = concat(...) -> label: call``."""
    if not isinstance(stmt, A.Assign) or len(stmt.targets) != 1 or \
            not isinstance(stmt.value, A.Chain):
        return None
    chain = stmt.value
    elements = list(chain.elements)
    if isinstance(chain.head, A.InRef) and elements[:1] and is_name(elements[0], "concat"):
        inputs, elements = ["in"], elements[1:]       # a concat of the input alone
    else:
        inputs = concat_inputs(chain.head)
    if inputs is None or len(elements) != 1 or not isinstance(elements[0], A.Labeled):
        return None
    label = elements[0].label.plain
    return None if label is None else (inputs, (label, elements[0].value))


def concat_inputs(e: A.Expr) -> list[str] | None:
    if not isinstance(e, A.Call) or not is_name(e.func, "concat") or e.kwargs:
        return None
    names = ["in" if isinstance(a, A.InRef) else a.id if isinstance(a, A.Name) else ""
             for a in e.args]
    return None if "" in names else names


def is_name(e: A.Expr, name: str) -> bool:
    return isinstance(e, A.Name) and e.id == name


def label_template(labels: list[str]) -> A.Label | None:
    """``denselayer1, denselayer2, ...`` -> ``"denselayer{i + 1}"``."""
    matches = [re.fullmatch(r"(.*?)(\d+)", label) for label in labels]
    if any(m is None for m in matches):
        return None
    prefixes = {m.group(1) for m in matches if m}
    numbers = [int(m.group(2)) for m in matches if m]
    if len(prefixes) != 1 or numbers != list(range(numbers[0], numbers[0] + len(numbers))) \
            or any(m.group(2) != str(int(m.group(2))) for m in matches if m):
        return None
    index = index_expr(numbers[0], 1, "arithmetic")
    return A.Label([prefixes.pop(), index])


def loop_body(count: int, label: A.Label, call: A.Expr) -> list[A.Stmt]:
    feats, new = A.Name("feats"), A.Name("new")
    step = A.Chain(A.Call(A.Name("concat"), [feats], []), [A.Labeled(label, call)])
    loop = A.For(INDEX, A.Call(A.Name("range"), [A.Num(count)], []), [
        A.Assign(["new"], step),
        A.Assign(["feats"], A.BinOp("+", feats, A.Group([new])))])
    return [A.Assign(["feats"], A.Group([A.InRef()])), loop,
            A.Out(None, A.Call(A.Name("concat"), [feats], []))]


def index_expr(first: int, step: int, kind: str) -> A.Expr:
    """The value at index ``i`` of an arithmetic (``first + step * i``) or geometric
    (``first * step ** i``) progression, written the way a person would."""
    i = A.Name(INDEX)
    if kind == "geometric":
        power = A.BinOp("**", A.Num(step), i)
        return power if first == 1 else A.BinOp("*", A.Num(first), power)
    if step == 1:
        return i if first == 0 else A.BinOp("+", i, A.Num(first))
    if first == step:
        return A.BinOp("*", A.Num(step), A.BinOp("+", i, A.Num(1)))
    scaled = A.BinOp("*", A.Num(step), i)
    return scaled if first == 0 else A.BinOp("+", A.Num(first), scaled)


def value_at(first: int, step: int, kind: str, k: int) -> int:
    return first * step ** k if kind == "geometric" else first + step * k


def candidates(a: int, b: int) -> list[tuple[int, int, str]]:
    """The progressions starting ``a, b``: arithmetic, and geometric for whole ratios."""
    found = [(a, b - a, "arithmetic")] if b != a else []
    if a > 0 and b % a == 0 and b // a >= 2:
        found.append((a, b // a, "geometric"))
    return found


def index_loops(items: list[A.Expr]) -> list[A.Expr]:
    """Runs of at least MIN_ITEMS unlabelled calls whose numbers follow the index, as
    ``for`` items; everything else unchanged."""
    out: list[A.Expr] = []
    p = 0
    while p < len(items):
        end, first, slots = loop_end(items, p)
        if first is not None:
            out.append(A.GroupFor(INDEX, A.Call(A.Name("range"), [A.Num(end - p)], []),
                                  [looped_call(first, slots)]))
            p = end
        else:
            out.append(items[p])
            p += 1
    return out


def call_slots(e: A.Call) -> tuple[str, list[int]]:
    """(the call with its integers blanked, its integers)."""
    values: list[int] = []
    parts = [format_expr(e.func)]
    for arg in [*e.args, *(k.value for k in e.kwargs)]:
        if isinstance(arg, A.Num) and type(arg.value) is int:
            values.append(arg.value)
            parts.append("#")
        else:
            parts.append(format_expr(arg))
    parts += [k.name for k in e.kwargs]
    return "\x00".join(parts), values


def loop_end(items: list[A.Expr], p: int) -> tuple[int, A.Call | None,
                                                 list[tuple[int, int, str] | None]]:
    """Where a loop starting at ``p`` ends (``p`` when no number varies), the call it
    repeats (keywords left at their default by some items written out) and each integer
    slot's progression (None for a constant)."""
    run = same_calls(items, p)
    keys = [call_slots(c) for c in run]
    while len(keys) > 1 and keys[-1][0] != keys[0][0]:
        run, keys = run[:-1], keys[:-1]
    if len(run) < MIN_ITEMS or any(k[0] != keys[0][0] for k in keys):
        return p, None, []
    reach = [slot_reach(list(column)) for column in zip(*(k[1] for k in keys))]
    length = min((r[0] for r in reach), default=0)
    slots = [r[1] for r in reach]
    if length < MIN_ITEMS or all(s is None for s in slots):
        return p, None, []
    return p + length, run[0], slots


def same_calls(items: list[A.Expr], p: int) -> list[A.Call]:
    """The calls of one function with one argument count from ``p`` on, each with the
    keywords any of them gives (a keyword some leave out takes its default)."""
    run: list[A.Call] = []
    for e in items[p:]:
        if not isinstance(e, A.Call) or (run and (format_expr(e.func) != format_expr(
                run[0].func) or len(e.args) != len(run[0].args))):
            break
        run.append(e)
    op = run[0].func.id if run and isinstance(run[0].func, A.Name) else ""
    names = sorted({k.name for c in run for k in c.kwargs}, key=lambda k: param_index(op, k))
    out: list[A.Call] = []
    for c in run:
        try:
            out.append(A.Call(c.func, c.args, [A.Kwarg(n, kwarg(c, op, n)) for n in names]))
        except Mismatch:
            break
    return out


def slot_reach(values: list[int]) -> tuple[int, tuple[int, int, str] | None]:
    """How many leading values follow one progression, and which (None: constant)."""
    best: tuple[int, tuple[int, int, str] | None] = (prefix(values, lambda k: values[0]), None)
    for found in candidates(*values[:2]):
        n = prefix(values, lambda k, f=found: value_at(*f, k))
        if n > best[0]:
            best = (n, found)
    return best


def prefix(values: list[int], expected: Any) -> int:
    return next((k for k, v in enumerate(values) if v != expected(k)), len(values))


def looped_call(e: A.Call, slots: list[tuple[int, int, str] | None]) -> A.Expr:
    it = iter(slots)

    def slot(arg: A.Expr) -> A.Expr:
        if isinstance(arg, A.Num) and type(arg.value) is int:
            found = next(it)
            return arg if found is None else index_expr(*found)
        return arg
    args = [slot(a) for a in e.args]
    kwargs = [A.Kwarg(k.name, slot(k.value)) for k in e.kwargs]
    return A.Call(e.func, args, kwargs)
