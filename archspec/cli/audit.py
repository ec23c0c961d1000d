"""``archspec audit``: costs from the spec alone (never imports torch); writes only stdout."""

from __future__ import annotations

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
    bad,
    check_depth,
    parse_budget,
)
from archspec.cli.output import Exit, PlainConsole, err, escape, out, print_warnings
from archspec.cli.symbolic import check_sizes, print_size_table, require_sizes


def audit(files: Annotated[list[Path], typer.Argument(help="One spec, or two to compare.")],
          param: Params = None, network: NetworkOpt = None, allow_path: AllowPath = None,
          input: InputOpt = None, depth: Depth = None,
          json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
          csv: Annotated[bool, typer.Option("--csv", help="Print per-layer CSV.")] = False,
          max_params: Annotated[Optional[str], typer.Option(help="e.g. 25M")] = None,
          max_macs: Annotated[Optional[str], typer.Option(help="e.g. 4.1G")] = None,
          max_activation: Annotated[Optional[str], typer.Option(help="e.g. 2GiB")] = None,
          sizes: Annotated[Optional[str], typer.Option(
              help="With --input 3xHxW: a table at these sizes, e.g. 224,320,448 or "
                   "224:640:32.")] = None,
          ) -> None:
    """Parameters, MACs/FLOPs, memory and receptive field, from the spec alone (no torch)."""
    from archspec import audit_view as view
    check_files(files, json, csv)
    check_depth(depth)
    budgets = {"max_params": parse_budget("--max-params", max_params),
               "max_macs": parse_budget("--max-macs", max_macs),
               "max_activation": parse_budget("--max-activation", max_activation)}
    request = Request(param, network, allow_path, input)
    table_sizes = check_sizes(sizes, request, len(files))
    nets = [request.load(f) for f in files]
    for net in nets:
        require_sizes(net, request, "audit", table_sizes)
    if table_sizes is not None:
        print_warnings(nets[0])
        return print_size_table(nets[0], table_sizes, json)
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
    over = [m for r in reports for m in view.check_budgets(r, **budgets)]
    for message in over:
        err.print(f"budget exceeded: {escape(message)}", style="bold red")
    if over:
        raise Exit(3)


def check_files(files: list[Path], json: bool, csv: bool) -> None:
    if len(files) > 2:
        raise bad("FILES", "audit takes one spec, or two to compare")
    if json and csv:
        raise bad("--json", "--json and --csv exclude each other; choose one")
    if len(files) == 2 and (json or csv):
        raise bad("--json" if json else "--csv", "a comparison of two specs prints a table "
                  "only; give one spec for JSON or CSV")
    if sum(str(f) == "-" for f in files) > 1:
        raise bad("FILES", "standard input (-) can be read once")
