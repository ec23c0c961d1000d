"""One drawing of a graph: which blocks are open clusters, which collapse into summary nodes,
which repeated runs fold into one ``×N`` node, and the edges between what is visible.

A block is open when it is the network, when its depth is below ``depth`` (None: all), or equal
to it and the block holds blocks of its own (a leaf block at the boundary collapses, so
``--depth 1`` of a network of small blocks stays compact), when
``expand`` names it or a block inside it, or when it holds an error node; ``collapse`` closes a
block that depth alone would open. Only open blocks' children are visible.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from archspec.backends.render.analysis import Analysis
from archspec.errors import did_you_mean


class RenderError(Exception):
    """Rendering failed for a reason outside the spec: a missing ``dot``, a bad option."""


@dataclass
class Item:
    """A visible node: a primitive (``kind`` 'op'), a collapsed block or run ('block'),
    an output marker ('output') or an error naming no node ('error')."""

    id: str
    kind: str
    nodes: list[str] = field(default_factory=list)   # graph nodes it stands for
    paths: list[str] = field(default_factory=list)   # collapsed block paths (a run has several)
    name: str = ""                                   # output name, for 'output'
    index: int = 0                                   # orphan error index, for 'error'

    @property
    def count(self) -> int:
        return len(self.paths)


@dataclass
class Edge:
    src: str
    dst: str
    shapes: list[tuple[int, ...]]
    aux: bool
    guess: bool = False  # into an error that names no node: its inputs are a guess


@dataclass
class View:
    items: dict[str, Item]                  # by id, in drawing order
    where: dict[str, str]                   # item id -> open block path holding it
    clusters: dict[str, list[str]]          # open block -> open child blocks ("" is the root)
    edges: list[Edge]
    rep: dict[str, str]                     # graph node -> item id standing for it


def block_id(path: str) -> str:
    return f"blk/{path}"


def cluster_id(path: str) -> str:
    return f"cl/{path}"


def check_paths(an: Analysis, paths: Iterable[str], option: str) -> None:
    """RenderError naming an unknown block path (with a did-you-mean)."""
    for p in paths:
        if p not in an.blocks or not p:
            hint = did_you_mean(p, [b for b in an.blocks if b])
            raise RenderError(f"{option}: no block '{p}' in this network"
                              + (f"; {hint}" if hint else ""))


def open_blocks(an: Analysis, depth: int | None, expand: Iterable[str],
                collapse: Iterable[str]) -> set[str]:
    """Every block drawn as an open cluster (its ancestors are open too)."""
    forced = {a for p in expand for a in an.ancestors(p)}
    forced |= {a for n in an.errors for a in an.ancestors(an.home[n])}
    forced |= {a for o in an.orphan_errors for a in an.ancestors(o.block)}
    closed = set(collapse) - forced
    by_depth = {b for b in an.blocks if depth is None or an.depth[b] < depth
                or (an.depth[b] == depth and an.children[b])}
    wanted = (by_depth - closed) | forced | {""}
    return {b for b in wanted if all(a in wanted for a in an.ancestors(b))}


def build_view(an: Analysis, depth: int | None = None, expand: Iterable[str] = (),
               collapse: Iterable[str] = ()) -> View:
    """The visible items, clusters and edges for one choice of open blocks."""
    opened = open_blocks(an, depth, expand, collapse)
    view = View({}, {}, {b: [] for b in an.blocks if b in opened}, [], {})
    _fill(an, view, "", opened)
    _add_outputs(an, view)
    for i, orphan in enumerate(an.orphan_errors):
        _place(view, Item(f"err/{i}", "error", index=i), orphan.block)
    view.edges = _edges(an, view)
    for i, orphan in enumerate(an.orphan_errors):
        srcs = dict.fromkeys(view.rep[n] for n in orphan.after)
        view.edges += [Edge(src, f"err/{i}", [], False, guess=True) for src in srcs]
    return view


def _place(view: View, item: Item, where: str) -> None:
    view.items[item.id] = item
    view.where[item.id] = where
    for n in item.nodes:
        view.rep[n] = item.id


def _fill(an: Analysis, view: View, block: str, opened: set[str]) -> None:
    """Place block ``block``'s direct nodes and children, in order of first appearance."""
    kids = an.children[block]
    entries = [(an.order[an.members[k][0]], "b", k) for k in kids]
    entries += [(an.order[n], "n", n) for n in an.members[block] if an.home[n] == block]
    run_of = _closed_runs(an, block, opened)
    for _, kind, key in sorted(entries):
        if kind == "n":
            _place(view, Item(key, "op", [key]), block)
        elif key in opened:
            view.clusters[block].append(key)
            _fill(an, view, key, opened)
        elif key in run_of and run_of[key][0] != key:
            continue  # folded into the run's first member
        else:
            paths = run_of.get(key, [key])
            nodes = [n for p in paths for n in an.members[p]]
            _place(view, Item(block_id(key), "block", nodes, paths), block)


def _closed_runs(an: Analysis, block: str, opened: set[str]) -> dict[str, list[str]]:
    """Member -> its run, for the stretches of repeated siblings that are all closed."""
    out: dict[str, list[str]] = {}
    for run in an.runs.get(block, []):
        stretch: list[str] = []
        for path in [*run, None]:
            if path is not None and path not in opened:
                stretch.append(path)
                continue
            if len(stretch) > 1:
                out.update({p: stretch for p in stretch})
            stretch = []
    return out


def _add_outputs(an: Analysis, view: View) -> None:
    for name, info in an.graph.meta.outputs.items():
        if info.node.node in view.rep:
            _place(view, Item(f"out/{name}", "output", name=name), "")


def _edges(an: Analysis, view: View) -> list[Edge]:
    """Edges between visible items, labelled with the shapes that cross them."""
    edges: dict[tuple[str, str], Edge] = {}

    def link(src_node: str, port: int, dst: str, dst_aux: bool) -> None:
        src = view.rep[src_node]
        if src == dst:
            return
        shape = an.data(src_node).port_shape(port)
        aux = dst_aux or src_node in an.aux_only
        edge = edges.setdefault((src, dst), Edge(src, dst, [], aux))
        edge.aux = edge.aux and aux
        if shape not in edge.shapes:
            edge.shapes.append(shape)

    for n in an.graph.nodes:
        for ref in an.data(n).inputs:
            if ref.node in view.rep:
                link(ref.node, ref.port, view.rep[n], n in an.aux_only)
    for name, info in an.graph.meta.outputs.items():
        if f"out/{name}" in view.items:
            link(info.node.node, info.node.port, f"out/{name}", info.role == "aux")
    return list(edges.values())
