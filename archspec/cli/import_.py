"""``archspec import``: a Caffe prototxt or a PyTorch model -> a .arch spec (docs/import.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from archspec.cli.options import InputOpt, bad, parse_shape
from archspec.cli.output import err, escape
from archspec.fileio import check_output, write_atomic

KwargsOpt = Annotated[Optional[list[str]], typer.Option(
    "--kwargs", help="Argument of the model builder: --kwargs num_classes=10 (repeatable).")]


def import_(source: Annotated[str, typer.Argument(
                help="model.prototxt, or package.module:callable (torchvision.models:resnet50)")],
            output: Annotated[Optional[Path], typer.Option(
                "-o", "--output", help="Write the spec here (.arch) instead of printing it.")
            ] = None,
            input: InputOpt = None,
            name: Annotated[Optional[str], typer.Option(help="The network's name.")] = None,
            weights: Annotated[Optional[Path], typer.Option(
                help="Also write the source's state_dict under the spec's keys (.pt).")] = None,
            kwargs: KwargsOpt = None,
            caffemodel: Annotated[Optional[Path], typer.Option(
                help="The Caffe weights of a .prototxt source, for --weights.")] = None
            ) -> None:
    """Import a model as a readable spec: blocks, repeats and the original module names."""
    from archspec.api import load
    from archspec.importers import import_source
    check_outputs(source, output, weights, caffemodel)
    if name is not None and not name.isidentifier():
        raise typer.BadParameter(f"{name!r} is not a name", param_hint="--name")
    check_caffemodel(source, weights, caffemodel)
    builder_args = parse_kwargs(kwargs)
    check_pytorch_options(source, input, builder_args)
    text, state = import_source(source, parse_shape(input), name, caffemodel=caffemodel,
                                **builder_args)
    load(text)   # what import writes must check; a SpecError here exits 2 with its location
    if output is None:
        print(text, end="")
    else:
        write_atomic(output, text)
        err.print(f"wrote {escape(str(output))}")  # stderr: stdout may carry the spec
    if weights is not None:
        save_state(state, weights)


def check_outputs(source: str, output: Path | None, weights: Path | None,
                  caffemodel: Path | None = None) -> None:
    """Validated before any work: the right suffix, a writable place, never onto an input
    (the source or the --caffemodel)."""
    inputs = (source,) if caffemodel is None else (source, caffemodel)
    for path, option, suffix in ((output, "--output", ".arch"), (weights, "--weights", ".pt")):
        if path is not None:
            check_output(path, option=option, suffixes=(suffix,), inputs=inputs)


def check_caffemodel(source: str, weights: Path | None, caffemodel: Path | None) -> None:
    """A prototxt's weights come from --caffemodel; --caffemodel only with --weights."""
    is_caffe = source.endswith(".prototxt")
    if weights is not None and is_caffe and caffemodel is None:
        raise typer.BadParameter("a .prototxt has no weights: give them with --caffemodel "
                                 "net.caffemodel", param_hint="--weights")
    if caffemodel is None:
        return
    if not is_caffe:
        raise typer.BadParameter("only a .prototxt source takes Caffe weights",
                                 param_hint="--caffemodel")
    if weights is None:
        raise typer.BadParameter("give --weights OUT.pt to write the weights it maps",
                                 param_hint="--caffemodel")
    if not caffemodel.is_file():
        raise typer.BadParameter(f"no such file: {caffemodel}", param_hint="--caffemodel")


def check_pytorch_options(source: str, input: str | None, kwargs: dict[str, str]) -> None:
    """A PyTorch builder needs --input (nothing declares its size) and alone takes --kwargs."""
    is_file = source.endswith((".prototxt", ".onnx"))
    if not is_file and input is None:
        raise bad("--input", "a PyTorch source (package.module:callable) needs an input size, "
                             "e.g. --input 3x224x224")
    if is_file and kwargs:
        raise bad("--kwargs", "only a PyTorch source (package.module:callable) takes builder "
                              "arguments")


def parse_kwargs(items: list[str] | None) -> dict[str, str]:
    result: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip().isidentifier():
            raise typer.BadParameter(f"expected NAME=VALUE, got {item!r}",
                                     param_hint="--kwargs")
        result[key.strip()] = value.strip()
    return result


def save_state(state: Any, path: Path) -> None:
    import io

    import torch
    buffer = io.BytesIO()
    torch.save(state, buffer)
    write_atomic(path, buffer.getvalue())
    err.print(f"wrote {escape(str(path))}")
