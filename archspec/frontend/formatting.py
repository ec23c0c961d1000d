"""``format_source``: a spec file, .arch or YAML, printed canonically as either form with its
comments and paragraphs kept (``archspec fmt``, the language server's formatting). It sits
above ``fmt`` (the .arch printer) and ``yaml`` (the YAML reader and writer), which do not import
each other through it."""

from __future__ import annotations

from archspec.frontend.fmt import format_module
from archspec.frontend.to_ast import parse_module
from archspec.frontend.trivia import arch_trivia, yaml_trivia
from archspec.frontend.yaml import parse_yaml
from archspec.frontend.yaml_out import to_yaml
from archspec.source import SourceFile


def format_source(source: SourceFile, to: str = "arch") -> str:
    """``source`` (.arch, or YAML by its name's suffix) printed canonically as ``to`` ("arch"
    or "yaml"), comments and blank-line paragraphs kept. Raises SpecError on bad input."""
    if to not in ("arch", "yaml"):
        raise ValueError(f"format_source: to must be 'arch' or 'yaml', not {to!r}")
    if source.name.endswith((".yaml", ".yml")):
        module = parse_yaml(source)
        trivia = yaml_trivia(source, module)
    else:
        module = parse_module(source)
        trivia = arch_trivia(source, module)
    if to == "yaml":
        return to_yaml(module, trivia)
    return format_module(module, trivia)
