"""The module import graph: no cycles, and nothing below the CLI imports upward. Every import
counts (module level, inside functions, under TYPE_CHECKING): each is a dependency."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "archspec"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imported(path: Path) -> set[str]:
    """The archspec modules ``path`` imports (``from a.b import c`` is a.b.c when c is a
    module, else a.b)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name in MODULES}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for a in node.names:
                sub = f"{node.module}.{a.name}"
                out.add(sub if sub in MODULES else node.module)
    return {m for m in out if m in MODULES}


GRAPH = {name: imported(path) - {name} for name, path in MODULES.items()}


def cycles() -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(GRAPH[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(GRAPH):
        if v not in index:
            visit(v)
    return found


def test_the_graph_is_read() -> None:
    assert "archspec.ir.graph" in GRAPH["archspec.ir.builder"]
    assert "archspec.passes.pipeline" in GRAPH["archspec.passes.report"]


def test_no_import_cycles() -> None:
    assert cycles() == []


def test_primitive_families_import_the_contract_not_the_registry() -> None:
    assert "archspec.ops" in GRAPH["archspec.ops.registry"]
    assert "archspec.ops.contract" in GRAPH["archspec.ops.conv"]
    assert "archspec.ops.registry" not in GRAPH["archspec.ops.conv"]


def test_a_cycle_would_be_found() -> None:
    assert "archspec.source" in GRAPH["archspec.errors"]
    GRAPH["archspec.source"].add("archspec.errors")
    try:
        assert ["archspec.errors", "archspec.source"] in cycles()
    finally:
        GRAPH["archspec.source"].discard("archspec.errors")


def is_cli(name: str) -> bool:
    return name == "archspec.__main__" or name.partition(".")[2].startswith("cli")


def test_nothing_below_the_cli_imports_it_or_the_api() -> None:
    top = {"archspec", "archspec.api", "archspec.zoo"}  # zoo: create_model builds, like api
    upward = sorted((m, dep) for m, deps in GRAPH.items() for dep in deps
                    if not is_cli(m) and m not in top and (is_cli(dep) or dep in top))
    assert upward == []
