"""What every command prints: consoles made on first use, spec errors, warnings."""

from __future__ import annotations

from typing import Any

from archspec.errors import SpecError, flatten


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


class PlainConsole:
    """What render_table needs of a console, printing plain text: the audit table is laid out
    already, so importing rich for it would only cost start-up time."""

    def print(self, text: str, **_: object) -> None:
        print(text)


out = LazyConsole(stderr=False)
err = LazyConsole(stderr=True)


class Exit(Exception):
    """Leave the command with this exit code (its messages are printed already)."""

    def __init__(self, code: int):
        self.code = code


def escape(text: str) -> str:
    from rich.markup import escape as rich_escape
    return rich_escape(text)


def report_spec_error(e: SpecError) -> None:
    from archspec.cli.excerpts import print_spec_error
    for one in flatten(e):
        print_spec_error(err, one)
        err.print()
    count = len(flatten(e))
    err.print(f"[bold red]{count} error{'s' * (count != 1)}[/]")


def print_warnings(net: Any) -> None:
    from archspec.cli.excerpts import print_spec_error
    for w in net.warnings:
        print_spec_error(err, w)


def fmt_shape(shape: tuple[int, ...]) -> str:
    return "×".join(map(str, shape))


def wrote(path: object) -> None:
    out.print(f"wrote {escape(str(path))}")
