"""Source files and spans: every AST node, graph node and error points back at the text."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True)
class SourceFile:
    """A spec's text with its display name (a path, or ``<string>``)."""

    name: str
    text: str

    @classmethod
    def read(cls, path: str | Path) -> SourceFile:
        return cls(str(path), Path(path).read_text(encoding="utf-8"))

    def line(self, number: int) -> str:
        """The 1-based line ``number`` without its newline ('' when out of range)."""
        lines = split_lines(self.text)
        return lines[number - 1] if 1 <= number <= len(lines) else ""

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based (line, column) of character ``offset``, lines as ``line`` counts them."""
        starts = line_starts(self.text)
        line = bisect_right(starts, offset)
        return line, offset - starts[line - 1] + 1


@lru_cache(maxsize=8)
def split_lines(text: str) -> tuple[str, ...]:
    """The lines of ``text``, kept for the few files being read (the parser asks for a line
    per definition, and splitting a 128 KiB file each time cost 60 ms per thousand).

    A line ends at ``\n`` (its ``\r`` in ``\r\n`` dropped), and nowhere else: that is the
    lexer's line, so a form feed, vertical tab or U+2028 in a comment or string does not move
    the line an error quotes (``str.splitlines`` would break there)."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return tuple(line[:-1] if line.endswith("\r") else line for line in lines)


@lru_cache(maxsize=8)
def line_starts(text: str) -> tuple[int, ...]:
    """The offset at which each ``\n``-terminated line begins."""
    return (0, *(m.end() for m in NEWLINE.finditer(text)))


NEWLINE = re.compile("\n")


@dataclass(frozen=True)
class Span:
    """A 1-based, inclusive-start / exclusive-end region of a source file."""

    source: SourceFile | None
    line: int
    col: int
    end_line: int | None = None
    end_col: int | None = None

    @property
    def file(self) -> str:
        return self.source.name if self.source else "<unknown>"

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"

    def __repr__(self) -> str:
        return f"Span({self})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Span):
            return NotImplemented
        return (self.file, self.line, self.col, self.end_line, self.end_col) == (
            other.file, other.line, other.col, other.end_line, other.end_col)

    def __hash__(self) -> int:
        return hash((self.file, self.line, self.col))

    @property
    def text_line(self) -> str:
        return self.source.line(self.line) if self.source else ""

    def caret_width(self) -> int:
        if self.end_line == self.line and self.end_col and self.end_col > self.col:
            return self.end_col - self.col
        return 1


UNKNOWN = Span(None, 0, 0)
