"""The interactive page's pieces: one small drawing per block and per repeated run.

A *fragment* is the inside of one block with every child block closed (and closed repeated
runs folded into one ``×N`` node), laid out by ``dot`` once. A run gets a fragment of its own
that lists its members one by one. The page opens a block by drawing its fragment in place of
its summary node, so the page holds each op once: its size grows linearly with the network.

Edges that cross a block's border end at small ``stub`` points inside the fragment (``from/…``
above, ``to/…`` below); the enclosing fragment draws the edge up to the block's frame.
"""

from __future__ import annotations

from dataclasses import dataclass

from archspec.backends.render.analysis import Analysis
from archspec.backends.render.view import (
    Edge,
    Item,
    View,
    _add_outputs,
    _edges,
    _fill,
    _place,
    block_id,
)

RUN = "run/"


@dataclass(frozen=True)
class Fragment:
    """One drawing: ``key`` is a block path ("" for the network) or ``run/<first member>``;
    ``kids`` maps the ids of its clickable nodes to the fragments they open."""

    key: str
    view: View
    kids: dict[str, str]


def run_key(paths: list[str]) -> str:
    return RUN + paths[0]


def run_item_id(paths: list[str]) -> str:
    return f"run/{paths[0]}"


def fragments(an: Analysis) -> list[Fragment]:
    """Every block's fragment, the network first, and one per repeated run."""
    out = [block_fragment(an, path) for path in an.blocks]
    runs = {tuple(it.paths) for f in out for it in f.view.items.values() if it.count > 1}
    return out + [run_fragment(an, list(paths)) for paths in sorted(runs)]


def block_fragment(an: Analysis, path: str) -> Fragment:
    """Block ``path``'s own ops and its closed children (runs folded)."""
    view = View({}, {}, {"": []}, [], {})
    _fill(an, view, path, {path})
    for item in list(view.items.values()):
        if item.count > 1:
            _rename(view, item, run_item_id(item.paths))
    if not path:
        _add_outputs(an, view)
    for i, orphan in enumerate(an.orphan_errors):
        if orphan.block == path:
            _place(view, Item(f"err/{i}", "error", index=i), path)
    return _finish(an, view, path)


def run_fragment(an: Analysis, paths: list[str]) -> Fragment:
    """The members of a repeated run, each closed."""
    view = View({}, {}, {"": []}, [], {})
    for p in paths:
        _place(view, Item(block_id(p), "block", list(an.members[p]), [p]), "")
    return _finish(an, view, run_key(paths))


def _rename(view: View, item: Item, new_id: str) -> None:
    del view.items[item.id], view.where[item.id]
    item.id = new_id
    _place(view, item, "")


def _finish(an: Analysis, view: View, key: str) -> Fragment:
    """Stubs for edges that cross the border, the edges, and the clickable nodes."""
    view.where = dict.fromkeys(view.where, "")
    inside = set(view.rep)
    stub_in, stub_out = f"from/{key}", f"to/{key}"
    for n in an.graph.nodes:
        if n not in inside:
            feeds_in = any(s in inside for s in an.graph.successors(n))
            view.rep[n] = stub_in if feeds_in else stub_out
    edges = [e for e in _edges(an, view) if _crosses_once(e, stub_in, stub_out)]
    for e in edges:
        if e.src == stub_in or e.dst == stub_out:
            e.shapes = []  # the enclosing fragment labels the edge already
    view.edges = edges + _orphan_edges(an, view)
    used = {s for e in view.edges for s in (e.src, e.dst)}
    for stub in (stub_in, stub_out):
        if stub in used:
            view.items[stub] = Item(stub, "stub")
            view.where[stub] = ""
    return Fragment(key, view, _kids(view))


def _crosses_once(edge: Edge, stub_in: str, stub_out: str) -> bool:
    stubs = (stub_in, stub_out)
    if edge.src in stubs and edge.dst in stubs:
        return False
    return edge.dst != stub_in and edge.src != stub_out


def _orphan_edges(an: Analysis, view: View) -> list[Edge]:
    """Dotted guesses into error nodes that name no graph node (see view.build_view)."""
    out = []
    for item in view.items.values():
        if item.kind == "error":
            srcs = dict.fromkeys(view.rep[n] for n in an.orphan_errors[item.index].after)
            out += [Edge(src, item.id, [], False, guess=True) for src in srcs]
    return out


def _kids(view: View) -> dict[str, str]:
    kids = {}
    for item in view.items.values():
        if item.kind == "block":
            kids[item.id] = run_key(item.paths) if item.count > 1 else item.paths[0]
    return kids
