"""``archspec check``: parse, elaborate and shape-check; writes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from archspec.cli.loading import Request
from archspec.cli.options import AllowPath, InputOpt, NetworkOpt, Params, bad
from archspec.cli.output import Exit, fmt_shape, print_warnings, report_spec_error
from archspec.cli.tuning import FeaturesOpt, parse_features
from archspec.errors import SpecError


def check(files: Annotated[list[Path], typer.Argument(
              help="Spec files (.arch, .yaml); - reads standard input.")],
          param: Params = None, network: NetworkOpt = None, allow_path: AllowPath = None,
          input: InputOpt = None, quiet: Annotated[bool, typer.Option("-q")] = False,
          features: FeaturesOpt = None) -> None:
    """Parse, elaborate and shape-check specs; print each network's outputs."""
    if sum(str(f) == "-" for f in files) > 1:
        raise bad("FILES", "standard input (-) can be read once")
    wanted = parse_features(features)
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
        if wanted is not None:
            print_features(net, wanted)
    if failed:
        raise Exit(2)


def print_features(net: object, wanted: object) -> None:
    """One line per feature map: name, shape, reduction (``--features``)."""
    from archspec.finetune import FeatureError, select_features
    try:
        chosen = select_features(net.ir, None if wanted == "all" else wanted)  # type: ignore
    except FeatureError as e:
        raise bad("--features", str(e)) from None
    for f in chosen:
        shape = net.ir.nodes[f.ref.node]["data"].port_shape(f.ref.port)  # type: ignore
        print(f"  feature {f.name}: {fmt_shape(shape)}, reduction {f.reduction}")
