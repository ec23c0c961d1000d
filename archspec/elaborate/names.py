"""Rules for names a spec binds."""

from __future__ import annotations

from typing import Any

from archspec.elaborate.builtins import BUILTINS
from archspec.elaborate.confusables import mixed_script, skeleton
from archspec.errors import SpecNameError
from archspec.ops.registry import PRIMITIVES, load_all


def check_shadowing(name: str, span: Any) -> None:
    """A spec may not rebind a primitive or built-in function name: ``let conv = 3`` would
    make every later ``conv(...)`` mean something else. Nor may a name mix lookalike
    scripts."""
    if name == "in":
        raise SpecNameError("'in' is a keyword (a block's input)", span,
                            hint="choose another name, e.g. 'in_'")
    if name in load_all() or name in BUILTINS:
        kind = "primitive" if name in PRIMITIVES else "built-in function"
        raise SpecNameError(f"'{name}' shadows the {kind} '{name}'", span,
                            hint=f"choose another name, e.g. '{name}_'")
    check_script(name, span)


def check_script(name: str, span: Any) -> None:
    """``аb`` with a Cyrillic ``а`` is a different name from ``ab``, which no reader sees."""
    message = mixed_script(name)
    if message:
        raise SpecNameError(f"name {message}", span,
                            hint=f"retype it with one alphabet, e.g. '{skeleton(name)}'")
