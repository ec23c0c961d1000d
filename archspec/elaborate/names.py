"""Rules for names a spec binds."""

from __future__ import annotations

from typing import Any

from archspec.elaborate.builtins import BUILTINS
from archspec.errors import SpecNameError
from archspec.ops.registry import PRIMITIVES, load_all


def check_shadowing(name: str, span: Any) -> None:
    """A spec may not rebind a primitive or built-in function name: ``let conv = 3`` would
    make every later ``conv(...)`` mean something else."""
    if name in load_all() or name in BUILTINS or name == "in":
        kind = "primitive" if name in PRIMITIVES else "built-in function"
        raise SpecNameError(f"'{name}' shadows the {kind} '{name}'", span,
                            hint=f"choose another name, e.g. '{name}_'")
