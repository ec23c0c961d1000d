"""The ``archspec`` command line: check | build | render | audit | fmt.

Exit codes: 0 success, 1 a bug in archspec (or a missing tool), 2 a spec error,
3 an audit budget exceeded.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from archspec.errors import SpecError, flatten

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Compile, check, render, audit and build CNN architecture specs.")


class LazyConsole:
    """A rich Console made on first use: ``check`` on a clean spec never imports rich."""

    def __init__(self, stderr: bool):
        self.stderr = stderr
        self.console: Any = None

    def __getattr__(self, name: str) -> Any:
        if self.console is None:
            from rich.console import Console
            self.console = Console(stderr=self.stderr, highlight=False, soft_wrap=True)
        return getattr(self.console, name)


def escape(text: str) -> str:
    from rich.markup import escape as rich_escape
    return rich_escape(text)


out = LazyConsole(stderr=False)
err = LazyConsole(stderr=True)

Params = Annotated[Optional[list[str]], typer.Option(
    "-p", "--param", help="Set a network parameter: -p num_classes=10 (repeatable).")]
NetworkOpt = Annotated[Optional[str], typer.Option(
    "--network", "-n", help="Which network of the file (default: the last one defined).")]
AllowPath = Annotated[Optional[list[Path]], typer.Option(
    "--allow-path", help="Also allow imports from this directory.")]
InputOpt = Annotated[Optional[str], typer.Option(
    "--input", help="Override the input shape, e.g. 3x299x299.")]


class Exit(Exception):
    def __init__(self, code: int):
        self.code = code


def parse_params(items: list[str] | None) -> dict[str, Any]:
    """``-p k=v`` values are spec literals: 10, 0.5, true, "text", [1, 2]."""
    from archspec.frontend.literals import parse_literal
    params: dict[str, Any] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip().isidentifier():
            raise typer.BadParameter(f"expected NAME=VALUE, got {item!r}", param_hint="-p")
        params[key.strip()] = parse_literal(value.strip(), f"-p {key.strip()}")
    return params


def parse_shape(text: str | None) -> tuple[int, ...] | None:
    if not text:
        return None
    try:
        dims = tuple(int(d) for d in text.lower().replace("×", "x").split("x"))
    except ValueError:
        raise typer.BadParameter(f"expected CxHxW, got {text!r}", param_hint="--input") from None
    if not dims or min(dims) <= 0:
        raise typer.BadParameter("dimensions must be positive", param_hint="--input")
    return dims


def report_spec_error(e: SpecError) -> None:
    for one in flatten(e):
        err.print(escape(one.format()), style="red" if one.severity == "error" else "yellow")
        err.print()
    count = len(flatten(e))
    err.print(f"[bold red]{count} error{'s' * (count != 1)}[/]")


def print_warnings(net: Any) -> None:
    for w in net.warnings:
        err.print(escape(w.format()), style="yellow")


# Usage errors derive from click's ClickException, vendored in some typer releases and not in
# others: take the class from typer's own BadParameter.
USAGE_ERRORS = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")

RAISED_LIMITS: dict[str, int] = {}


@app.callback()
def options(limit: Annotated[Optional[list[str]], typer.Option(
        "--limit", help="Raise a resource limit for this run, e.g. --limit max_nodes=2000000 "
                        "(names in docs/hardening.md).")] = None) -> None:
    """Compile, check, render, audit and build CNN architecture specs."""
    from archspec.limits import Limits
    known = set(Limits.__dataclass_fields__)
    for item in limit or []:
        key, sep, value = item.partition("=")
        if not sep or key not in known or not value.isdigit():
            raise typer.BadParameter(f"expected NAME=INTEGER with NAME one of "
                                     f"{', '.join(sorted(known))}; got {item!r}",
                                     param_hint="--limit")
        RAISED_LIMITS[key] = int(value)


def load_or_exit(file: Path, params: list[str] | None, network: str | None = None,
                 allow: list[Path] | None = None, input_shape: str | None = None) -> Any:
    from archspec.api import load
    from archspec.limits import override
    with override(**RAISED_LIMITS):
        return load(file, network, input_shape=parse_shape(input_shape),
                    allow_paths=tuple(allow or ()), **parse_params(params))


def fmt_shape(shape: tuple[int, ...]) -> str:
    return "×".join(map(str, shape))


@app.command()
def check(files: Annotated[list[Path], typer.Argument(help="Spec files (.arch, .yaml).")],
          param: Params = None, network: NetworkOpt = None, allow_path: AllowPath = None,
          input: InputOpt = None, quiet: Annotated[bool, typer.Option("-q")] = False) -> None:
    """Parse, elaborate and shape-check specs; print each network's outputs."""
    failed = False
    for file in files:
        try:
            net = load_or_exit(file, param, network, allow_path, input)
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


import archspec.cli_lsp  # noqa: E402,F401  (registers lsp, schema)
from archspec import cli_commands  # noqa: E402,F401  (registers audit, render, build, fmt)


def main(argv: list[str] | None = None) -> int:
    """Entry point: runs the app and maps outcomes onto exit codes."""
    try:
        app(args=argv, standalone_mode=False)
    except Exit as e:
        return e.code
    except SpecError as e:
        report_spec_error(e)
        return 2
    except USAGE_ERRORS as e:  # bad options, missing arguments
        show = getattr(e, "show", None)
        if callable(show):
            show()
        else:
            err.print(f"error: {escape(str(e))}", style="red")
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # a bug in archspec, not in the spec
        if os.environ.get("ARCHSPEC_DEBUG"):
            raise
        err.print(f"internal error: {type(e).__name__}: {escape(str(e))}", style="red")
        err.print("this is a bug in archspec; rerun with ARCHSPEC_DEBUG=1 for a traceback")
        return 1
    return 0
