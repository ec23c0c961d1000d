"""Printing size expressions (Unicode, plain Python-style, sympy-style) and parsing the
plain form. Parsing walks Python's `ast` and accepts only + - * // and ints: it never
evaluates code."""

from __future__ import annotations

import ast
from collections.abc import Callable

from archspec.symbolic.expr import Floor, SizeExpr, Symbol, as_expr


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
        body = atom.name if isinstance(atom, Symbol) else floor(atom.num, atom.den)
        magnitude = abs(c)
        if wrap and isinstance(atom, Floor) and (magnitude != 1 or (c < 0 and index == 0)):
            body = f"({body})"
        parts.append((c, body if magnitude == 1 else f"{magnitude}{times}{body}"))
    if expr.const or not parts:
        parts.append((expr.const, str(abs(expr.const))))
    first_sign, first = parts[0]
    text = f"-{first}" if first_sign < 0 else first
    for sign, body in parts[1:]:
        text += f" - {body}" if sign < 0 else f" + {body}"
    return text


def parse_plain(text: str) -> SizeExpr:
    """Parse ``(H - 1)//32 + 1`` style text into a canonical SizeExpr."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as err:
        raise ValueError(f"not a size expression: {text!r}") from err
    try:
        return as_expr(_convert(tree.body, text))
    except TypeError as err:
        raise ValueError(f"not an affine size expression: {text!r} ({err})") from err


def _convert(node: ast.AST, text: str) -> SizeExpr | int:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.Name):
        return SizeExpr.symbol(node.id)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _convert(node.operand, text)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _convert(node.left, text), _convert(node.right, text)
        return _BINARY[type(node.op)](left, right)
    raise ValueError(f"unsupported syntax in size expression {text!r}: {ast.dump(node)[:60]}")


def _floordiv(left: SizeExpr | int, right: SizeExpr | int) -> SizeExpr:
    return as_expr(left) // int(right)


_BINARY = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.FloorDiv: _floordiv,
}
