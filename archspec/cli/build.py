"""``archspec build``: lower to torch (imported only here) and export; writes exactly the
-o and --onnx files, each atomically."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from archspec.cli.loading import Request
from archspec.cli.options import (
    AllowPath,
    InputOpt,
    NetworkOpt,
    Params,
    bad,
    check_device,
    check_dtype,
    check_optimize,
    check_seed,
    parse_budget,
)
from archspec.cli.output import escape, out, print_warnings, wrote
from archspec.cli.symbolic import require_sizes
from archspec.cli.tuning import FeaturesOpt, FreezeOpt, PartialOpt, Tuning, WeightsOpt
from archspec.fileio import check_output, refuse_inputs, same_file


def build(file: Annotated[Path, typer.Argument(help="A spec; - reads standard input.")],
          param: Params = None, network: NetworkOpt = None,
          allow_path: AllowPath = None, input: InputOpt = None,
          output: Annotated[Optional[Path], typer.Option(
              "-o", "--output", help="model.py (standalone source) or model.pt2 (torch.export)")
          ] = None,
          onnx: Annotated[Optional[Path], typer.Option(help="Export ONNX here (.onnx).")] = None,
          device: Annotated[str, typer.Option(help="cpu, cuda, cuda:N, meta")] = "cpu",
          dtype: Annotated[Optional[str], typer.Option(help="fp32, fp16, bf16")] = None,
          channels_last: Annotated[bool, typer.Option("--channels-last")] = False,
          optimize: Annotated[Optional[str], typer.Option(help="inference")] = None,
          seed: Annotated[Optional[int], typer.Option(help="0 to 2**64-1")] = None,
          max_param_bytes: Annotated[Optional[str], typer.Option(help="e.g. 8GiB")] = None,
          weights: WeightsOpt = None, partial: PartialOpt = False,
          features: FeaturesOpt = None, freeze: FreezeOpt = None,
          dynamic: Annotated[bool, typer.Option(
              "--dynamic", help="Export .pt2/--onnx with dynamic H and W (--input 3xHxW).")
          ] = False,
          ) -> None:
    """Lower the spec to a torch.nn.Module; optionally export it."""
    tuning = Tuning(weights, partial, features, freeze)
    check_seed(seed)
    dtype_name = check_dtype(dtype)
    check_optimize(optimize)
    limit = parse_budget("--max-param-bytes", max_param_bytes)
    if tuning.features is not None and output is not None and output.suffix.lower() == ".py":
        raise bad("--features", "a .py export is the whole network; export the feature "
                                "extractor as .pt2 or with --onnx")
    targets = export_targets(file, output, onnx, device, weights)
    check_dynamic_targets(dynamic, *targets)
    request = Request(param, network, allow_path, input)
    check_device(device)
    net = request.load(file)
    if not dynamic:
        require_sizes(net, request, "build")
    print_warnings(net)
    plans = dynamic_plans(net) if dynamic else None
    model = lower(net, device=device, dtype_name=dtype_name, channels_last=channels_last,
                  optimize=optimize, seed=seed, limit=limit, tuning=tuning,
                  runtime_sizes=net.shapes if dynamic else None)
    if any(targets):
        export(net, model, *targets, device, plans)


def check_dynamic_targets(dynamic: bool, output: Path | None, onnx: Path | None) -> None:
    if dynamic and (output is None or output.suffix.lower() == ".py") and onnx is None:
        raise bad("--dynamic", "applies to a torch.export program (-o model.pt2) or --onnx")


def dynamic_plans(net: Any) -> list[Any]:
    """The dynamic dims, checked before the build: exit 2 saying what torch cannot state."""
    from archspec.cli.symbolic import is_symbolic
    if not is_symbolic(net):
        raise bad("--dynamic", "needs size names: --input 3xHxW, or input x: [3, H, W] in "
                               "the spec")
    from archspec.backends.torch.dynamic import plans_for
    from archspec.symbolic.export_dims import NotExportable
    try:
        plans = plans_for(net)
    except NotExportable as e:
        raise bad("--dynamic", f"torch.export cannot represent this network's sizes: {e}"
                  ) from None
    out.print(f"dynamic sizes: {escape(', '.join(str(p) for p in plans))}")
    return plans


def export_targets(file: Path, output: Path | None, onnx: Path | None, device: str,
                   weights: Path | None = None) -> tuple[Path | None, Path | None]:
    """The export paths, checked before any work: never onto the spec or the --weights."""
    inputs = [file] if weights is None else [file, weights]
    if device == "meta" and (output or onnx):
        raise bad("--device", "a model built on the meta device has no weights to export; "
                              "build on cpu or cuda")
    py = check_output(output, option="-o", suffixes=(".py", ".pt2"), inputs=inputs) \
        if output is not None else None
    onnx_target = check_output(onnx, option="--onnx", suffixes=(".onnx",), inputs=inputs) \
        if onnx is not None else None
    if onnx_target is not None:  # the exporter puts the weights beside it, in NAME.data
        refuse_inputs(onnx_target.with_name(onnx_target.name + ".data"), "--onnx", inputs)
    if py and onnx_target and same_file(py, onnx_target):
        raise bad("--onnx", "-o and --onnx name the same file")
    return py, onnx_target


def lower(net: Any, *, device: str, dtype_name: str | None, channels_last: bool,
          optimize: str | None, seed: int | None, limit: int | None, tuning: Tuning,
          runtime_sizes: Any = None) -> Any:
    """The module; ``runtime_sizes`` (--dynamic): sizes the spec read are read in forward."""
    import torch

    from archspec.backends.torch import DEFAULT_MAX_PARAM_BYTES, build_module
    from archspec.cli.tuning import run_tuned
    options = dict(device=device, seed=seed,
                   dtype=getattr(torch, dtype_name) if dtype_name else None,
                   max_param_bytes=DEFAULT_MAX_PARAM_BYTES if limit is None else limit,
                   memory_format=torch.channels_last if channels_last else None,
                   runtime_sizes=runtime_sizes)
    model = run_tuned(net, tuning, **options) if tuning.active else build_module(net.ir,
                                                                                  **options)
    report = getattr(model, "weights_report", None)
    if report is not None:
        out.print(f"weights: {escape(report.summary())}")
    if optimize == "inference":
        from archspec.backends.torch.optimize import optimize_for_inference
        model = optimize_for_inference(model)
    params = sum(p.numel() for p in model.parameters())
    out.print(f"[green]built[/] {escape(net.name)}: {params:,} parameters on {device}")
    return model


def export(net: Any, model: Any, output: Path | None, onnx: Path | None, device: str,
           plans: list[Any] | None = None) -> None:
    import torch

    from archspec.backends.torch import export as ex
    model.eval()
    if plans is not None:
        return export_dynamic(net, model, output, onnx, device)
    example = tuple(torch.randn(1, *shape, device=device) for shape in net.inputs.values())
    if output is not None:
        if output.suffix.lower() == ".py":
            ex.export_python(net.ir, output)
        else:
            ex.export_program(model, example, output)
        wrote(output)
    if onnx is not None:
        ex.export_onnx(model, example, onnx)
        wrote(onnx)


def export_dynamic(net: Any, model: Any, output: Path | None, onnx: Path | None,
                   device: str) -> None:
    from archspec.backends.torch.dynamic import (
        check_runtime_sizes,
        export_onnx_dynamic,
        export_program_dynamic,
    )
    from archspec.symbolic.export_dims import NotExportable
    try:
        check_runtime_sizes(net, model)
    except NotExportable as e:
        raise bad("--dynamic", f"torch.export cannot represent this network's sizes: {e}; "
                               "export at a concrete --input") from None
    if output is not None:
        export_program_dynamic(net, model, output, device)
        wrote(output)
    if onnx is not None:
        export_onnx_dynamic(net, model, onnx, device)
        wrote(onnx)
