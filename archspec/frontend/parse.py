"""Text -> lark parse tree. Lark errors become located SpecSyntaxErrors."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from archspec.errors import SpecLimitError, SpecSyntaxError
from archspec.frontend import positions
from archspec.limits import LIMITS
from archspec.source import SourceFile, Span
from archspec.units import fmt_bytes

GRAMMAR = Path(__file__).with_name("arch.lark")
OPENERS = {"LPAR": "RPAR", "LSQB": "RSQB", "LBRACE": "RBRACE"}
CLOSERS = set(OPENERS.values())


class NewlinePostLex:
    """Drops newlines inside ( ) and [ ] (and inside braces opened within them); bounds
    bracket nesting.

    It never looks ahead: lark's contextual lexer lexes each token in the parser state reached
    so far. The bound makes a pathological file fail with a located error, not a deep stack.
    """

    always_accept = ("_NL",)

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        stack: list[tuple[str, bool]] = []  # (opener, newlines significant inside)
        for tok in stream:
            kind = tok.type
            if kind == "_NL" and stack and not stack[-1][1]:
                continue
            if kind in OPENERS or kind in CLOSERS:  # most tokens are neither: no call
                self._track(stack, tok)
            yield tok

    def _track(self, stack: list[tuple[str, bool]], tok: Token) -> None:
        if tok.type in OPENERS:
            significant = tok.type == "LBRACE" and (not stack or stack[-1][1])
            stack.append((tok.type, significant))
            if len(stack) > LIMITS.max_nesting:
                raise _Nesting(tok)
        elif tok.type in CLOSERS and stack and OPENERS[stack[-1][0]] == tok.type:
            stack.pop()


class _Nesting(Exception):
    def __init__(self, tok: Token):
        super().__init__()
        self.tok = tok


@cache
def parser() -> Lark:
    """One LALR parser for whole files (``start``) and single expressions (``expr``); its
    tables are cached on disk by lark, keyed by the grammar's hash. Node positions come from
    positions.py, or from lark's slower ``propagate_positions`` where that cannot hook in."""
    lark = build_parser(propagate_positions=False)
    return lark if positions.install(lark) else build_parser(propagate_positions=True)


def build_parser(propagate_positions: bool) -> Lark:
    return Lark(GRAMMAR.read_text(), parser="lalr", lexer="contextual", start=["start", "expr"],
                cache=True, postlex=NewlinePostLex(), propagate_positions=propagate_positions,
                maybe_placeholders=True)


def parse_tree(source: SourceFile, start: str = "start") -> Tree:
    """Parse ``source`` (the whole file, or one expression with ``start='expr'``)."""
    check_size(source)
    check_bidi(source)
    try:
        tree = parser().parse(source.text, start=start)
    except _Nesting as e:
        raise SpecLimitError(f"brackets nested deeper than {LIMITS.max_nesting}",
                             span_of(source, e.tok), hint="flatten the expression") from None
    except UnexpectedInput as e:
        raise syntax_error(source, e) from None
    check_depth(source, tree)
    return tree


def check_depth(source: SourceFile, tree: Tree) -> None:
    """Bound the syntax tree's depth (``1 + 1 + ... + 1`` nests one level per operator), so
    that the recursive passes after the parser never exhaust Python's stack."""
    stack = [(tree, 1)]
    while stack:
        t, depth = stack.pop()
        if depth > LIMITS.max_depth:
            meta = t.meta
            tok = first_token(t)
            span = (Span(source, meta.line, meta.column) if not meta.empty else
                    span_of(source, tok) if tok is not None else Span(source, 1, 1))
            raise SpecLimitError(f"expression nested deeper than {LIMITS.max_depth} levels",
                                 span, hint="split it into named parts with `let`")
        stack.extend((c, depth + 1) for c in reversed(t.children) if isinstance(c, Tree))


def first_token(t: Tree) -> Token | None:
    """The first token under ``t``, found without recursion (the tree is too deep)."""
    stack: list = [t]
    while stack:
        item = stack.pop()
        if isinstance(item, Token):
            return item
        if isinstance(item, Tree):
            stack.extend(reversed(item.children))
    return None


BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def check_bidi(source: SourceFile) -> None:
    """Bidirectional control characters make a spec display differently from how it parses
    (CVE-2021-42574, "Trojan Source"); they are refused anywhere, comments included."""
    m = BIDI.search(source.text)
    if m:
        at = m.start()
        line = source.text.count("\n", 0, at) + 1
        col = at - (source.text.rfind("\n", 0, at) + 1) + 1
        raise SpecSyntaxError(f"bidirectional control character {describe_char(m.group())}",
                              Span(source, line, col),
                              hint="it can make the text display differently from how it "
                                   "parses; delete it")


