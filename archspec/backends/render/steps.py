"""The renderer's steps shared by every output format: option checks, annotation by the pass
driver, the analysis, and running graphviz's ``dot``."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable

from archspec.backends.render.analysis import Analysis, analyze
from archspec.backends.render.dot import RANKDIRS, SHOW_CHOICES
from archspec.backends.render.view import RenderError, check_paths
from archspec.errors import SpecError
from archspec.ir.graph import OpGraph
from archspec.passes.pipeline import annotate as annotate_nodes

DOT_TIMEOUT_S = 600
MISSING_DOT = ("the graphviz 'dot' program is not installed; install Debian's 'graphviz' "
               "package (apt-get install graphviz), or render to .dot")


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
    """Ask the pass driver for costs, receptive fields and roles (each computed once).

    A graph that failed part-way may not annotate; it is drawn without costs."""
    try:
        annotate_nodes(graph)
    except SpecError:
        if not graph.meta.errors:
            raise


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
