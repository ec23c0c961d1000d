"""Hover facts for names that hold numbers rather than tensors: parameters (their value in
each instance) and ``let`` bindings (their expression, and the value of a file-level one)."""

from __future__ import annotations

from archspec.frontend import ast as A
from archspec.frontend.fmt import format_expr
from archspec.ir.graph import BlockInfo
from archspec.lsp.analysis import Analysis, graph_meta

MAX_VALUES = 6


def param_values(analysis: Analysis, owner: A.BlockDef, name: str) -> str:
    """``planes``: 64 | 128 | 256 | 512: the distinct values bound in the elaborated graph."""
    graph = analysis.graph
    if graph is None:
        return ""
    infos: dict[str, BlockInfo] = graph_meta(graph, "blocks") or {}
    if owner.is_network:
        chosen = graph_meta(graph, "span") == owner.span
        found = [infos[""].args[name]] if chosen and "" in infos and name in infos[""].args else []
    else:
        found = [b.args[name] for b in infos.values() if b.kind == owner.name and name in b.args]
    values = list(dict.fromkeys(repr(v) for v in found))
    if not values:
        return ""
    shown = " | ".join(values[:MAX_VALUES]) + (" | …" if len(values) > MAX_VALUES else "")
    return f"`{name}` = {shown}"


def let_text(let: A.Let, analysis: Analysis) -> str:
    """The expression of a ``let``, and for a file-level one its value once evaluated."""
    text = f"```archspec\nlet {let.name} = {format_expr(let.value)}\n```"
    value = analysis.ns.let_values.get(let.name) if analysis.ns else None
    if value is not None and isinstance(value, (int, float, str, bool, list, tuple)):
        text += f"\n\n= `{value!r}`"
    return text


def name_facts(analysis: Analysis, owner: A.BlockDef | None, binding: A.Node | None,
               word: str) -> str:
    """Facts for ``word`` where it is not a tensor: a parameter, a let, a file-level let."""
    if isinstance(binding, A.Let):
        return let_text(binding, analysis)
    if owner is not None and any(p.name == word for p in owner.params):
        return param_values(analysis, owner, word)
    lets = analysis.ns.lets if analysis.ns else {}
    return let_text(lets[word], analysis) if word in lets else ""