def check_size(source: SourceFile) -> None:
    if len(source.text) <= LIMITS.max_file_bytes // 4:  # at most 4 bytes per character
        return
    size = len(source.text.encode("utf-8", "surrogatepass"))
    if size > LIMITS.max_file_bytes:
        raise SpecLimitError(
            f"spec file is {fmt_bytes(size)}; the limit is {fmt_bytes(LIMITS.max_file_bytes)}",
            Span(source, 1, 1), hint="split the network across files with `import`")


def span_of(source: SourceFile, tok: Token) -> Span:
    end_line = tok.end_line or tok.line
    end_col = tok.end_column or (tok.column or 1) + max(1, len(tok))
    return Span(source, tok.line or 1, tok.column or 1, end_line, end_col)


def syntax_error(source: SourceFile, e: UnexpectedInput) -> SpecSyntaxError:
    if isinstance(e, UnexpectedCharacters):
        char = source.text[e.pos_in_stream] if e.pos_in_stream < len(source.text) else "?"
        if char == ">" and source.text[e.pos_in_stream - 1:e.pos_in_stream] == "-":
            return SpecSyntaxError("unexpected '->'", Span(source, e.line, e.column - 1,
                                                           e.line, e.column + 1),
                                   hint="a chain needs a layer between two arrows")
        return SpecSyntaxError(f"unexpected character {char!r}", Span(source, e.line, e.column),
                               hint=_char_hint(char))
    if isinstance(e, UnexpectedEOF) or (isinstance(e, UnexpectedToken) and e.token.type == "$END"):
        line = max(1, source.text.count("\n") + (0 if source.text.endswith("\n") else 1))
        col = len(source.line(line)) + 1
        return SpecSyntaxError("unexpected end of file", Span(source, line, col),
                               hint=_expected_hint(getattr(e, "expected", set())))
    assert isinstance(e, UnexpectedToken)
    tok = e.token
    if str(tok) == ">" and tok.start_pos and source.text[tok.start_pos - 1] == "-":
        return SpecSyntaxError("unexpected '->'", Span(source, tok.line, tok.column - 1,
                                                       tok.line, tok.column + 1),
                               hint="a chain needs a layer between two arrows")
    what = "end of line" if tok.type == "_NL" else repr(str(tok))
    span = span_of(source, tok) if tok.type != "_NL" else Span(source, tok.line, tok.column)
    return SpecSyntaxError(f"unexpected {what}", span, hint=_expected_hint(e.expected))


READABLE = {
    "NAME": "a name", "INT": "an integer", "FLOAT": "a number", "STRING": "a string",
    "RPAR": "')'", "LPAR": "'('", "RSQB": "']'", "LSQB": "'['", "RBRACE": "'}'", "LBRACE": "'{'",
    "COMMA": "','", "COLON": "':'", "EQUAL": "'='", "ARROW": "'->'", "_NL": "a new line",
    "SEMICOLON": "';'", "MINUS": "'-'", "PLUS": "'+'", "DOT": "'.'", "AT": "'@'",
    "ADD_OP": "'+'", "MUL_OP": "'*'", "COMP_OP": "a comparison", "POW": "'**'",
}


def _expected_hint(expected: set[str] | frozenset[str]) -> str | None:
    names = sorted({READABLE.get(t, _keyword(t)) for t in expected} - {None})
    if not names:
        return None
    if len(names) > 6:
        names = names[:6] + ["..."]
    return "expected " + ", ".join(names)


def _keyword(terminal: str) -> str | None:
    if terminal.isupper() and terminal.isalpha() and len(terminal) > 1:
        return f"'{terminal.lower()}'"
    return None


def _char_hint(char: str) -> str | None:
    if char in "\u201c\u201d\u2018\u2019":
        return "use straight quotes (\" or ') instead of typographic quotes"
    if char == "\u2212":
        return "use the ASCII minus sign '-'"
    if char == "\t":
        return None
    if char in "\"'":
        return "a string ends on the line it starts on"
    if char == "\r":
        return "end lines with \\n or \\r\\n, not a lone \\r"
    if char in "\u00a0\u200b\u200c\u200d\u2060\ufeff" or unicodedata.category(char) == "Cf":
        return f"invisible character {describe_char(char)}: delete it"
    if not char.isprintable() or char == "\ufffd":
        return "the file contains binary or non-printable characters"
    return None


def describe_char(char: str) -> str:
    """``U+200B ZERO WIDTH SPACE``."""
    return f"U+{ord(char):04X} {unicodedata.name(char, 'unnamed character')}"
