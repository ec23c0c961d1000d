"""Options shared by the commands, and the checks every option value gets before any work.

Each check raises ``typer.BadParameter`` naming the option (exit 2, "Invalid value for ...").
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from archspec.source import SourceFile

Params = Annotated[Optional[list[str]], typer.Option(
    "-p", "--param", help="Set a network parameter: -p num_classes=10 (repeatable).")]
NetworkOpt = Annotated[Optional[str], typer.Option(
    "--network", "-n", help="Which network of the file (default: the last one defined).")]
AllowPath = Annotated[Optional[list[Path]], typer.Option(
    "--allow-path", help="Also allow imports from this directory.")]
InputOpt = Annotated[Optional[str], typer.Option(
    "--input", help="Override the input shape, e.g. 3x299x299.")]
Depth = Annotated[Optional[int], typer.Option("--depth", "-d", help="Block depth to show (0+).")]

SEED_MAX = 2**64 - 1  # what torch.manual_seed accepts
DTYPES = {"fp32": "float32", "float32": "float32", "fp16": "float16", "float16": "float16",
          "half": "float16", "bf16": "bfloat16", "bfloat16": "bfloat16"}
OPTIMIZE_CHOICES = ("inference",)
DEVICE_SYNTAX = re.compile(r"(cpu|meta|cuda|mps|xpu)(:[0-9]+)?")


def bad(option: str, message: str) -> typer.BadParameter:
    return typer.BadParameter(message, param_hint=f"'{option}'")


def parse_shape(text: str | None) -> tuple[int, ...] | None:
    """``--input 3x299x299``: positive integers separated by x."""
    if text is None:
        return None
    try:
        dims = tuple(int(d) for d in text.lower().replace("×", "x").split("x"))
    except ValueError:
        raise bad("--input", f"expected CxHxW with positive integers, got {text!r}") from None
    if min(dims) <= 0:
        raise bad("--input", f"dimensions must be positive, got {text!r}")
    return dims


def check_depth(depth: int | None) -> None:
    if depth is not None and depth < 0:
        raise bad("--depth", f"expected 0 or more, got {depth}")


def parse_budget(option: str, text: str | None) -> int | None:
    """A quantity such as 25M, 4.1G or 2GiB: finite and not negative."""
    if text is None:
        return None
    from archspec.audit_view import parse_quantity
    try:
        value = parse_quantity(text)
    except (ValueError, OverflowError) as e:
        raise bad(option, str(e) if isinstance(e, ValueError) else
                  f"{text!r} is too large") from None
    if value < 0 or not math.isfinite(value):
        raise bad(option, f"expected a quantity of 0 or more, got {text!r}")
    return value


def check_seed(seed: int | None) -> None:
    if seed is not None and not 0 <= seed <= SEED_MAX:
        raise bad("--seed", f"expected an integer from 0 to {SEED_MAX}, got {seed}")


def check_dtype(dtype: str | None) -> str | None:
    if dtype is not None and dtype not in DTYPES:
        raise bad("--dtype", f"unknown dtype {dtype!r}; use fp32, fp16 or bf16")
    return DTYPES[dtype] if dtype else None


def check_optimize(optimize: str | None) -> None:
    if optimize is not None and optimize not in OPTIMIZE_CHOICES:
        raise bad("--optimize", f"unknown mode {optimize!r}; use {', '.join(OPTIMIZE_CHOICES)}")


def check_device(device: str) -> None:
    """A device torch has here (imports torch: only ``build`` calls this)."""
    available = available_devices()
    if device in available or (device == "cuda" and "cuda:0" in available):
        return
    problem = "is not available here" if DEVICE_SYNTAX.fullmatch(device) else "is unknown"
    raise bad("--device", f"device {device!r} {problem}; available: {', '.join(available)}")


def available_devices() -> list[str]:
    import torch
    found = ["cpu", "meta"]
    found += [f"cuda:{i}" for i in range(torch.cuda.device_count())] \
        if torch.cuda.is_available() else []
    mps = getattr(torch.backends, "mps", None)
    found += ["mps"] if mps is not None and mps.is_available() else []
    return found


def check_render_choices(rankdir: str, show: str) -> tuple[str, ...]:
    from archspec.backends.render.dot import RANKDIRS, SHOW_CHOICES
    if rankdir not in RANKDIRS:
        raise bad("--rankdir", f"expected one of {', '.join(RANKDIRS)}, got {rankdir!r}")
    fields = tuple(s.strip() for s in show.split(",") if s.strip())
    unknown = [s for s in fields if s not in SHOW_CHOICES]
    if unknown or not fields:
        what = f"unknown field(s) {', '.join(map(repr, unknown))}" if unknown else "no field"
        raise bad("--show", f"{what}; give a comma-separated list of {', '.join(SHOW_CHOICES)}")
    return fields


def check_block_paths(graph: Any, paths: list[str], option: str) -> None:
    """Every ``--expand`` path names a block of the elaborated network."""
    from archspec.errors import did_you_mean
    blocks = [b for b in graph.meta.blocks if b]
    for p in paths:
        if p not in blocks:
            hint = did_you_mean(p, blocks)
            raise bad(option, f"no block {p!r} in this network" + (f"; {hint}" if hint else ""))


def spec_input(file: Path) -> Path | SourceFile:
    """A spec argument: ``-`` is standard input (read like a file: bounded, UTF-8)."""
    if str(file) != "-":
        return file
    import sys

    from archspec.reading import decode, read_bounded
    return decode("<stdin>", read_bounded(sys.stdin.buffer, "<stdin>"))
