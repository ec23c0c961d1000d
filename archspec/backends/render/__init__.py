"""``archspec render``: diagrams of the elaborated graph with graphviz.

    dot = render(graph, depth=1)                 # graphviz.Digraph
    render_to_file(graph, "net.svg", depth=1)    # .dot .svg .png .pdf .html

The renderer reads what earlier stages wrote (shapes, the block hierarchy, output roles,
errors, and ``cost``/``rf`` from the audit pass) and never imports torch.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

import graphviz

from archspec.backends.render.analysis import Analysis, analyze
from archspec.backends.render.dot import RANKDIRS, SHOW_CHOICES, to_dot
from archspec.backends.render.view import RenderError, build_view, check_paths
from archspec.errors import SpecError
from archspec.fileio import write_atomic
from archspec.ir.graph import OpGraph

__all__ = ["FORMATS", "RenderError", "render", "render_to_file", "run_dot"]

FORMATS = ("dot", "svg", "png", "pdf", "html")
DOT_TIMEOUT_S = 600
MISSING_DOT = ("the graphviz 'dot' program is not installed; install Debian's 'graphviz' "
               "package (apt-get install graphviz), or render to .dot")


def render(graph: OpGraph, *, depth: int | None = None, expand: Iterable[str] = (),
           rankdir: str = "TB", show: Iterable[str] = ("shapes", "params"),
           collapse: Iterable[str] = ()) -> graphviz.Digraph:
    """The diagram of ``graph``: blocks deeper than ``depth`` collapse to summary nodes
    (None: nothing collapses), ``expand`` force-opens blocks by path, ``collapse`` force-closes
    them; ``show`` picks node/edge annotations among shapes, params, macs, rf."""
    expand, collapse = names(expand), names(collapse)
    an, show_t = prepare(graph, expand, collapse, rankdir, show)
    return to_dot(an, build_view(an, depth, expand, collapse), rankdir, show_t)


def names(value: Iterable[str] | str) -> tuple[str, ...]:
    """Options given as one string ('layer1' or 'shapes,params') or as several."""
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    return tuple(value)


def prepare(graph: OpGraph, expand: Iterable[str], collapse: Iterable[str], rankdir: str,
            show: Iterable[str]) -> tuple[Analysis, tuple[str, ...]]:
    """Validate options, annotate costs if the audit pass is available, analyse the graph."""
    show_t = names(show)
    bad = [s for s in show_t if s not in SHOW_CHOICES]
    if bad:
        raise RenderError(f"--show: unknown field(s) {', '.join(bad)}; "
                          f"choose among {', '.join(SHOW_CHOICES)}")
    if rankdir not in RANKDIRS:
        raise RenderError(f"--rankdir: expected one of {', '.join(RANKDIRS)}, got {rankdir!r}")
    annotate(graph)
    an = analyze(graph)
    check_paths(an, expand, "--expand")
    check_paths(an, collapse, "--collapse")
    return an, show_t


def annotate(graph: OpGraph) -> None:
    """Run the audit pass's ``annotate`` (costs, receptive fields) unless already done.

    A graph that failed part-way may not annotate; it is drawn without costs."""
    if all("cost" in graph.nodes[n] for n in graph.nodes):
        return
    try:
        from archspec.passes.audit import annotate as audit_annotate
    except ImportError:
        return
    try:
        audit_annotate(graph)
    except SpecError:
        if not graph.meta.errors:
            raise


def render_to_file(graph: OpGraph, path: str | Path, **opts: object) -> Path:
    """Render to ``path``; the format comes from the suffix (.dot .svg .png .pdf .html).

    Everything but .dot needs graphviz's ``dot`` program (RenderError when missing). The
    file is replaced atomically (archspec.fileio): a failure leaves the old one untouched.
    Options are :func:`render`'s (and ``max_views`` for .html)."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise RenderError(f"cannot render to '{path.name}': use one of "
                          + ", ".join("." + f for f in FORMATS))
    if fmt == "html":
        from archspec.backends.render.html import render_html

        write_atomic(path, render_html(graph, **opts))  # type: ignore[arg-type]
        return path
    dot = render(graph, **opts)  # type: ignore[arg-type]
    write_atomic(path, dot.source if fmt == "dot" else run_dot(dot.source, fmt))
    return path


def run_dot(source: str, fmt: str) -> bytes:
    """Lay out DOT ``source`` with the ``dot`` program and return the ``fmt`` output."""
    exe = shutil.which("dot")
    if exe is None:
        raise RenderError(MISSING_DOT)
    try:
        done = subprocess.run([exe, f"-T{fmt}"], input=source.encode("utf-8"),
                              capture_output=True, timeout=DOT_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as exc:
        raise RenderError(f"dot took longer than {DOT_TIMEOUT_S} s; try a smaller --depth") \
            from exc
    if done.returncode != 0:
        raise RenderError(dot_failure(done.returncode, done.stderr))
    return done.stdout


def dot_failure(code: int, stderr: bytes) -> str:
    """Why ``dot`` failed, in words, even when it died without a message (killed, or out of
    memory on a very large graph)."""
    message = stderr.decode("utf-8", "replace").strip()
    how = f"was killed by signal {-code}" if code < 0 else f"exited with status {code}"
    hint = "; a graph this large may need a smaller --depth, or .dot output"
    return f"dot {how}: {message}" if message else f"dot {how} without a message{hint}"
