"""Scalar arithmetic with the checks a spec language needs: overflow, division by zero, NaN."""

from __future__ import annotations

import math
import operator
from typing import Any

from archspec.errors import EvalError, SpecLimitError, SpecTypeError
from archspec.limits import LIMITS
from archspec.source import Span


def is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def checked(value: Any, span: Span) -> Any:
    """Reject results a spec must never produce: huge integers, NaN, infinities."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and abs(value) > LIMITS.max_int:
        raise EvalError("integer overflow: the result has more than 63 bits", span,
                        hint="check the arithmetic; sizes this large cannot be built")
    if isinstance(value, float) and not math.isfinite(value):
        raise EvalError("the result is not a finite number", span)
    return value


def true_div(a: Any, b: Any) -> Any:
    """``/``: exact integer division stays an integer (``planes * 64 / 64``), else a float."""
    if isinstance(a, int) and isinstance(b, int) and a % b == 0:
        return a // b
    return a / b


def power(a: Any, b: Any) -> Any:
    if isinstance(b, int) and isinstance(a, int) and abs(a) > 1 and b > 64:
        raise OverflowError
    return a ** b


ARITH = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": true_div,
    "//": operator.floordiv, "%": operator.mod, "**": power,
}
COMPARE = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
    ">": operator.gt, ">=": operator.ge,
}


def scalar_binop(op: str, a: Any, b: Any, span: Span) -> Any:
    if op in COMPARE:
        return compare(op, a, b, span)
    if op == "+" and isinstance(a, str) and isinstance(b, str):
        if len(a) + len(b) > LIMITS.max_str:
            raise SpecLimitError(f"a string of more than {LIMITS.max_str:,} characters", span)
        return a + b
    if op in ("+", "*") and isinstance(a, list) and (isinstance(b, list) or is_num(b)):
        return checked_list(op, a, b, span)
    if not (is_num(a) and is_num(b)):
        raise SpecTypeError(f"cannot apply '{op}' to {_d(a)} and {_d(b)}", span)
    if op in ("/", "//", "%") and b == 0:
        raise EvalError("division by zero", span)
    try:
        result = ARITH[op](a, b)
    except OverflowError:
        raise EvalError(f"overflow: the result of '{op}' is too large", span,
                        hint="integers have at most 63 bits, floats stay finite") from None
    except (ZeroDivisionError, ValueError):
        raise EvalError(f"arithmetic error in '{op}'", span,
                        hint="the result is undefined") from None
    if isinstance(result, complex):
        raise EvalError("the result is not a real number", span)
    return checked(result, span)


def checked_list(op: str, a: list, b: Any, span: Span) -> list:
    if op == "*":
        if not isinstance(b, int) or b < 0 or len(a) * b > LIMITS.max_repeat:
            raise EvalError("list repetition needs a small non-negative integer", span)
        return a * b
    return a + b


def compare(op: str, a: Any, b: Any, span: Span) -> bool:
    if op in ("==", "!="):
        return COMPARE[op](a, b)
    if (is_num(a) and is_num(b)) or (isinstance(a, str) and isinstance(b, str)):
        return COMPARE[op](a, b)
    raise SpecTypeError(f"cannot compare {_d(a)} and {_d(b)} with '{op}'", span)


def _d(v: Any) -> str:
    from archspec.elaborate.values import describe
    return describe(v)
