"""Spans (1-based, end exclusive) <-> LSP ranges (0-based), and words under the cursor."""

from __future__ import annotations

import re
from pathlib import Path

from lsprotocol import types as T

from archspec.source import Span

WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def to_range(span: Span) -> T.Range:
    """The span's range; a span without an end covers the word (or one character) at it."""
    start = T.Position(max(span.line - 1, 0), max(span.col - 1, 0))
    if span.end_line is not None and span.end_col is not None:
        return T.Range(start, T.Position(max(span.end_line - 1, 0), max(span.end_col - 1, 0)))
    word = WORD.match(span.text_line, start.character)
    width = word.end() - word.start() if word else 1
    return T.Range(start, T.Position(start.line, start.character + width))


def contains(span: Span, line: int, col: int) -> bool:
    """Whether 1-based (line, col) lies inside ``span`` (a span without an end: its line)."""
    if span.line <= 0 or line < span.line:
        return False
    if line == span.line and col < span.col:
        return False
    if span.end_line is None or span.end_col is None:
        return line == span.line
    return line < span.end_line or (line == span.end_line and col < span.end_col)


def within(inner: Span, outer: Span) -> bool:
    """Whether ``inner`` starts inside ``outer`` (same file)."""
    return inner.file == outer.file and contains(outer, inner.line, inner.col)


def size(span: Span) -> tuple[int, int]:
    """A sort key: smaller spans first (lines, then columns)."""
    if span.end_line is None or span.end_col is None:
        return (0, 1)
    return (span.end_line - span.line, span.end_col - span.col)


def word_at(text: str, pos: T.Position) -> tuple[str, T.Range] | None:
    """The identifier (dotted parts separately) under ``pos``, with its range."""
    lines = text.splitlines()
    if pos.line >= len(lines):
        return None
    line = lines[pos.line]
    for m in WORD.finditer(line):
        if m.start() <= pos.character <= m.end():
            return m.group(), T.Range(T.Position(pos.line, m.start()),
                                      T.Position(pos.line, m.end()))
    return None


def same_file(span: Span, path: Path) -> bool:
    return span.source is not None and span.file == str(path)


def uri_of(file: str) -> str:
    return Path(file).resolve().as_uri()
