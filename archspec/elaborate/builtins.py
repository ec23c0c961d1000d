"""Functions a spec may call on numbers and lists (no tensors here)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from archspec.errors import EvalError, SpecLimitError, SpecTypeError
from archspec.limits import LIMITS


def _num(name: str, v: Any) -> Any:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise SpecTypeError(f"{name}() expects numbers")
    return v


def make_divisible(v: Any, divisor: int = 8, min_value: int | None = None,
                   round_limit: float = 0.9) -> int:
    """timm's rounding of channel counts to a multiple of ``divisor`` (never below 90%)."""
    _num("make_divisible", v)
    if divisor <= 0:
        raise EvalError("make_divisible() needs a positive divisor")
    min_value = min_value or divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < round_limit * v:
        new_v += divisor
    return new_v


def round_to(v: Any, multiple: int) -> int:
    """Nearest multiple of ``multiple`` (halves round up)."""
    _num("round_to", v)
    if multiple <= 0:
        raise EvalError("round_to() needs a positive multiple")
    return int(math.floor(v / multiple + 0.5)) * multiple


def ceil_to(v: Any, multiple: int) -> int:
    if multiple <= 0:
        raise EvalError("ceil_to() needs a positive multiple")
    return -(-int(math.ceil(_num("ceil_to", v))) // multiple) * multiple


def spec_range(*args: Any) -> list[int]:
    if not args or len(args) > 3 or not all(isinstance(a, int) and not isinstance(a, bool)
                                              for a in args):
        raise SpecTypeError("range() takes 1 to 3 integers")
    if len(args) == 3 and args[2] == 0:
        raise EvalError("range() step must not be zero")
    r = range(*args)
    if len(r) > LIMITS.max_repeat:
        raise SpecLimitError(f"range() of {len(r):,} items exceeds the limit of "
                        f"{LIMITS.max_repeat:,}")
    return list(r)


def spec_len(v: Any) -> int:
    if not isinstance(v, (list, str)):
        raise SpecTypeError("len() expects a list or a string")
    return len(v)


def spec_sum(v: Any) -> Any:
    if not isinstance(v, list):
        raise SpecTypeError("sum() expects a list of numbers")
    return sum(_num("sum", x) for x in v)


def spec_str(v: Any) -> str:
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, (int, float, str)):
        return str(v)
    raise SpecTypeError("str() expects a number or a string")


def _one(name: str, args: tuple) -> Any:
    if not args:
        raise SpecTypeError(f"{name}() needs a list or at least two numbers")
    return args[0]


def spec_int(v: Any) -> int:
    return int(_num("int", v))


BUILTINS: dict[str, Callable[..., Any]] = {
    "min": lambda *a: min(*a) if len(a) > 1 else min(_one("min", a)),
    "max": lambda *a: max(*a) if len(a) > 1 else max(_one("max", a)),
    "abs": lambda v: abs(_num("abs", v)),
    "int": spec_int,
    "float": lambda v: float(_num("float", v)),
    "round": lambda v: int(round(_num("round", v))),
    "ceil": lambda v: int(math.ceil(_num("ceil", v))),
    "floor": lambda v: int(math.floor(_num("floor", v))),
    "sqrt": lambda v: math.sqrt(_num("sqrt", v)),
    "log2": lambda v: math.log2(_num("log2", v)),
    "len": spec_len,
    "sum": spec_sum,
    "str": spec_str,
    "range": spec_range,
    "make_divisible": make_divisible,
    "round_to": round_to,
    "ceil_to": ceil_to,
}
