"""One self-contained interactive HTML page: click a block to expand or collapse it, hover a
node for its shape, parameters and MACs.

Browsers cannot run graphviz, so every state a click can reach is laid out ahead of time by
``dot`` and embedded as SVG. States are accordion-like, which keeps their number linear in
the number of blocks: opening a block shows the base view with that block (and its ancestors)
open; collapsing one shows the base view with it closed. States are found breadth-first from
the base view until ``max_views`` or ``max_items`` is reached; a click with no pre-rendered
state does nothing (the element is simply not marked clickable).
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import re
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html import escape

from archspec.backends.render.analysis import Analysis
from archspec.backends.render.dot import to_dot
from archspec.backends.render.page import SCRIPT, STYLE, TEMPLATE
from archspec.backends.render.steps import names, prepare, run_dot
from archspec.backends.render.view import View, block_id, build_view, cluster_id, open_blocks
from archspec.ir.graph import OpGraph

MAX_VIEWS = 200
MAX_ITEMS = 12_000  # total visible items over all views: bounds dot's work


@dataclass(frozen=True)
class State:
    """A choice of open blocks, as render options relative to the user's own."""

    expand: tuple[str, ...]
    collapse: tuple[str, ...]


def render_html(graph: OpGraph, *, depth: int | None = None,
                expand: Iterable[str] = (), rankdir: str = "TB",
                show: Iterable[str] = ("shapes", "params"),
                collapse: Iterable[str] = (), max_views: int = MAX_VIEWS,
                max_items: int = MAX_ITEMS) -> str:
    """The interactive page for ``graph``; options as :func:`render`, the first view is the
    one :func:`render` draws."""

    expand, collapse = names(expand), names(collapse)
    an, show_t = prepare(graph, expand, collapse, rankdir, show)
    base = State(expand, collapse)
    states, views, actions = explore(an, depth, base, max_views, max_items)
    sources = [to_dot(an, views[s], rankdir, show_t).source for s in states]
    svgs = layout_svgs(sources)
    keys = {s: f"v{i}" for i, s in enumerate(states)}
    data = {"views": {keys[s]: pack(svg) for s, svg in zip(states, svgs)},
            "actions": {keys[s]: {el: [keys[t], anchor] for el, (t, anchor) in acts.items()}
                        for s, acts in actions.items()},
            "start": keys[base], "total": len(states)}
    return page(graph.meta.name or "network", data)


def explore(an: Analysis, depth: int | None, base: State, max_views: int,
            max_items: int) -> tuple[list[State], dict[State, View], dict]:
    """Breadth-first over click targets: the states, their views, and per state
    ``{element id: (target state, element to keep in place)}``."""
    base_open = open_blocks(an, depth, base.expand, base.collapse)
    by_opened: dict[frozenset[str], State] = {}
    seen = {frozenset(base_open)}
    states: list[State] = []
    views: dict[State, View] = {}
    actions: dict[State, dict[str, tuple[State, str]]] = {}
    budget = max_items
    queue = [base]
    while queue and len(states) < max_views:
        state = queue.pop(0)
        view = build_view(an, depth, state.expand, state.collapse)
        if states and len(view.items) > budget:
            continue
        budget -= len(view.items)
        opened = frozenset(view.clusters)
        by_opened[opened] = state
        states.append(state)
        views[state] = view
        for el, target, anchor in clicks(an, view, base, base_open):
            t_open = frozenset(open_blocks(an, depth, target.expand, target.collapse))
            if t_open not in seen:
                seen.add(t_open)
                queue.append(target)
            actions.setdefault(state, {})[el] = (target, anchor)
    return states, views, _resolve(actions, states, by_opened, an, depth)


def _resolve(actions: dict, states: list[State], by_opened: dict, an: Analysis,
             depth: int | None) -> dict:
    """Point every action at a rendered state with the same open blocks; drop the rest."""
    out: dict[State, dict[str, tuple[State, str]]] = {}
    for state, acts in actions.items():
        for el, (target, anchor) in acts.items():
            opened = frozenset(open_blocks(an, depth, target.expand, target.collapse))
            if opened in by_opened and by_opened[opened] != state:
                out.setdefault(state, {})[el] = (by_opened[opened], anchor)
    return {s: out.get(s, {}) for s in states}


def clicks(an: Analysis, view: View, base: State, base_open: set[str]):
    """(element id, target state, element of the target to keep in place) for every block
    a user can click in ``view``."""
    for item in view.items.values():
        if item.kind == "block":
            path = item.paths[0]
            yield item.id, State((*base.expand, path), _drop(base.collapse, path)), \
                cluster_id(path)
    for path in view.clusters:
        if not path:
            continue
        if path in base_open:
            expand = tuple(p for p in base.expand if path not in an.ancestors(p))
            target = State(expand, (*base.collapse, path))
        else:
            parent = an.blocks[path].parent or ""
            target = State((*base.expand, parent) if parent and parent not in base_open
                           else base.expand, base.collapse)
        yield cluster_id(path), target, block_id(path)


def _drop(paths: tuple[str, ...], path: str) -> tuple[str, ...]:
    return tuple(p for p in paths if p != path)


def layout_svgs(sources: list[str]) -> list[str]:
    """Lay out several DOT graphs with as few ``dot`` processes as there are cores."""

    workers = max(1, min(os.cpu_count() or 1, len(sources)))
    chunks = [sources[i::workers] for i in range(workers)]
    with ThreadPoolExecutor(workers) as pool:
        outs = list(pool.map(lambda c: split_svgs(run_dot("\n".join(c), "svg")), chunks))
    svgs: list[str] = [""] * len(sources)
    for i, out in enumerate(outs):
        svgs[i::workers] = out
    return svgs


def split_svgs(output: bytes) -> list[str]:
    """The ``<svg>`` elements of dot's concatenated output (one per input graph)."""
    text = re.sub(r"<!--.*?-->\n?", "", output.decode("utf-8"), flags=re.DOTALL)
    return re.findall(r"<svg\b.*?</svg>", text, flags=re.DOTALL)


def pack(svg: str) -> str:
    """gzip + base64: the page inflates views with the browser's DecompressionStream, which
    keeps a page of many views about ten times smaller."""
    return base64.b64encode(gzip.compress(svg.encode("utf-8"), 6, mtime=0)).decode("ascii")


def page(title: str, data: dict) -> str:
    """The HTML document: template + inline CSS/JS + the views as JSON."""
    blob = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    return (TEMPLATE.replace("{{title}}", escape(title)).replace("{{style}}", STYLE)
            .replace("{{script}}", SCRIPT).replace("{{data}}", blob))
