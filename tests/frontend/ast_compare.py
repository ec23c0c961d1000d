"""Structural AST comparison that ignores spans (AST nodes compare by identity)."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from typing import Any

from archspec.frontend import ast as A
from archspec.frontend.fmt import _rank

IGNORED = {"span", "name_span", "order"}


def canonical(m: A.Module) -> Any:
    """The module as plain data, top-level items in fmt's order (fmt sorts them)."""
    return [plain(item) for item in sorted(m.order, key=_rank)]


def plain(value: Any) -> Any:
    if isinstance(value, list):
        return [plain(v) for v in value]
    if is_dataclass(value) and not isinstance(value, type):
        data = {f.name: plain(getattr(value, f.name)) for f in fields(value)
                if f.name not in IGNORED}
        return (type(value).__name__, data)
    if isinstance(value, float):
        return ("float", value.hex())  # -0.0 and 0.0 differ; so do 1 and 1.0
    return value
