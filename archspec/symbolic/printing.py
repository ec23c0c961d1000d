"""Printing size expressions: Unicode, plain Python-style, sympy-style. The printers read only
an expression's ``terms`` and ``const`` and each atom's ``name`` (a symbol) or ``num``/``den``
(a floor), so this module does not import ``expr`` (which calls it to print itself)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SizeExpr = Any  # archspec.symbolic.expr.SizeExpr (not imported: expr imports this module)


def to_unicode(expr: SizeExpr) -> str:
    return _render(expr, "·", lambda num, d: f"⌊{_grouped(num, to_unicode)}/{d}⌋")


def to_plain(expr: SizeExpr) -> str:
    # `//` is not atomic in Python: 3*(H//2) and -(H//2) need the parentheses
    return _render(expr, "*", lambda num, d: f"{_grouped(num, to_plain)}//{d}", wrap=True)


def to_sympy(expr: SizeExpr) -> str:
    return _render(expr, "*", lambda num, d: f"floor({_grouped(num, to_sympy)}/{d})")


def _grouped(num: SizeExpr, printer: Callable[[SizeExpr], str]) -> str:
    text = printer(num)
    single = num.const == 0 and len(num.terms) == 1 and num.terms[0][1] == 1
    return text if single else f"({text})"


def _render(
    expr: SizeExpr, times: str, floor: Callable[[SizeExpr, int], str], wrap: bool = False
) -> str:
    parts: list[tuple[int, str]] = []
    for index, (atom, c) in enumerate(expr.terms):
        is_symbol = hasattr(atom, "name")
        body = atom.name if is_symbol else floor(atom.num, atom.den)
        magnitude = abs(c)
        if wrap and not is_symbol and (magnitude != 1 or (c < 0 and index == 0)):
            body = f"({body})"
        parts.append((c, body if magnitude == 1 else f"{magnitude}{times}{body}"))
    if expr.const or not parts:
        parts.append((expr.const, str(abs(expr.const))))
    first_sign, first = parts[0]
    text = f"-{first}" if first_sign < 0 else first
    for sign, body in parts[1:]:
        text += f" - {body}" if sign < 0 else f" + {body}"
    return text
