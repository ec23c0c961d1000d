"""A Pygments lexer for ``.arch`` specs (registered as ``archspec`` by entry point), for the
docs and for colouring excerpts: ``pygmentize -l archspec specs/resnet50.arch``."""

from __future__ import annotations

from pygments.lexer import RegexLexer, bygroups, words
from pygments.token import (
    Comment,
    Keyword,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Text,
    Whitespace,
)

KEYWORDS = ("import", "as", "let", "input", "where", "out", "aux", "for", "in", "assert", "if",
            "else", "and", "or", "not")
NAME = r"[^\W\d]\w*"


def primitive_names() -> list[str]:
    from archspec.ops.registry import load_all
    return sorted(load_all())


def builtin_names() -> list[str]:
    from archspec.elaborate.builtins import BUILTINS
    return sorted(BUILTINS)


class ArchLexer(RegexLexer):
    """archspec's architecture language: blocks, networks, chains of layers."""

    name = "archspec"
    aliases = ["archspec", "arch"]
    filenames = ["*.arch"]
    mimetypes = ["text/x-archspec"]

    tokens = {
        "root": [
            (r"[ \t\f]+", Whitespace),
            (r"\r?\n", Whitespace),
            (r"\\[ \t\f]*\r?\n", Text),
            (r"##[^\n]*", Comment.Special),
            (r"#[^\n]*", Comment.Single),
            (r'"[^"\\\n]*(\\.[^"\\\n]*)*"', String.Double),
            (r"'[^'\\\n]*(\\.[^'\\\n]*)*'", String.Single),
            (rf"(block|network)(\s+)({NAME})", bygroups(Keyword.Declaration, Whitespace,
                                                      Name.Function)),
            (words(("true", "false", "none"), suffix=r"\b"), Keyword.Constant),
            (words(KEYWORDS, suffix=r"\b"), Keyword),
            (rf"(@)({NAME})", bygroups(Operator, Name.Decorator)),
            (rf"({NAME})(\s*)(:)(?!=)", bygroups(Name.Label, Whitespace, Punctuation)),
            (words(primitive_names(), suffix=r"\b"), Name.Builtin),
            (words(builtin_names(), suffix=r"\b"), Name.Builtin.Pseudo),
            (NAME, Name),
            (r"([0-9][0-9_]*\.[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+",
             Number.Float),
            (r"0|[1-9][0-9_]*", Number.Integer),
            (r"->|\*\*|//|==|!=|<=|>=|[-+*/%<>=]", Operator),
            (r"[()\[\]{},;:.]", Punctuation),
        ],
    }
