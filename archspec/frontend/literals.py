"""Constant literals from the command line (``-p num_classes=10``, ``-p cfg=[64, "M"]``)."""

from __future__ import annotations

from typing import Any

from archspec.errors import SpecError, SpecTypeError
from archspec.frontend import ast as A
from archspec.source import SourceFile


def parse_literal(text: str, where: str) -> Any:
    """A number, string, boolean or list thereof; a bare word is taken as a string."""
    from archspec.frontend.to_ast import parse_expr
    source = SourceFile(f"<{where}>", text)
    try:
        return constant(parse_expr(source))
    except SpecError:
        if text.replace("_", "").replace("-", "").isalnum():
            return text
        raise


def constant(e: A.Expr) -> Any:
    if isinstance(e, (A.Num, A.Str, A.Bool)):
        return e.value
    if isinstance(e, A.NoneLit):
        return None
    if isinstance(e, A.UnaryOp) and e.op == "-" and isinstance(e.operand, A.Num):
        return -e.operand.value
    if isinstance(e, A.Group):
        return [constant(i) for i in e.items]
    if isinstance(e, A.Name):
        return e.id
    raise SpecTypeError("a parameter value must be a constant (number, string, true/false, "
                        "none or a list)", e.span)
