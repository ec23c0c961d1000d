"""``archspec audit``: costs from the spec alone (never imports torch); writes only stdout."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

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
from archspec.cli.symbolic import check_sizes, is_symbolic, print_size_table


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
          train: Annotated[str, typer.Option(
              help="Training memory per device: single, ddp, zero1, zero2, zero3 or "
                   "fsdp.")] = "single",
          world: Annotated[int, typer.Option(help="Devices (with --train).")] = 1,
          batch: Annotated[int, typer.Option(help="Samples per device.")] = 1,
          precision: Annotated[str, typer.Option(
              help="fp32, bf16-mixed or fp16-mixed (training memory).")] = "fp32",
          ) -> None:
    """Parameters, MACs/FLOPs, memory and receptive field, from the spec alone (no torch)."""
    from archspec import audit_view as view
    check_files(files, json, csv)
    check_depth(depth)
    budgets = {"max_params": parse_budget("--max-params", max_params),
               "max_macs": parse_budget("--max-macs", max_macs),
               "max_activation": parse_budget("--max-activation", max_activation)}
    setup = training_setup(train, world, batch, precision)
    request = Request(param, network, allow_path, input)
    table_sizes = check_sizes(sizes, request, len(files))
    nets = [request.load(f) for f in files]
    if symbolic_audit(nets, request, table_sizes, csv, depth):
        print_warnings(nets[0])
        return audit_formulas(nets[0], table_sizes, json, setup, budgets)
    reports = [net.audit(depth=depth, train=setup) for net in nets]
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


def training_setup(train: str, world: int, batch: int, precision: str) -> Any:
    from archspec.passes.training import PRECISIONS, STAGES, TrainingSetup
    if train not in STAGES:
        raise bad("--train", f"expected one of {', '.join(STAGES)}, got {train!r}")
    if precision not in PRECISIONS:
        raise bad("--precision", f"expected one of {', '.join(PRECISIONS)}, got {precision!r}")
    if batch < 1:
        raise bad("--batch", f"expected a positive number of samples, got {batch}")
    if world < 1 or (train == "single" and world != 1):
        raise bad("--world", f"expected 1 for --train single, or a positive count with "
                  f"ddp/zero1/zero2/zero3/fsdp, got {world}")
    return TrainingSetup(train, world, batch, precision)


def symbolic_audit(nets: list[Any], request: Request, sizes: list[int] | None, csv: bool,
                   depth: int | None) -> bool:
    """Size symbols (in --input or written in the spec): formulas for one spec, no per-layer
    rows, no comparison."""
    if not any(is_symbolic(net) for net in nets):
        if sizes is not None:
            raise bad("--sizes", "needs size names: --input 3xHxW, or input x: [3, H, W] in "
                      "the spec")
        return False
    option = "--input" if request.input_shape is not None else "FILES"
    if len(nets) != 1:
        raise bad(option, "a comparison needs concrete sizes (e.g. --input 3x224x224)")
    for name, given in (("--csv", csv), ("--depth", depth is not None)):
        if given:
            raise bad(name, "per-layer rows need concrete sizes: give e.g. --input "
                      "3x224x224, or --json for the formulas")
    return True


def audit_formulas(net: Any, sizes: list[int] | None, as_json: bool, setup: Any,
                   budgets: dict[str, int | None]) -> None:
    """The cost formulas (and the table at ``sizes``); budgets hold at every valid row (the
    reference size without --sizes)."""
    from archspec.cli.formulas import formula_document, print_formulas, row_budgets
    doc = formula_document(net, sizes, setup)
    if as_json:
        import json as jsonlib  # only for --json: kept off the start-up path
        print(jsonlib.dumps(doc, indent=2, ensure_ascii=False))
    elif sizes is not None:
        print_size_table(net, doc)
    else:
        print_formulas(net, doc)
    rows = doc["sizes"] if sizes is not None else [{"size": "the reference",
                                                    **doc["at_reference"]}]
    over = [m for row in rows if row.get("valid", True) for m in row_budgets(row, budgets)]
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
