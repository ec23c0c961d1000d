"""``archspec render``: draw with graphviz; writes exactly the -o file, atomically."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated, Optional

import typer

from archspec.cli.loading import Request
from archspec.cli.options import (
    AllowPath,
    Depth,
    InputOpt,
    NetworkOpt,
    Params,
    check_block_paths,
    check_depth,
    check_render_choices,
)
from archspec.cli.output import Exit, err, escape, wrote
from archspec.errors import SpecError
from archspec.fileio import check_output

RENDER_SUFFIXES = (".svg", ".png", ".pdf", ".dot", ".html")


def render(file: Annotated[Path, typer.Argument(help="A spec; - reads standard input.")],
           output: Annotated[Path, typer.Option("-o", "--output",
                                                help=".svg .png .pdf .dot or .html")],
           param: Params = None, network: NetworkOpt = None, allow_path: AllowPath = None,
           input: InputOpt = None, depth: Depth = None,
           expand: Annotated[Optional[list[str]], typer.Option(help="Open this block.")] = None,
           rankdir: Annotated[str, typer.Option(help="TB, LR, BT or RL")] = "TB",
           show: Annotated[str, typer.Option(help="shapes,params,macs,rf")] = "shapes,params",
           ) -> None:
    """Draw the network with graphviz. A spec with errors still renders what elaborated."""
    from archspec.backends.render import RenderError, render_to_file
    from archspec.backends.render.steps import MISSING_DOT
    target = check_output(output, option="-o", suffixes=RENDER_SUFFIXES, inputs=[file])
    check_depth(depth)
    fields = check_render_choices(rankdir, show)
    request = Request(param, network, allow_path, input)
    if target.suffix.lower() != ".dot" and shutil.which("dot") is None:
        err.print(f"error: {escape(MISSING_DOT)}", style="red")
        raise Exit(1)
    graph, failure = load_graph(request, file)
    check_block_paths(graph, list(expand or ()), "--expand")
    try:
        render_to_file(graph, target, depth=depth, expand=tuple(expand or ()),
                       rankdir=rankdir, show=fields)
    except RenderError as e:  # dot failed: a missing or broken tool
        err.print(f"error: {escape(str(e))}", style="red")
        raise Exit(1) from None
    wrote(target)
    if failure is not None:
        raise failure


def load_graph(request: Request, file: Path) -> tuple[object, SpecError | None]:
    """The elaborated graph, or what elaborated of a spec with errors (and the errors)."""
    try:
        return request.load(file).ir, None
    except SpecError as e:
        graph = getattr(e, "graph", None) or getattr(e.__cause__, "graph", None)
        if graph is None:
            raise
        return graph, e
