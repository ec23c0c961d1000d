"""``archspec render``: diagrams of the elaborated graph with graphviz.

    dot = render(graph, depth=1)                 # graphviz.Digraph
    render_to_file(graph, "net.svg", depth=1)    # .dot .svg .png .pdf .html

The renderer reads what earlier stages wrote (shapes, the block hierarchy, output roles,
errors, and ``cost``/``rf``/``role`` from the pass driver) and never imports torch.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import graphviz

from archspec.backends.render.dot import to_dot
from archspec.backends.render.html import render_html
from archspec.backends.render.steps import dot_failure, names, prepare, run_dot
from archspec.backends.render.view import RenderError, build_view
from archspec.fileio import write_atomic
from archspec.ir.graph import OpGraph

__all__ = ["FORMATS", "RenderError", "dot_failure", "render", "render_to_file", "run_dot"]

FORMATS = ("dot", "svg", "png", "pdf", "html")


def render(graph: OpGraph, *, depth: int | None = None, expand: Iterable[str] = (),
           rankdir: str = "TB", show: Iterable[str] = ("shapes", "params"),
           collapse: Iterable[str] = ()) -> graphviz.Digraph:
    """The diagram of ``graph``: blocks deeper than ``depth`` collapse to summary nodes
    (None: nothing collapses), ``expand`` force-opens blocks by path, ``collapse`` force-closes
    them; ``show`` picks node/edge annotations among shapes, params, macs, rf."""
    expand, collapse = names(expand), names(collapse)
    an, show_t = prepare(graph, expand, collapse, rankdir, show)
    return to_dot(an, build_view(an, depth, expand, collapse), rankdir, show_t)


def render_to_file(graph: OpGraph, path: str | Path, **opts: object) -> Path:
    """Render to ``path``; the format comes from the suffix (.dot .svg .png .pdf .html).

    Everything but .dot needs graphviz's ``dot`` program (RenderError when missing). The
    file is replaced atomically (archspec.fileio): a failure leaves the old one untouched.
    Options are :func:`render`'s."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise RenderError(f"cannot render to '{path.name}': use one of "
                          + ", ".join("." + f for f in FORMATS))
    if fmt == "html":
        write_atomic(path, render_html(graph, **opts))  # type: ignore[arg-type]
        return path
    dot = render(graph, **opts)  # type: ignore[arg-type]
    write_atomic(path, dot.source if fmt == "dot" else run_dot(dot.source, fmt))
    return path


