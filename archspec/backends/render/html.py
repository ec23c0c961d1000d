"""One self-contained interactive HTML page: click a block to expand or collapse it, hover a
node for its shape, parameters and MACs.

Browsers cannot run graphviz, so ``dot`` lays out every block's inside once, with its child
blocks closed (fragments.py); the page draws an open block by putting its drawing in place of
its summary node and moving the rest of the enclosing drawing aside (page.py). Each op is laid
out once, so the page and the time to write it grow linearly with the network.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import re
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from html import escape

from archspec.backends.render import labels as L
from archspec.backends.render.analysis import Analysis
from archspec.backends.render.dot import block_tooltip, cluster_title, to_dot
from archspec.backends.render.fragments import RUN, Fragment, fragments
from archspec.backends.render.page import SCRIPT, STYLE, TEMPLATE
from archspec.backends.render.steps import names, prepare, run_dot
from archspec.backends.render.view import open_blocks
from archspec.ir.graph import OpGraph


def render_html(graph: OpGraph, *, depth: int | None = None,
                expand: Iterable[str] = (), rankdir: str = "TB",
                show: Iterable[str] = ("shapes", "params"),
                collapse: Iterable[str] = ()) -> str:
    """The interactive page for ``graph``; options as :func:`render`, whose drawing decides
    which blocks are open at first."""
    return viewer_page(graph, depth=depth, expand=expand, rankdir=rankdir, show=show,
                       collapse=collapse)


def viewer_page(graph: OpGraph, *, nav: str = "", sections: str = "", depth: int | None = None,
                expand: Iterable[str] = (), rankdir: str = "TB",
                show: Iterable[str] = ("shapes", "params"), collapse: Iterable[str] = ()) -> str:
    """:func:`render_html`'s page with ``nav`` (HTML) in its header and ``sections`` (HTML)
    under the diagram: the gallery's pages (gallery.py)."""
    expand, collapse = names(expand), names(collapse)
    an, show_t = prepare(graph, expand, collapse, rankdir, show)
    frags = fragments(an)
    sources = [to_dot(an, f.view, rankdir, show_t, titled=not f.key, legend=False).source
               for f in frags]
    svgs = dict(zip((f.key for f in frags), layout_svgs(sources)))
    data = {"svgs": pack(json.dumps(svgs, separators=(",", ":"))),
            "kids": {f.key: f.kids for f in frags if f.kids},
            "frames": {f.key: frame(an, f) for f in frags if f.key},
            "open": sorted(initially_open(an, depth, expand, collapse)),
            "fills": list(L.CLUSTER_FILLS), "rankdir": rankdir}
    return page(graph.meta.name or "network", data, legend(an), nav, sections)


def initially_open(an: Analysis, depth: int | None, expand: tuple[str, ...],
                   collapse: tuple[str, ...]) -> set[str]:
    """The fragments open at first: the blocks :func:`render` draws open, and the runs that
    hold one of them."""
    opened = open_blocks(an, depth, expand, collapse) - {""}
    for runs in an.runs.values():
        for run in runs:
            if any(p in opened for p in run):
                opened.add(RUN + run[0])
    return opened


def frame(an: Analysis, f: Fragment) -> list[str]:
    """[title, tooltip] of the frame an open fragment is drawn in."""
    if not f.key.startswith(RUN):
        return [cluster_title(an, f.key), block_tooltip(an, [f.key])]
    paths = [it.paths[0] for it in f.view.items.values() if it.kind == "block"]
    title = f"{paths[0]}–{paths[-1].rsplit('.', 1)[-1]} : {an.blocks[paths[0]].kind} ×{len(paths)}"
    return [title, block_tooltip(an, paths)]


def legend(an: Analysis) -> list[list[str]]:
    """[name, fill, border] of each primitive family in the network, and of closed blocks."""
    fams = {L.family(an.data(n).op) for n in an.graph.nodes}
    rows = [[f, *L.FAMILY_COLORS[f]] for f in L.FAMILY_COLORS if f in fams and f != "io"]
    if len(an.blocks) > 1:
        rows.append(["block (closed)", *L.BLOCK_COLORS])
    if an.errors or an.orphan_errors:
        rows.append(["error", *L.ERROR_COLORS])
    return rows


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


def pack(text: str) -> str:
    """gzip + base64: the page inflates the drawings with the browser's DecompressionStream;
    compressing them together lets gzip share the many repeated strings between fragments."""
    return base64.b64encode(gzip.compress(text.encode("utf-8"), 9, mtime=0)).decode("ascii")


def page(title: str, data: dict, legend_rows: list[list[str]], nav: str = "",
         sections: str = "") -> str:
    """The HTML document: template + inline CSS/JS + the drawings as JSON."""
    blob = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    keys = "".join(f'<span class="key"><i style="background:{fill};border-color:{border}">'
                   f"</i>{escape(name)}</span>" for name, fill, border in legend_rows)
    parts = {"title": escape(title), "style": STYLE, "legend": keys, "nav": nav,
             "sections": sections, "script": SCRIPT, "data": blob}
    return re.sub(r"\{\{(\w+)\}\}", lambda m: parts[m[1]], TEMPLATE)  # one pass: no re-expansion
