"""Which graph nodes a piece of text produced, and the shapes, costs and blocks behind it.

A node belongs to a span when the span holds where its primitive was written or one of the
call sites on its trace (a node made inside a block belongs to the call of that block too).
A block written once may be instantiated many times: results are grouped by instance (the
call sites above the match), one value per instance.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from archspec.ir.graph import BlockInfo, OpGraph, OpNode, Shape, input_shapes, nodes
from archspec.lsp.analysis import Analysis, graph_meta
from archspec.lsp.positions import within
from archspec.ops.common import fmt_shape
from archspec.source import Span

Entry = tuple[int, OpNode, str]  # insertion order, node, the instance it was made in


@dataclass
class ShapeIndex:
    """Nodes by (file, line) of every span they belong to."""

    graph: OpGraph
    by_line: dict[tuple[str, int], list[tuple[Span, Entry]]] = field(
        default_factory=lambda: defaultdict(list))

    @classmethod
    def of(cls, graph: OpGraph) -> ShapeIndex:
        index = cls(graph)
        infos: dict[str, BlockInfo] = graph_meta(graph, "blocks") or {}
        for order, n in enumerate(nodes(graph)):
            index.add(order, n, n.span, n.block)
            path: str | None = n.block
            for site in reversed(n.trace):
                while path is not None and path in infos and infos[path].span != site:
                    path = infos[path].parent
                if path is None or path not in infos:
                    break
                path = infos[path].parent
                index.add(order, n, site, path or "")
        return index

    def add(self, order: int, n: OpNode, span: Span, instance: str | None) -> None:
        if span.source is not None:
            self.by_line[(span.file, span.line)].append((span, (order, n, instance or "")))

    def entries(self, span: Span) -> list[Entry]:
        """Every node inside ``span``, once per instance, in insertion order."""
        end = span.end_line or span.line
        found: dict[tuple[int, str], Entry] = {}
        for line in range(span.line, end + 1):
            for site, entry in self.by_line.get((span.file, line), ()):
                if within(site, span):
                    found.setdefault((entry[0], entry[2]), entry)
        return sorted(found.values(), key=lambda e: e[0])

    def results(self, span: Span) -> list[OpNode]:
        """The last node made inside ``span`` for each instance: the value it produced."""
        last: dict[str, OpNode] = {}
        for _, n, instance in self.entries(span):
            last[instance] = n
        return list(last.values())

    def shapes(self, span: Span) -> list[Shape]:
        return distinct([n.shape for n in self.results(span)])


def index_of(analysis: Analysis) -> ShapeIndex | None:
    """The analysis's index, made once."""
    if analysis.graph is None:
        return None
    if analysis.shape_index is None:
        analysis.shape_index = ShapeIndex.of(analysis.graph)
    return analysis.shape_index


def distinct(shapes: list[Shape]) -> list[Shape]:
    return list(dict.fromkeys(shapes))


def shape_text(shapes: list[Shape], most: int = 3) -> str:
    """``64×56×56``, or ``64×56×56 | 128×28×28`` for a step that differs per instance."""
    shown = " | ".join(fmt_shape(s) for s in shapes[:most])
    return shown + (f" | … ({len(shapes)} shapes)" if len(shapes) > most else "")


def macs(graph: OpGraph, n: OpNode) -> int:
    from archspec.passes.report import node_cost
    return node_cost(n, input_shapes(graph, n)).macs


def block_instances(graph: OpGraph, span: Span) -> list[BlockInfo]:
    """The block instances called at ``span``."""
    infos: dict[str, BlockInfo] = graph_meta(graph, "blocks") or {}
    return [b for b in infos.values() if b.span == span]


def instance_totals(graph: OpGraph, path: str) -> tuple[int, int]:
    """(parameters, MACs) of the nodes inside block instance ``path``."""
    from archspec.passes.report import node_cost
    params = total = 0
    for n in nodes(graph):
        if n.block == path or n.block.startswith(path + "."):
            cost = node_cost(n, input_shapes(graph, n))
            params += cost.params
            total += cost.macs
    return params, total
