"""Looking primitives up: the rest of the compiler's view of ``archspec/ops``.

Importing this module imports every primitive family (``archspec.ops``), so the table is full.
The contract types are re-exported here because callers outside ``ops/`` only ever read
primitives; the families themselves import :mod:`archspec.ops.contract`, so there is no cycle.
"""

from __future__ import annotations

import archspec.ops  # noqa: F401  (the package imports and so registers each family)
from archspec.errors import ArgumentError, did_you_mean
from archspec.ops.contract import (
    FREE,
    INPUTS,
    PRIMITIVES,
    REQUIRED,
    Cost,
    Fn,
    FreeParam,
    In,
    Param,
    Primitive,
)

__all__ = ["FREE", "INPUTS", "PRIMITIVES", "REQUIRED", "Cost", "Fn", "FreeParam", "In", "Param",
           "Primitive", "get", "load_all"]


def get(name: str) -> Primitive:
    """The primitive ``name``; ArgumentError with a did-you-mean when unknown."""
    if name not in PRIMITIVES:
        raise ArgumentError(f"unknown primitive '{name}'", hint=did_you_mean(name, PRIMITIVES))
    return PRIMITIVES[name]


def load_all() -> dict[str, Primitive]:
    """Every registered primitive, by name."""
    return PRIMITIVES
