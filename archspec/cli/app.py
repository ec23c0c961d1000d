"""The ``archspec`` command line: check | audit | render | build | fmt | import | lsp | schema |
models | gallery.

Exit codes (docs/cli.md): 0 success, 1 a bug in archspec or a missing tool, 2 a spec error or
bad usage (options, paths, outputs that cannot be written), 3 an audit budget exceeded.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Annotated, Optional

import click
import typer

from archspec.cli.loading import RAISED_LIMITS
from archspec.cli.output import Exit, err, escape, report_spec_error
from archspec.errors import SpecError
from archspec.fileio import OutputError

HELP = "Compile, check, render, audit and build CNN architecture specs."
# command name -> (module under archspec.cli, function). A run imports only the module of the
# command it runs (all of them for --help or an unknown name): importing every command module
# cost ~3 ms of `archspec check`'s start-up (python -X importtime, 2-core machine).
COMMANDS = {
    "check": ("check", "check"), "audit": ("audit", "audit"), "render": ("render", "render"),
    "build": ("build", "build"), "fmt": ("fmt", "fmt"), "import": ("import_", "import_"),
    "lsp": ("editor", "lsp"), "schema": ("editor", "schema"), "models": ("models", "models"),
    "gallery": ("gallery", "gallery"),
}
GLOBAL_OPTIONS_WITH_VALUE = {"--limit"}
# click >= 8.2 suggests close command names itself; typer would add the same suggestion again.
CLICK_SUGGESTS = hasattr(click.exceptions, "NoSuchCommand")


def requested_command(argv: list[str]) -> str | None:
    """The command named on the command line (None when there is none, e.g. ``--help``)."""
    args = iter(argv)
    for arg in args:
        if arg in GLOBAL_OPTIONS_WITH_VALUE:
            next(args, None)
        elif not arg.startswith("-"):
            return arg
    return None


def make_app(names: list[str]) -> typer.Typer:
    """The typer app with the commands ``names`` registered (in the order of COMMANDS)."""
    app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                      help=HELP, suggest_commands=not CLICK_SUGGESTS)
    for name in names:
        module, function = COMMANDS[name]
        command = getattr(importlib.import_module(f"archspec.cli.{module}"), function)
        app.command(name)(command)
    app.callback()(options)
    return app


def app_for(argv: list[str]) -> typer.Typer:
    """The app for one run: only the requested command when it is a known one."""
    name = requested_command(argv)
    return make_app([name] if name in COMMANDS else list(COMMANDS))


# Usage errors derive from click's ClickException, vendored in some typer releases and not in
# others: take the class from typer's own BadParameter.
LIMIT_MAX = 2**63 - 1

USAGE_ERRORS = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


def options(limit: Annotated[Optional[list[str]], typer.Option(
        "--limit", help="Raise a resource limit for this run, e.g. --limit max_nodes=2000000 "
                        "(names in docs/hardening.md).")] = None) -> None:
    """Compile, check, render, audit and build CNN architecture specs."""
    from archspec.limits import Limits
    known = set(Limits._fields)
    RAISED_LIMITS.clear()
    for item in limit or []:
        key, sep, value = item.partition("=")
        if not sep or key not in known or not value.isdigit() or int(value) > LIMIT_MAX:
            raise typer.BadParameter(f"expected NAME=INTEGER (up to 2**63-1) with NAME one of "
                                     f"{', '.join(sorted(known))}; got {item!r}",
                                     param_hint="'--limit'")
        RAISED_LIMITS[key] = int(value)


def main(argv: list[str] | None = None) -> int:
    """Entry point: runs the app and maps outcomes onto exit codes."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        app_for(argv)(args=argv, standalone_mode=False)
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
    except OutputError as e:
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
