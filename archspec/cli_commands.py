"""CLI commands beyond ``check``: audit, render, build, fmt (see archspec/cli.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from archspec.cli import (
    AllowPath,
    Exit,
    InputOpt,
    NetworkOpt,
    Params,
    app,
    err,
    escape,
    load_or_exit,
    out,
    print_warnings,
)

Depth = Annotated[Optional[int], typer.Option("--depth", "-d", help="Block depth to show.")]


class PlainConsole:
    """What render_table needs of a console, printing plain text: the audit table is laid out
    already, so importing rich for it would only cost start-up time."""

    def print(self, text: str, **_: object) -> None:
        print(text)


@app.command()
def audit(files: Annotated[list[Path], typer.Argument(help="One spec, or two to compare.")],
          param: Params = None, network: NetworkOpt = None, allow_path: AllowPath = None,
          input: InputOpt = None, depth: Depth = None,
          json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
          csv: Annotated[bool, typer.Option("--csv", help="Print per-layer CSV.")] = False,
          max_params: Annotated[Optional[str], typer.Option(help="e.g. 25M")] = None,
          max_macs: Annotated[Optional[str], typer.Option(help="e.g. 4.1G")] = None,
          max_activation: Annotated[Optional[str], typer.Option(help="e.g. 2GiB")] = None,
          ) -> None:
    """Parameters, MACs/FLOPs, memory and receptive field, from the spec alone (no torch)."""
    from archspec import audit_view as view
    if len(files) > 2:
        raise typer.BadParameter("audit takes one spec, or two to compare")
    nets = [load_or_exit(f, param, network, allow_path, input) for f in files]
    reports = [net.audit(depth=depth) for net in nets]
    for net in nets:
        print_warnings(net)
    if len(reports) == 2:
        view.render_comparison(view.compare(reports[0], reports[1], depth=depth or 1), out)
    elif json:
        print(view.to_json(reports[0]))
    elif csv:
        print(view.to_csv(reports[0]), end="")
    else:
        view.render_table(reports[0], PlainConsole(), depth=depth)
    over = [m for r in reports for m in view.check_budgets(
        r, max_params=max_params, max_macs=max_macs, max_activation=max_activation)]
    for message in over:
        err.print(f"budget exceeded: {escape(message)}", style="bold red")
    if over:
        raise Exit(3)


@app.command()
def render(file: Path,
           output: Annotated[Path, typer.Option("-o", "--output",
                                                help=".svg .png .pdf .dot or .html")],
           param: Params = None, network: NetworkOpt = None, allow_path: AllowPath = None,
           input: InputOpt = None, depth: Depth = None,
           expand: Annotated[Optional[list[str]], typer.Option(help="Open this block.")] = None,
           rankdir: Annotated[str, typer.Option(help="TB or LR")] = "TB",
           show: Annotated[str, typer.Option(help="shapes,params,macs,rf")] = "shapes,params",
           ) -> None:
    """Draw the network with graphviz. A spec with errors still renders what elaborated."""
    from archspec.backends.render import RenderError, render_to_file
    from archspec.errors import SpecError
    failure: SpecError | None = None
    try:
        graph = load_or_exit(file, param, network, allow_path, input).graph
    except SpecError as e:
        graph, failure = getattr(e, "graph", None), e
        if graph is None:
            raise
    opts = dict(depth=depth, expand=tuple(expand or ()), rankdir=rankdir,
                show=tuple(s.strip() for s in show.split(",") if s.strip()))
    try:
        written = render_to_file(graph, output, **opts)
    except RenderError as e:
        err.print(f"error: {escape(str(e))}", style="red")
        raise Exit(1) from None
    out.print(f"wrote {escape(str(written))}")
    if failure is not None:
        raise failure


@app.command()
def build(file: Path, param: Params = None, network: NetworkOpt = None,
          allow_path: AllowPath = None, input: InputOpt = None,
          output: Annotated[Optional[Path], typer.Option(
              "-o", "--output", help="model.py (standalone source) or model.pt2 (torch.export)")
          ] = None,
          onnx: Annotated[Optional[Path], typer.Option(help="Export ONNX here.")] = None,
          device: Annotated[str, typer.Option(help="cpu, cuda, meta")] = "cpu",
          dtype: Annotated[Optional[str], typer.Option(help="fp32, fp16, bf16")] = None,
          channels_last: Annotated[bool, typer.Option("--channels-last")] = False,
          optimize: Annotated[Optional[str], typer.Option(help="inference")] = None,
          seed: Annotated[Optional[int], typer.Option()] = None,
          max_param_bytes: Annotated[Optional[str], typer.Option(help="e.g. 8GiB")] = None,
          ) -> None:
    """Lower the spec to a torch.nn.Module; optionally export it."""
    from archspec.cli_build import run_build
    net = load_or_exit(file, param, network, allow_path, input)
    print_warnings(net)
    run_build(net, output=output, onnx=onnx, device=device, dtype=dtype,
              channels_last=channels_last, optimize=optimize, seed=seed,
              max_param_bytes=max_param_bytes)


@app.command()
def fmt(file: Path,
        to: Annotated[str, typer.Option("--to", help="arch or yaml")] = "",
        write: Annotated[bool, typer.Option("-w", "--write", help="Rewrite in place.")] = False,
        ) -> None:
    """Print a spec canonically, in the .arch form or as YAML."""
    from archspec.api import read_source
    from archspec.frontend.fmt import format_source
    source = read_source(file)
    target = to or ("yaml" if file.suffix in (".yaml", ".yml") else "arch")
    if target not in ("arch", "yaml"):
        raise typer.BadParameter("--to is arch or yaml")
    text = format_source(source, target)
    if write:
        file.write_text(text, encoding="utf-8")
    else:
        print(text, end="")
