"""``archspec build``: lower, report and export (torch is imported only here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from archspec.cli import err, escape, out

DTYPES = {"fp32": "float32", "float32": "float32", "fp16": "float16", "float16": "float16",
          "half": "float16", "bf16": "bfloat16", "bfloat16": "bfloat16"}


def run_build(net: Any, *, output: Path | None, onnx: Path | None, device: str,
              dtype: str | None, channels_last: bool, optimize: str | None, seed: int | None,
              max_param_bytes: str | None) -> None:
    import torch

    from archspec.audit_view import parse_quantity
    from archspec.backends.torch import DEFAULT_MAX_PARAM_BYTES, build_module
    if dtype is not None and dtype not in DTYPES:
        import typer
        raise typer.BadParameter(f"unknown dtype {dtype!r}; use fp32, fp16 or bf16")
    torch_dtype = getattr(torch, DTYPES[dtype]) if dtype else None
    limit = parse_quantity(max_param_bytes) if max_param_bytes else DEFAULT_MAX_PARAM_BYTES
    model = build_module(net.ir, device=device, dtype=torch_dtype, seed=seed,
                         max_param_bytes=limit,
                         memory_format=torch.channels_last if channels_last else None)
    if optimize == "inference":
        from archspec.backends.torch.optimize import optimize_for_inference
        model = optimize_for_inference(model)
    params = sum(p.numel() for p in model.parameters())
    out.print(f"[green]built[/] {escape(net.name)}: {params:,} parameters on {device}")
    if output is not None or onnx is not None:
        export(net, model, output, onnx, device)


def export(net: Any, model: Any, output: Path | None, onnx: Path | None, device: str) -> None:
    import torch

    from archspec.backends.torch import export as ex
    if device == "meta":
        err.print("cannot export a model built on the meta device", style="red")
        raise SystemExit(1)
    example = tuple(torch.randn(1, *shape, device=device) for shape in net.inputs.values())
    model.eval()
    if output is not None:
        if output.suffix == ".py":
            ex.export_python(net.ir, output)
        elif output.suffix == ".pt2":
            ex.export_program(model, example, output)
        else:
            err.print(f"-o: unknown format {output.suffix!r} (use .py or .pt2)", style="red")
            raise SystemExit(1)
        out.print(f"wrote {escape(str(output))}")
    if onnx is not None:
        ex.export_onnx(model, example, onnx)
        out.print(f"wrote {escape(str(onnx))}")
