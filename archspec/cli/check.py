"""``archspec check``: parse, elaborate and shape-check; writes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from archspec.cli.loading import Request
from archspec.cli.options import AllowPath, InputOpt, NetworkOpt, Params, bad
from archspec.cli.output import Exit, fmt_shape, print_warnings, report_spec_error
from archspec.errors import SpecError


def check(files: Annotated[list[Path], typer.Argument(
              help="Spec files (.arch, .yaml); - reads standard input.")],
          param: Params = None, network: NetworkOpt = None, allow_path: AllowPath = None,
          input: InputOpt = None, quiet: Annotated[bool, typer.Option("-q")] = False) -> None:
    """Parse, elaborate and shape-check specs; print each network's outputs."""
    if sum(str(f) == "-" for f in files) > 1:
        raise bad("FILES", "standard input (-) can be read once")
    request = Request(param, network, allow_path, input)
    failed = False
    for file in files:
        try:
            net = request.load(file)
        except SpecError as e:
            report_spec_error(e)
            failed = True
            continue
        print_warnings(net)
        if not quiet:
            outs = ", ".join(f"{k} {fmt_shape(v)}" for k, v in net.outputs.items())
            print(f"ok {file}: {net.name} -> {outs} ({net.ir.number_of_nodes()} nodes)")
    if failed:
        raise Exit(2)
