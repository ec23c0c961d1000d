"""``-p NAME=VALUE``: spec literals from the command line, and errors that point at it.

A value is a spec literal (``10``, ``0.5``, ``true``, ``"text"``, ``[3, 4, 6, 3]``); a bare
word is a string. A value that starts like a number must be one the language can hold (a
23-digit integer is an error, not the string of its digits). When a spec fails to elaborate
under ``-p`` values, :func:`command_line_errors` looks for the cause on the command line: an
unknown parameter name, or a value of another kind than the parameter's declared type or
default; those errors are located in ``-p NAME=VALUE`` itself, not inside a library block.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

import typer

from archspec.errors import SpecError, SpecTypeError, did_you_mean
from archspec.source import SourceFile, Span

LOOKS_NUMERIC = re.compile(r"[-+]?\.?[0-9]")
MAX_INT_TEXT = "9223372036854775807 (2**63 - 1)"


class CommandParam(NamedTuple):
    """One ``-p`` argument: its value and where its name and value are in the argument. (A named
    tuple: a frozen dataclass cost 0.5 ms of every start-up in generated methods.)"""

    name: str
    value: Any
    source: SourceFile
    value_col: int

    def name_span(self) -> Span:
        return Span(self.source, 1, 4, 1, 4 + len(self.name))

    def value_span(self) -> Span:
        return Span(self.source, 1, self.value_col, 1, len(self.source.text) + 1)


def parse_params(items: list[str] | None) -> dict[str, CommandParam]:
    """Parse every ``-p`` argument (raising a located SpecError for a bad value)."""
    params: dict[str, CommandParam] = {}
    for item in items or []:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip().isidentifier():
            raise typer.BadParameter(f"expected NAME=VALUE, got {item!r}", param_hint="'-p'")
        name, text = key.strip(), raw.strip()
        source = SourceFile("<command line>", f"-p {name}={text}")
        params[name] = CommandParam(name, parse_value(text, source, 4 + len(name) + 1),
                                    source, 4 + len(name) + 1)
    return params


def parse_value(text: str, source: SourceFile, col: int) -> Any:
    from archspec.frontend.literals import parse_literal
    if not text:
        raise SpecTypeError("-p needs a value after '='", Span(source, 1, col),
                            hint='write -p NAME=VALUE, e.g. -p num_classes=10 or -p unit="basic"')
    try:
        value = parse_literal(text, "command line")
    except SpecError as e:
        start = col + max(0, e.span.col - 1)
        raise type(e)(e.message, Span(source, 1, start, 1, start + 1), e.hint) from None
    if isinstance(value, str) and LOOKS_NUMERIC.match(text) and not text.startswith('"'):
        raise SpecTypeError(f"'{text}' is not a number archspec can hold",
                            Span(source, 1, col, 1, col + len(text)),
                            hint=f"integers up to {MAX_INT_TEXT}, decimals like 0.5 or 1e-3; "
                                 'quote a string: -p NAME=\'"text"\'')
    return value


def values(params: dict[str, CommandParam]) -> dict[str, Any]:
    return {name: p.value for name, p in params.items()}


def command_line_errors(ns: Any, network: str | None,
                        params: dict[str, CommandParam]) -> list[SpecError]:
    """Errors in ``-p`` arguments against the network's parameters (names, then kinds)."""
    declared = network_params(ns, network)
    if declared is None:
        return []
    found: list[SpecError] = []
    names = [p.name for p in declared]
    listing = f"parameters of this network: {', '.join(names) or 'none'}"
    for p in params.values():
        if p.name not in names:
            close = did_you_mean(p.name, names)
            found.append(SpecTypeError(f"unknown parameter '{p.name}'", p.name_span(),
                                       hint=f"{close} {listing}" if close else listing))
    for d in declared:
        given = params.get(d.name)
        expected = expected_kind(d)
        if given is not None and expected and not is_kind(given.value, expected):
            found.append(SpecTypeError(
                f"parameter '{d.name}' expects {expected}, got {given.value!r}",
                given.value_span(), hint=f"declared at {d.span}"))
    return found


def network_params(ns: Any, network: str | None) -> list[Any] | None:
    """The ParamDefs of the block a network (or a chain of network aliases) elaborates."""
    from archspec.elaborate.network import choose_network
    from archspec.frontend import ast as A
    try:
        net, owner = choose_network(ns, network), ns
        for _ in range(100):
            if not isinstance(net, A.NetworkAlias):
                return list(net.params)
            found = owner.lookup_block(net.target)
            if found is None:
                return None
            net, owner = found
    except SpecError:
        return None
    return None


def expected_kind(param: Any) -> str | None:
    """The declared type, or the kind of a constant default (None: anything goes)."""
    from archspec.frontend import ast as A
    from archspec.frontend.literals import constant
    if param.type in KINDS:
        return param.type
    if param.type is not None or param.default is None or isinstance(param.default, A.Name):
        return None  # a name as default may be a constant defined elsewhere: anything goes
    try:
        default = constant(param.default)
    except SpecError:
        return None
    return next((k for k in ("bool", "int", "float", "str", "list") if is_kind(default, k)),
                None)


KINDS = {"int": (int,), "float": (int, float), "number": (int, float), "bool": (bool,),
         "str": (str,), "list": (list, tuple)}


def is_kind(value: Any, kind: str) -> bool:
    if isinstance(value, bool) and kind != "bool":
        return False
    return isinstance(value, KINDS[kind])
