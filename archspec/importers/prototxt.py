"""Protocol-buffer text format (Caffe's .prototxt), parsed without a schema.

Every field keeps the Span of its name, so an importer can point at the exact line:col of a
value it rejects. Syntax errors are SpecSyntaxErrors at the offending token.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from archspec.errors import SpecSyntaxError
from archspec.source import SourceFile, Span

TOKEN = re.compile(r"""
    (?P<ws>[ \t\r\n\f\v,;]+|\#[^\n]*)
  | (?P<str>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<num>[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)[fF]?(?![\w.]))
  | (?P<ident>-?[A-Za-z_][\w.]*)
  | (?P<punct>[{}<>:\[\]])
""", re.VERBOSE)
CLOSE = {"{": "}", "<": ">"}
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'"}


@dataclass
class Field:
    """``name: value`` (a scalar: int, float, str, bool, or an enum name as str) or
    ``name { ... }`` (a Message)."""

    name: str
    value: int | float | str | bool | Message
    span: Span
    is_enum: bool = False


@dataclass
class Message:
    fields: list[Field] = field(default_factory=list)
    span: Span = field(default_factory=lambda: Span(None, 0, 0))

    def all(self, name: str) -> list[Field]:
        return [f for f in self.fields if f.name == name]

    def first(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def get(self, name: str, default: object = None) -> object:
        """The value of the last ``name`` (protobuf semantics for a repeated singular field)."""
        found = self.all(name)
        return found[-1].value if found else default

    def values(self, name: str) -> list[object]:
        return [f.value for f in self.all(name)]

    def sub(self, name: str) -> Message:
        """The sub-message ``name``, or an empty message when absent."""
        value = self.get(name)
        return value if isinstance(value, Message) else Message(span=self.span)


@dataclass
class Token:
    kind: str
    text: str
    span: Span


def tokens(source: SourceFile) -> Iterator[Token]:
    text, pos, line, line_start = source.text, 0, 1, 0
    while pos < len(text):
        m = TOKEN.match(text, pos)
        span = Span(source, line, pos - line_start + 1)
        if m is None:
            raise SpecSyntaxError(f"unexpected character {text[pos]!r}", span,
                                  hint="prototxt fields look like `name: value` or `name { ... }`")
        kind = m.lastgroup or ""
        if kind != "ws":
            yield Token(kind, m.group(), Span(source, line, span.col, line,
                                              span.col + len(m.group())))
        newlines = m.group().count("\n")
        if newlines:
            line += newlines
            line_start = pos + m.group().rfind("\n") + 1
        pos = m.end()
    end_col = len(text) - line_start + 1
    yield Token("eof", "", Span(source, line, end_col))


class Parser:
    def __init__(self, source: SourceFile):
        self.toks = tokens(source)
        self.tok = next(self.toks)

    def advance(self) -> Token:
        tok, self.tok = self.tok, next(self.toks)
        return tok

    def message(self, close: str | None, span: Span) -> Message:
        msg = Message(span=span)
        while not (self.tok.kind == "punct" and self.tok.text == close):
            if self.tok.kind == "eof":
                if close is None:
                    return msg
                raise SpecSyntaxError(f"missing '{close}' before the end of the file",
                                      self.tok.span, hint=f"the block opened at {span} is "
                                      "not closed")
            msg.fields.append(self.field())
        self.advance()
        return msg

    def field(self) -> Field:
        name = self.advance()
        if name.kind != "ident":
            raise SpecSyntaxError(f"expected a field name, got {name.text!r}", name.span)
        colon = self.tok.kind == "punct" and self.tok.text == ":"
        if colon:
            self.advance()
        if self.tok.kind == "punct" and self.tok.text in CLOSE:
            opener = self.advance()
            return Field(name.text, self.message(CLOSE[opener.text], opener.span), name.span)
        if not colon:
            raise SpecSyntaxError(f"expected ':' or '{{' after '{name.text}', got "
                                  f"{self.tok.text or 'the end of the file'!r}", self.tok.span)
        value, is_enum = self.scalar()
        return Field(name.text, value, name.span, is_enum)

    def scalar(self) -> tuple[int | float | str | bool, bool]:
        tok = self.advance()
        if tok.kind == "num":
            return number(tok), False
        if tok.kind == "str":
            text = unquote(tok)
            while self.tok.kind == "str":   # adjacent strings concatenate
                text += unquote(self.advance())
            return text, False
        if tok.kind == "ident":
            lowered = tok.text.lower()
            if lowered in ("true", "false"):
                return lowered == "true", False
            if lowered.lstrip("-") in ("inf", "infinity", "nan"):
                return float(lowered), False
            return tok.text, True
        raise SpecSyntaxError(f"expected a value, got {tok.text or 'the end of the file'!r}",
                              tok.span)


def number(tok: Token) -> int | float:
    text = tok.text.rstrip("fF")
    try:
        return int(text)
    except ValueError:
        return float(text)


def unquote(tok: Token) -> str:
    body, out, i = tok.text[1:-1], [], 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body):
            out.append(ESCAPES.get(body[i + 1], body[i + 1]))
            i += 2
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


def parse_prototxt(source: SourceFile) -> Message:
    """The top-level message of ``source``."""
    return Parser(source).message(None, Span(source, 1, 1))
