"""Loading a spec for a command: standard input, ``-p`` values, raised limits, and ``-p``
mistakes reported on the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from archspec.cli.options import parse_shape, spec_input
from archspec.cli.params import CommandParam, command_line_errors, parse_params, values
from archspec.errors import SpecError, SpecErrors

RAISED_LIMITS: dict[str, int] = {}  # --limit NAME=N, set by the app's callback for this run


class Request:
    """What every spec-reading command was asked, validated before any elaboration."""

    def __init__(self, param: list[str] | None, network: str | None,
                 allow: list[Path] | None, input_shape: str | None):
        self.params = parse_params(param)
        self.network = network
        self.allow = tuple(allow or ())
        for directory in self.allow:
            if not directory.is_dir():
                raise typer.BadParameter(f"'{directory}' is not a directory",
                                         param_hint="'--allow-path'")
        self.input_shape = parse_shape(input_shape)

    def load(self, file: Path) -> Any:
        from archspec.api import load
        from archspec.limits import Limits, using
        spec = spec_input(file)
        limits = Limits().raised(**RAISED_LIMITS)  # this invocation's --limit values only
        try:
            return load(spec, self.network, input_shape=self.input_shape,
                        allow_paths=self.allow, limits=limits, **values(self.params))
        except SpecError as e:
            with using(limits):
                blamed = self.blame_command_line(spec)
            if blamed:
                raise (blamed[0] if len(blamed) == 1 else SpecErrors(blamed)) from e
            raise

    def blame_command_line(self, spec: Any) -> list[SpecError]:
        """After a failure with ``-p`` values: the ones that do not fit the network."""
        if not self.params:
            return []
        try:
            return command_line_errors(namespace(spec, self.allow), self.network, self.params)
        except SpecError:
            return []


def namespace(spec: Any, allow: tuple[Path, ...]) -> Any:
    from archspec.api import to_source
    from archspec.elaborate import Loader
    from archspec.reading import read_source
    source = to_source(spec)
    path = Path(source.name)
    here = path.resolve() if path.is_file() else None
    loader = Loader(here.parent if here else Path.cwd(), allow, reader=read_source)
    return loader.load_source(source, here)


__all__ = ["RAISED_LIMITS", "CommandParam", "Request"]
