"""``archspec fmt``: print a spec canonically; ``-w`` rewrites it in place, ``-o`` writes
another file; the output's suffix and its format always agree."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from archspec.cli.options import bad, spec_input
from archspec.cli.output import wrote
from archspec.fileio import check_output, write_atomic

FORMAT_OF_SUFFIX = {".arch": "arch", ".yaml": "yaml", ".yml": "yaml"}
SUFFIX_OF_FORMAT = {"arch": ".arch", "yaml": ".yaml"}


def fmt(file: Annotated[Path, typer.Argument(help="A spec; - reads standard input.")],
        to: Annotated[Optional[str], typer.Option("--to", help="arch or yaml")] = None,
        write: Annotated[bool, typer.Option("-w", "--write",
                                            help="Rewrite FILE in place (same format).")] = False,
        output: Annotated[Optional[Path], typer.Option(
            "-o", "--output", help="Write here instead (.arch, .yaml or .yml).")] = None,
        ) -> None:
    """Print a spec canonically, in the .arch form or as YAML."""
    target_format, target = plan(file, to, write, output)
    text = format_text(spec_input(file), target_format)
    if target is None:
        print(text, end="")
        return
    write_atomic(target, text)
    wrote(target)


def plan(file: Path, to: str | None, write: bool, output: Path | None
         ) -> tuple[str, Path | None]:
    """The output format and file (None: standard output), checked before reading."""
    if to is not None and to not in SUFFIX_OF_FORMAT:
        raise bad("--to", f"expected arch or yaml, got {to!r}")
    own = FORMAT_OF_SUFFIX.get(file.suffix.lower(), "arch")
    if write and output is not None:
        raise bad("-w", "-w rewrites FILE and -o writes another file; choose one")
    if output is not None:
        return for_output(file, to, output)
    if not write:
        return to or own, None
    if str(file) == "-":
        raise bad("-w", "standard input cannot be rewritten; use -o FILE")
    if to is not None and to != own:
        beside = file.with_suffix(SUFFIX_OF_FORMAT[to])
        raise bad("-w", f"-w keeps FILE's format ({own}); to convert it, write another "
                        f"file: archspec fmt {file} --to {to} -o {beside}")
    return own, check_output(file, option="-w")


def for_output(file: Path, to: str | None, output: Path) -> tuple[str, Path]:
    target = check_output(output, option="-o", suffixes=tuple(FORMAT_OF_SUFFIX), inputs=[file])
    implied = FORMAT_OF_SUFFIX[output.suffix.lower()]
    if to is not None and to != implied:
        raise bad("--to", f"--to {to} does not match -o {output.name} ({implied}); "
                          f"name the output {output.with_suffix(SUFFIX_OF_FORMAT[to]).name}")
    return implied, target


def format_text(source: object, to: str) -> str:
    """The formatted text, comments kept (``archspec.frontend.fmt.format_source``)."""
    from archspec.api import to_source
    from archspec.frontend.fmt import format_source
    return format_source(to_source(source), to)  # type: ignore[arg-type]
