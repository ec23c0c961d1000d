"""One analysis of an open document: its AST, namespace, (possibly partial) graph and errors.

The document is loaded and elaborated by archspec's own Loader and elaborator; imported files
that are open in the editor are read from their unsaved text instead of the disk.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archspec.elaborate import Loader, Namespace, elaborate
from archspec.errors import SpecError, flatten
from archspec.frontend import ast as A
from archspec.ir.graph import OpGraph
from archspec.source import SourceFile


@dataclass
class Analysis:
    """What the server knows about one version of a document."""

    path: Path
    source: SourceFile
    errors: list[SpecError] = field(default_factory=list)
    warnings: list[SpecError] = field(default_factory=list)
    ns: Namespace | None = None
    graph: OpGraph | None = None
    imported: dict[Path, Namespace] = field(default_factory=dict)
    shape_index: Any = field(default=None, repr=False)  # shapes.ShapeIndex, made on demand
    symbolic: Any = None  # symbolic.network.NetworkShapes when the input has size symbols

    @property
    def module(self) -> A.Module | None:
        return self.ns.module if self.ns else None

    @property
    def parsed(self) -> bool:
        return self.ns is not None


Reader = Callable[[Path], SourceFile]


def editor_reader(open_texts: Mapping[Path, str]) -> Reader:
    """The loader's file reader: the editor's unsaved text of an open file, else the disk
    through archspec's own reader (size and encoding checks)."""
    from archspec.reading import read_source

    def read(path: Path) -> SourceFile:
        text = open_texts.get(path)
        return read_source(path) if text is None else SourceFile(str(path), text)
    return read


def analyse(path: Path, text: str, open_texts: Mapping[Path, str] | None = None) -> Analysis:
    """Load and elaborate ``text`` as the file at ``path``, preferring the unsaved text of
    open files to the disk for its imports; never raises a SpecError."""
    source = SourceFile(str(path), text)
    result = Analysis(path, source)
    loader = Loader(path.parent, reader=editor_reader(open_texts or {}))
    try:
        result.ns = loader.load_source(source, path)
        result.graph = elaborate_symbolic(loader, result.ns, result)
        run_lints(result.graph)  # their findings join the graph's warnings
    except SpecError as err:
        result.errors = flatten(err)
        result.graph = getattr(err, "graph", None)
    result.imported = dict(loader.cache)
    if result.graph is not None:
        if not result.errors:
            run_lints(result.graph)  # their findings join the graph's warnings
        result.warnings = list(graph_meta(result.graph, "warnings") or [])
    return result


def elaborate_symbolic(loader: Loader, ns: Namespace, result: Analysis) -> OpGraph:
    """The graph; for an input with size symbols (``[3, H, W]``), at a reference size, with
    the formulas in ``result.symbolic``."""
    from archspec.elaborate.symbols import SymbolicInput
    try:
        return elaborate(loader, ns)
    except SymbolicInput as written:
        from archspec.elaborate.network import FIRST_INPUT
        from archspec.symbolic.load import load_written

        class Elaborated:
            def __init__(self, input_shape: Any) -> None:
                self.ir = elaborate(loader, ns, None, {}, {FIRST_INPUT: input_shape})
        net, result.symbolic = load_written(Elaborated, {}, written)
        return net.ir


def analyse_blanking(path: Path, text: str, open_texts: Mapping[Path, str],
                     tries: int = 4) -> Analysis:
    """An analysis of ``text`` with each line a syntax error points at blanked (the last
    written line before it, when it points at a closing brace or the end), until it parses:
    for completion in a half-typed file."""
    lines = text.split("\n")
    line = -1
    for _ in range(tries):
        if 0 <= line < len(lines):
            lines[line] = ""
        result = analyse(path, "\n".join(lines), open_texts)
        syntax = [e for e in result.errors if e.kind == "SpecSyntaxError"]
        if result.parsed or not syntax or syntax[0].span.file != str(path):
            return result
        line = syntax[0].span.line - 1
        while 0 < line < len(lines) + 1 and (line >= len(lines) or lines[line].strip() in (
                "", "}")):
            line -= 1
    return result


def graph_meta(graph: OpGraph, key: str) -> Any:
    """A field of the graph's typed metadata (``blocks``, ``warnings``, ...)."""
    return getattr(graph.meta, key, None)


def run_lints(graph: OpGraph) -> None:
    """The lint pass, as ``load`` runs it: its findings join the graph's warnings."""
    from archspec.passes.pipeline import require
    require(graph, "lints")
