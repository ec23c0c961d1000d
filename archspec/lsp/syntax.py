"""Walking the AST of a document: every node, the definition around a line, block calls."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from archspec.frontend import ast as A


def walk(node: object) -> Iterator[A.Node]:
    """``node`` and every AST node below it, parents before children, in field order."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
            continue
        if not isinstance(item, A.Node):
            continue
        yield item
        children = [getattr(item, f.name) for f in dataclasses.fields(item)
                    if f.name not in ("span", "name_span", "order")]
        stack.extend(reversed(children))


def definitions(module: A.Module) -> list[A.BlockDef | A.NetworkAlias]:
    return list(module.blocks)


def definition_at(module: A.Module, line: int) -> A.BlockDef | A.NetworkAlias | None:
    """The block or network whose text covers 1-based ``line``."""
    for d in module.blocks:
        end = d.span.end_line or d.span.line
        if d.span.line <= line <= end:
            return d
    return None


def called_name(call: A.Call) -> str | None:
    """``conv`` for ``conv(64)``, ``bottleneck`` for ``resnet.bottleneck(64)``."""
    func = call.func
    if isinstance(func, A.Name):
        return func.id
    if isinstance(func, A.Attr):
        return func.name
    return None


def name_uses(module: A.Module, name: str) -> list[A.Name]:
    """Every ``Name`` node spelling ``name`` (calls, chain steps, references)."""
    return [n for n in walk(module) if isinstance(n, A.Name) and n.id == name]


def bound_names(body: list[A.Stmt]) -> list[tuple[str, A.Node]]:
    """The names a block body binds, in order: assignments, lets, inputs, loop variables."""
    out: list[tuple[str, A.Node]] = []
    for stmt in walk(body):
        if isinstance(stmt, A.Assign):
            out += [(t, stmt) for t in stmt.targets]
        elif isinstance(stmt, (A.Let, A.Input)):
            out.append((stmt.name, stmt))
        elif isinstance(stmt, (A.For, A.GroupFor)):
            out.append((stmt.var, stmt))
    return out
