"""Readability of imported specs: lines of code, and the hand-written zoo spec's lines to
compare them with (shared by tests/importers/test_readability.py and bench/import_table.py).

Both are counted the same way: lines that are not blank and not a comment, with the zoo
spec's standard-library definitions (only those it uses) printed by ``fmt`` as an imported
spec is.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from archspec.frontend import ast as A
from archspec.frontend.fmt import format_module
from archspec.frontend.to_ast import parse_module
from archspec.source import SourceFile

ROOT = Path(__file__).resolve().parents[2]


def code_lines(text: str) -> int:
    return sum(1 for line in text.splitlines()
               if line.strip() and not line.lstrip().startswith("#"))


def definitions(path: Path, found: dict[str, Any]) -> Any:
    """The AST of ``path``; its definitions and those of the std modules it imports go into
    ``found`` (name -> definition)."""
    module = parse_module(SourceFile(str(path), path.read_text()))
    for imp in module.imports:
        if imp.dotted and imp.dotted[0] == "std":
            definitions(ROOT / "archspec" / "std" / f"{imp.dotted[-1]}.arch", found)
    found.update({d.name: d for d in [*module.lets, *module.blocks]})
    return module


def used_names(node: Any) -> set[str]:
    """Every name ``node`` refers to (calls, variables, a variant's target)."""
    names: set[str] = {node.target} if isinstance(node, A.NetworkAlias) else set()
    if isinstance(node, A.Name):
        names.add(node.id)
    if isinstance(node, list):
        for x in node:
            names |= used_names(x)
    elif isinstance(node, A.Node):
        for f in dataclasses.fields(node):
            names |= used_names(getattr(node, f.name))
    return names


def handwritten_lines(builder: str) -> int | None:
    """Lines of code of specs/BUILDER.arch and of the std definitions it uses."""
    path = ROOT / "specs" / f"{builder}.arch"
    if not path.exists():
        return None
    found: dict[str, Any] = {}
    module = definitions(path, found)
    todo, used = [module.blocks[-1].name], []
    while todo:
        name = todo.pop()
        if name in found and found[name] not in used:
            used.append(found[name])
            todo.extend(used_names(found[name]))
    lets = [d for d in used if isinstance(d, A.Let)]
    defs = [d for d in used if not isinstance(d, A.Let)]
    return code_lines(format_module(A.Module([], lets, defs, order=[*lets, *defs])))
