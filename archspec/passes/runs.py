"""The ``runs`` pass: the one detector of repeated blocks, read by the audit report and the
renderer alike (``layer3.1`` … ``layer3.5``, drawn as one ``×5`` node and listed as
``layer3.1–5 bottleneck ×5``).

A run is a maximal sequence (two or more) of consecutive sibling block instances with the same
structural signature (kind, arguments, and every op inside with its parameters, attributes and
local wiring), each reading a value computed in the one before (a sequence, not parallel
branches). Siblings are ordered by their first node; only blocks holding nodes take part.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from archspec.ir.graph import BlockInfo

if TYPE_CHECKING:
    from archspec.ir.graph import OpGraph


@dataclass(eq=False)
class BlockTree:
    """The block hierarchy as drawn: blocks that hold nodes, each node's innermost block."""

    blocks: dict[str, BlockInfo]        # blocks with nodes, "" first, by first node
    home: dict[str, str]                # node -> innermost known block path
    members: dict[str, list[str]]       # block -> nodes of its subtree, in graph order
    children: dict[str, list[str]]      # block -> child blocks, in order
    runs: dict[str, list[list[str]]] = field(default_factory=dict)  # parent -> runs


def runs(graph: OpGraph) -> BlockTree:
    """The block tree of ``graph`` with its runs of repeated blocks."""
    tree = block_tree(graph)
    tree.runs = {b: found for b, kids in tree.children.items() if len(kids) > 1
                 if (found := find_runs(graph, tree, kids))}
    return tree


def block_tree(graph: OpGraph) -> BlockTree:
    order = {name: i for i, name in enumerate(graph.nodes)}
    known = dict(graph.meta.blocks)
    known.setdefault("", BlockInfo("", "network", None))
    home = {n: innermost(known, a["data"].block) for n, a in graph.nodes.items()}
    members: dict[str, list[str]] = {}
    for n in graph.nodes:  # insertion order keeps members ordered
        for b in chain(known, home[n]):
            members.setdefault(b, []).append(n)
    members.setdefault("", [])
    drawn = sorted(members, key=lambda b: (order[members[b][0]] if members[b] else -1, b))
    children: dict[str, list[str]] = {b: [] for b in drawn}
    for b in drawn[1:]:
        children[parent_of(known, b)].append(b)
    return BlockTree({b: known[b] for b in drawn}, home, members, children)


def parent_of(known: dict[str, BlockInfo], path: str) -> str:
    parent = known[path].parent or ""
    return parent if parent in known else ""


def chain(known: dict[str, BlockInfo], path: str) -> list[str]:
    """``path``, its ancestors, and the root "" (guarded against cyclic parents)."""
    out = [path]
    while out[-1] and len(out) <= len(known):
        out.append(parent_of(known, out[-1]))
    return out if out[-1] == "" else [*out, ""]


def innermost(known: dict[str, BlockInfo], path: str) -> str:
    while path and path not in known:
        path = path.rpartition(".")[0]
    return path


def _frozen(d: dict[str, Any]) -> str:
    return repr(sorted(d.items())) if d else "[]"  # keys differ: values are never compared


def signature(graph: OpGraph, tree: BlockTree, path: str) -> tuple:
    """Structure of block ``path``: kind, args, and every op with params and local wiring."""
    nodes = tree.members[path]
    local = {n: i for i, n in enumerate(nodes)}
    ext: dict[str, int] = {}
    items = []
    for n in nodes:
        d = graph.nodes[n]["data"]
        refs = tuple(("i", local[r.node], r.port) if r.node in local
                     else ("x", ext.setdefault(r.node, len(ext)), r.port) for r in d.inputs)
        sub = tree.home[n]
        rel = sub[len(path) + 1:] if sub.startswith(path + ".") else ("" if sub == path else sub)
        info = tree.blocks[sub]
        items.append((rel, info.kind, _frozen(info.args), d.op, _frozen(d.params),
                      _frozen(d.attrs), refs))
    b = tree.blocks[path]
    return (b.kind, _frozen(b.args), tuple(items))


def chained(graph: OpGraph, tree: BlockTree, prev: str, nxt: str) -> bool:
    """Some node of ``nxt`` reads a value computed in ``prev``."""
    inside = set(tree.members[prev])
    return any(r.node in inside for n in tree.members[nxt]
               for r in graph.nodes[n]["data"].inputs)


def find_runs(graph: OpGraph, tree: BlockTree, kids: list[str]) -> list[list[str]]:
    """Maximal runs (length >= 2) of consecutive, chained siblings with equal signatures.
    Signatures (a walk over the whole block) are only compared between neighbours of the same
    kind and size that are chained, and each is computed once."""
    found: list[list[str]] = []
    current: list[str] = []
    sigs: dict[str, tuple] = {}

    def sig(path: str) -> tuple:
        if path not in sigs:
            sigs[path] = signature(graph, tree, path)
        return sigs[path]

    for kid in kids:
        prev = current[-1] if current else None
        if prev is not None and _like(tree, prev, kid) and chained(graph, tree, prev, kid) \
                and sig(prev) == sig(kid):
            current.append(kid)
            continue
        if len(current) > 1:
            found.append(current)
        current = [kid]
    if len(current) > 1:
        found.append(current)
    return found


def _like(tree: BlockTree, a: str, b: str) -> bool:
    """Cheap necessary condition for equal signatures."""
    return (tree.blocks[a].kind == tree.blocks[b].kind
            and len(tree.members[a]) == len(tree.members[b]))
