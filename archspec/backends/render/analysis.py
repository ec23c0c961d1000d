"""What the renderer needs to know about a graph, computed once per graph and shared by views.

The block tree comes from ``graph.meta.blocks`` (BlockInfo.parent) and each node's
``block`` path; training-only nodes from the outputs' roles; errors from
``graph.meta.errors``. Repeated runs (``layer3.1`` … ``layer3.5``) are found here by a
structural signature: same kind, same args, same ops with the same params wired the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from archspec.errors import SpecError
from archspec.ir.graph import BlockInfo, OpGraph, OpNode, Shape
from archspec.passes.audit import AUX, node_roles


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
    """Collect hierarchy, membership, training-only nodes, errors and repeated runs."""
    order = {name: i for i, name in enumerate(graph.nodes)}
    known: dict[str, BlockInfo] = dict(graph.meta.blocks)
    known.setdefault("", BlockInfo("", "network", None))
    home = {n: _innermost(known, graph.nodes[n]["data"].block) for n in graph.nodes}
    members: dict[str, list[str]] = {}
    for n in graph.nodes:  # insertion order keeps members ordered
        for b in _chain(known, home[n]):
            members.setdefault(b, []).append(n)
    members.setdefault("", [])
    drawn = sorted(members, key=lambda b: (order[members[b][0]] if members[b] else -1, b))
    blocks = {b: known[b] for b in drawn}
    children: dict[str, list[str]] = {b: [] for b in blocks}
    for b in drawn[1:]:
        children[_parent(known, b)].append(b)
    depth = {b: len(_chain(known, b)) - 1 for b in blocks}
    errors, orphans = _errors(graph, blocks, members)
    an = Analysis(graph, order, home, blocks, children, depth, members, _aux_only(graph),
                  errors, orphans)
    an.runs = {b: find_runs(an, kids) for b, kids in children.items() if len(kids) > 1}
    return an


def _parent(known: dict[str, BlockInfo], path: str) -> str:
    parent = known[path].parent or ""
    return parent if parent in known else ""


def _chain(known: dict[str, BlockInfo], path: str) -> list[str]:
    """``path``, its ancestors, and the root "" (guarded against cyclic parents)."""
    out = [path]
    while out[-1] and len(out) <= len(known):
        out.append(_parent(known, out[-1]))
    return out if out[-1] == "" else [*out, ""]


def _innermost(known: dict[str, BlockInfo], path: str) -> str:
    while path and path not in known:
        path = path.rpartition(".")[0]
    return path


def _aux_only(graph: OpGraph) -> set[str]:
    """Nodes that only feed auxiliary outputs (the audit pass's roles), plus nodes marked
    training_only."""
    roles = node_roles(graph)
    marked = {n for n in graph.nodes if graph.nodes[n]["data"].attrs.get("training_only")}
    return {n for n, role in roles.items() if role == AUX} | marked


def _errors(graph: OpGraph, blocks: dict[str, BlockInfo], members: dict[str, list[str]]
            ) -> tuple[dict[str, list[SpecError]], list[Orphan]]:
    by_node: dict[str, list[SpecError]] = {}
    orphans: list[Orphan] = []
    used = {o.node.node for o in graph.meta.outputs.values()}
    for name, err in graph.meta.errors:
        if name is not None and name in graph:
            by_node.setdefault(name, []).append(err)
            continue
        block = _innermost(blocks, (name or "").rpartition(".")[0])
        ends = [n for n in members[block] if not graph.succ[n] and n not in used]
        orphans.append(Orphan(err, block, ends))
    return by_node, orphans


def _frozen(d: dict[str, Any]) -> str:
    return repr(sorted(d.items(), key=lambda kv: kv[0]))


def signature(an: Analysis, path: str) -> tuple:
    """Structure of block ``path``: kind, args, and every op with params and local wiring."""
    nodes = an.members[path]
    local = {n: i for i, n in enumerate(nodes)}
    ext: dict[str, int] = {}
    items = []
    for n in nodes:
        d = an.data(n)
        refs = tuple(("i", local[r.node], r.port) if r.node in local
                     else ("x", ext.setdefault(r.node, len(ext)), r.port) for r in d.inputs)
        sub = an.home[n]
        rel = sub[len(path) + 1:] if sub.startswith(path + ".") else ("" if sub == path else sub)
        info = an.blocks[sub]
        items.append((rel, info.kind, _frozen(info.args), d.op, _frozen(d.params),
                      _frozen(d.attrs), refs))
    b = an.blocks[path]
    return (b.kind, _frozen(b.args), tuple(items))


def _chained(an: Analysis, prev: str, nxt: str) -> bool:
    """True when some node of ``nxt`` reads a value computed in ``prev`` (a sequence,
    not parallel branches)."""
    inside = set(an.members[prev])
    return any(r.node in inside for n in an.members[nxt] for r in an.data(n).inputs)


def find_runs(an: Analysis, kids: list[str]) -> list[list[str]]:
    """Maximal runs (length >= 2) of consecutive, chained siblings with equal signatures."""
    runs: list[list[str]] = []
    current: list[str] = []
    last_sig: tuple | None = None
    for kid in kids:
        sig = signature(an, kid)
        if current and sig == last_sig and _chained(an, current[-1], kid):
            current.append(kid)
        else:
            if len(current) > 1:
                runs.append(current)
            current = [kid]
        last_sig = sig
    if len(current) > 1:
        runs.append(current)
    return runs
