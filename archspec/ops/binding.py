"""Binding call arguments to a primitive's parameter schema, with type checks."""

from __future__ import annotations

import math
from typing import Any

from archspec.errors import ArgumentError, SpecTypeError, did_you_mean
from archspec.ops.registry import Param, Primitive


def bind_params(prim: Primitive, args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    """Map positional and keyword arguments onto ``prim.params``; fill defaults; check types.

    Raises ArgumentError (unknown/missing/duplicate) or SpecTypeError; ``.hint`` is set.
    """
    if len(args) > len(prim.params):
        most = f"at most {len(prim.params)}" if prim.params else "no"
        raise ArgumentError(f"{prim.name} takes {most} positional arguments, got {len(args)}",
                            hint=signature_hint(prim))
    bound: dict[str, Any] = {p.name: a for p, a in zip(prim.params, args)}
    for key, value in kwargs.items():
        param = prim.param(key)
        if param is None:
            hint = did_you_mean(key, [n for p in prim.params for n in (p.name, *p.aliases)])
            raise ArgumentError(f"{prim.name} has no parameter '{key}'",
                                hint=hint or signature_hint(prim))
        if param.name in bound:
            raise ArgumentError(f"{prim.name}: parameter '{param.name}' given twice")
        bound[param.name] = value
    out = {}
    for param in prim.params:
        if param.name not in bound:
            if param.required:
                raise ArgumentError(f"{prim.name} is missing required argument '{param.name}'",
                                    hint=signature_hint(prim))
            out[param.name] = param.default
        else:
            out[param.name] = coerce(prim.name, param, bound[param.name])
    return out


def signature_hint(prim: Primitive) -> str:
    parts = []
    for p in prim.params:
        alias = f" (or {', '.join(p.aliases)})" if p.aliases else ""
        default = "none" if p.default is None else repr(p.default)
        parts.append(p.name + alias if p.required else f"{p.name}={default}{alias}")
    return f"{prim.name}({', '.join(parts)})"


def coerce(op: str, param: Param, value: Any) -> Any:
    """Check ``value`` against ``param.type`` and normalise it (lists become tuples)."""
    kind = param.type
    if value is None and param.default is None:
        return None  # `none` for an optional parameter: the same as leaving it out
    if param.choices and value not in param.choices:
        raise SpecTypeError(f"{op}: {param.name} must be one of "
                            f"{', '.join(repr(c) for c in param.choices)}, got {value!r}")
    ok = {
        "int": lambda v: _is_int(v),
        "float": lambda v: _is_number(v),
        "number": lambda v: _is_number(v),
        "bool": lambda v: isinstance(v, bool),
        "str": lambda v: isinstance(v, str),
        "pair": lambda v: _is_int(v) or _is_ints(v, 2),
        "ints": lambda v: _is_int(v) or _is_ints(v),
        "floats": lambda v: _is_number(v) or (isinstance(v, (list, tuple))
                                              and all(_is_number(x) for x in v)),
        "padding": lambda v: v in ("same", "valid") or _is_int(v) or _is_ints(v, 2),
        "any": lambda v: True,
    }[kind]
    if not ok(value):
        raise SpecTypeError(f"{op}: {param.name} expects {_describe(kind)}, "
                            f"got {describe_value(value)}")
    if kind == "float":
        return float(value)
    if isinstance(value, list):
        return tuple(value)
    return value


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return (_is_int(v) or isinstance(v, float)) and not (isinstance(v, float)
                                                         and not math.isfinite(v))


def _is_ints(v: Any, n: int | None = None) -> bool:
    return (isinstance(v, (list, tuple)) and all(_is_int(x) for x in v)
            and (n is None or len(v) == n))


def _describe(kind: str) -> str:
    return {"int": "an integer", "float": "a number", "number": "a number", "bool": "true/false",
            "str": "a string", "pair": "an integer or a pair of integers",
            "ints": "an integer or a list of integers", "floats": "a list of numbers",
            "padding": "an integer, a pair, 'same' or 'valid'", "any": "a value"}[kind]


def describe_value(v: Any) -> str:
    """'the number 3', 'a list of 2', or the value's own ``describe()`` (for messages)."""
    if v is None:
        return "none"
    if isinstance(v, bool):
        return f"the boolean {str(v).lower()}"
    if isinstance(v, (int, float)):
        return f"the number {v}"
    if isinstance(v, str):
        return f"the string {v!r}"
    if isinstance(v, (list, tuple)):
        return f"a list of {len(v)}"
    return getattr(v, "describe", lambda: type(v).__name__)()
