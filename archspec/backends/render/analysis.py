"""What the renderer needs to know about a graph, computed once per graph and shared by views.

The block tree comes from ``graph.meta.blocks`` (BlockInfo.parent) and each node's
``block`` path; training-only nodes from the outputs' roles; errors from
``graph.meta.errors``. The block tree and the repeated runs (``layer3.1`` … ``layer3.5``)
come from the ``runs`` pass, the one detector the audit report reads too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from archspec.errors import SpecError
from archspec.ir.graph import BlockInfo, OpGraph, OpNode, Shape
from archspec.passes.pipeline import require
from archspec.passes.roles import AUX
from archspec.passes.runs import chain, innermost


@dataclass
class Orphan:
    """An error naming no node of the graph (the op failed before it was created): drawn in
    the block its name points into, after that block's dead ends (a best guess at its inputs)."""

    error: SpecError
    block: str
    after: list[str]


@dataclass
class Analysis:
    graph: OpGraph
    order: dict[str, int]                       # node -> insertion index
    home: dict[str, str]                        # node -> innermost drawn block path
    blocks: dict[str, BlockInfo]                # drawn blocks (with nodes), "" first
    children: dict[str, list[str]]              # block -> child blocks, in drawing order
    depth: dict[str, int]                       # "" is 0
    members: dict[str, list[str]]               # block -> nodes of its subtree, in order
    aux_only: set[str]                          # nodes that only feed auxiliary outputs
    errors: dict[str, list[SpecError]]          # node -> its errors
    orphan_errors: list[Orphan]                 # errors naming no node of the graph
    runs: dict[str, list[list[str]]] = field(default_factory=dict)  # parent -> runs (len >= 2)

    def data(self, name: str) -> OpNode:
        return self.graph.nodes[name]["data"]

    def ancestors(self, path: str) -> list[str]:
        """``path`` and its enclosing blocks up to (excluding) the root."""
        out = []
        while path:
            out.append(path)
            path = self.blocks[path].parent or ""
        return out

    def block_output(self, path: str) -> str:
        """The node whose value leaves block ``path`` (the last one used outside it)."""
        inside = set(self.members[path])
        outs = {o.node.node for o in self.graph.meta.outputs.values()}
        for name in reversed(self.members[path]):
            if name in outs or any(s not in inside for s in self.graph.successors(name)):
                return name
        return self.members[path][-1]

    def block_shape(self, path: str) -> Shape:
        return self.data(self.block_output(path)).shape


def analyze(graph: OpGraph) -> Analysis:
    """Collect hierarchy, membership, training-only nodes, errors and repeated runs (the block
    tree and the runs come from the ``runs`` pass, which the audit report reads too)."""
    tree = require(graph, "runs")
    order = {name: i for i, name in enumerate(graph.nodes)}
    depth = {b: len(chain(tree.blocks, b)) - 1 for b in tree.blocks}
    errors, orphans = _errors(graph, tree.blocks, tree.members)
    return Analysis(graph, order, tree.home, tree.blocks, tree.children, depth, tree.members,
                    _aux_only(graph), errors, orphans, tree.runs)


def _aux_only(graph: OpGraph) -> set[str]:
    """Nodes that only feed auxiliary outputs (the ``roles`` pass), plus nodes marked
    training_only."""
    require(graph, "roles")
    return {n for n, a in graph.nodes.items()
            if a["role"] == AUX or a["data"].attrs.get("training_only")}


def _errors(graph: OpGraph, blocks: dict[str, BlockInfo], members: dict[str, list[str]]
            ) -> tuple[dict[str, list[SpecError]], list[Orphan]]:
    by_node: dict[str, list[SpecError]] = {}
    orphans: list[Orphan] = []
    used = {o.node.node for o in graph.meta.outputs.values()}
    for name, err in graph.meta.errors:
        if name is not None and name in graph:
            by_node.setdefault(name, []).append(err)
            continue
        block = innermost(blocks, (name or "").rpartition(".")[0])
        ends = [n for n in members[block] if not graph.succ[n] and n not in used]
        orphans.append(Orphan(err, block, ends))
    return by_node, orphans
