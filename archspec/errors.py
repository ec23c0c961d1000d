"""The SpecError tree.

Every error a spec can cause is a ``SpecError``: message, span and hint are fields, so tests
compare them rather than strings. ``format()`` renders the compiler-style excerpt::

    specs/net.arch:12:9: error: unknown block 'bottlenek'
       12 |   x -> bottlenek(64)
          |        ^^^^^^^^^
      hint: did you mean 'bottleneck'?
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field

from archspec.source import UNKNOWN, Span

MAX_EXCERPT = 160  # never echo more of a line than this: a spec's line may be huge


@dataclass(frozen=True)
class Note:
    """A secondary location attached to an error ("b2 got its shape here")."""

    message: str
    span: Span


@dataclass
class SpecError(Exception):
    """Root of every error caused by a spec (as opposed to a bug in archspec)."""

    message: str
    span: Span = UNKNOWN
    hint: str | None = None
    notes: list[Note] = field(default_factory=list)
    severity: str = "error"

    def __post_init__(self) -> None:
        Exception.__init__(self, self.message)

    def __str__(self) -> str:
        return f"{self.span}: {self.message}"

    def __hash__(self) -> int:
        return id(self)

    @property
    def kind(self) -> str:
        return type(self).__name__

    def format(self) -> str:
        """``file:line:col: severity: message``, the line, a caret, the hint and notes."""
        out = [f"{self.span}: {self.severity}: {self.message}"]
        out += excerpt(self.span)
        out += [f"  note: {n.span}: {n.message}" for n in self.notes]
        if self.hint:
            out.append(f"  hint: {self.hint}")
        return "\n".join(out)


def excerpt(span: Span) -> list[str]:
    """The source line under ``span`` and a caret line (empty when there is no source)."""
    text = span.text_line
    if not text or span.line <= 0:
        return []
    start = max(0, span.col - 1 - MAX_EXCERPT // 2) if len(text) > MAX_EXCERPT else 0
    shown = text[start:start + MAX_EXCERPT].expandtabs(1)
    gutter = f"{span.line:>5} | "
    caret_at = max(0, span.col - 1 - start)
    width = max(1, min(span.caret_width(), len(shown) - caret_at))
    under = columns(shown[caret_at:caret_at + width]) or 1
    return [gutter + shown,
            " " * (len(gutter) - 2) + "| " + " " * columns(shown[:caret_at]) + "^" * under]


def columns(text: str) -> int:
    """Terminal columns: East Asian wide and fullwidth characters take two, combining
    marks none (the caret stays under its token)."""
    import unicodedata
    return sum(0 if unicodedata.combining(ch) else
               2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class SpecSyntaxError(SpecError):
    """The text does not parse."""


class SpecLimitError(SpecError):
    """A resource limit was exceeded (file size, nesting, repeat count, node count, depth)."""


class SpecNameError(SpecError):
    """An undefined, duplicate or ill-formed name."""


class SpecTypeError(SpecError):
    """A value of the wrong kind: a tensor where a number is needed, a bad argument type."""


class ArgumentError(SpecError):
    """Unknown, missing or duplicate arguments to a primitive or block."""


class ShapeError(SpecError):
    """Shape inference failed: mismatched merges, bad channel/group counts, empty outputs."""


class SpecImportError(SpecError):
    """An import that cannot be resolved, is forbidden by the import policy, or is cyclic."""


class GraphError(SpecError):
    """A structural problem in the elaborated graph: cycles, dead ends."""


class EvalError(SpecError):
    """An expression that cannot be evaluated: division by zero, overflow, NaN."""


class BudgetError(SpecError):
    """An audit budget (--max-params, ...) was exceeded."""


class SpecErrors(SpecError):
    """Several independent errors found in one spec; ``errors`` holds them in source order."""

    def __init__(self, errors: Iterable[SpecError]):
        errs = sorted(errors, key=lambda e: (e.span.file, e.span.line, e.span.col))
        super().__init__(errs[0].message if errs else "errors", errs[0].span if errs else UNKNOWN)
        self.errors = errs

    def format(self) -> str:
        return "\n\n".join(e.format() for e in self.errors)


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """A 'did you mean' hint for an unknown ``name`` among ``candidates``, or None."""
    pool = sorted(set(candidates))
    close = difflib.get_close_matches(name, pool, n=3, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in pool}
        close = [lowered[name.lower()]] if name.lower() in lowered else []
    if not close:
        return None
    return "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"


def flatten(err: SpecError) -> list[SpecError]:
    """The individual errors inside ``err`` (itself, unless it is a SpecErrors)."""
    return list(err.errors) if isinstance(err, SpecErrors) else [err]

