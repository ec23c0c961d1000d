"""Writes syntaxes/archspec.tmLanguage.json: the TextMate grammar, with the primitive and
builtin names read from archspec itself (run again when primitives are added):

    python editors/vscode/grammar.py
"""

from __future__ import annotations

import json
from pathlib import Path

from archspec.lexer import builtin_names, primitive_names

OUT = Path(__file__).resolve().parent / "syntaxes" / "archspec.tmLanguage.json"
NAME = r"[[:alpha:]_][[:alnum:]_]*"


def rule(name: str, match: str) -> dict:
    return {"name": name, "match": match}


def captures(match: str, *names: str) -> dict:
    return {"match": match, "captures": {str(i): {"name": n} for i, n in enumerate(names, 1)}}


def repository() -> dict:
    words = "|".join
    return {
        "comments": [rule("comment.line.documentation.archspec", "##.*$"),
                     rule("comment.line.number-sign.archspec", "#.*$")],
        "strings": [rule("string.quoted.double.archspec", r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"'),
                    rule("string.quoted.single.archspec", r"'[^'\\\n]*(?:\\.[^'\\\n]*)*'")],
        "definitions": [captures(rf"\b(block|network)\s+({NAME})", "storage.type.archspec",
                                 "entity.name.function.archspec")],
        "keywords": [
            rule("constant.language.boolean.archspec", r"\b(true|false)\b"),
            rule("constant.language.none.archspec", r"\bnone\b"),
            rule("keyword.control.import.archspec", r"\b(import|as)\b"),
            rule("keyword.operator.logical.archspec", r"\b(and|or|not)\b"),
            rule("keyword.control.archspec",
                 r"\b(let|input|where|out|aux|for|in|assert|if|else)\b")],
        "annotations": [captures(rf"(@)({NAME})", "punctuation.decorator.archspec",
                                 "entity.name.decorator.archspec")],
        "labels": [captures(rf"({NAME})\s*(:)(?!=)", "entity.name.label.archspec",
                            "punctuation.separator.label.archspec")],
        "calls": [rule("support.function.primitive.archspec",
                       rf"\b({words(primitive_names())})\b"),
                  rule("support.function.builtin.archspec",
                       rf"\b({words(builtin_names())})\b(?=\s*\()")],
        "numbers": [rule("constant.numeric.float.archspec",
                         r"\b([0-9][0-9_]*\.[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?"
                         r"|\b[0-9]+[eE][+-]?[0-9]+\b"),
                    rule("constant.numeric.integer.archspec", r"\b(0|[1-9][0-9_]*)\b")],
        "operators": [rule("keyword.operator.chain.archspec", "->"),
                      rule("keyword.operator.archspec", r"\*\*|//|==|!=|<=|>=|[-+*/%<>=]")],
        "punctuation": [rule("punctuation.bracket.archspec", r"[()\[\]{}]"),
                        rule("punctuation.separator.archspec", r"[,;:.]"),
                        rule("punctuation.separator.continuation.archspec", r"\\$")],
        "names": [rule("variable.other.archspec", NAME)],
        "invalid": [rule("invalid.illegal.archspec", r"\S")],
    }


def grammar() -> dict:
    repo = {k: {"patterns": v} for k, v in repository().items()}
    repo["main"] = {"patterns": [{"include": f"#{k}"} for k in repository()]}
    return {"name": "archspec", "scopeName": "source.archspec", "fileTypes": ["arch"],
            "patterns": [{"include": "#main"}], "repository": repo}


def text() -> str:
    return json.dumps(grammar(), indent=2) + "\n"


if __name__ == "__main__":
    OUT.write_text(text(), encoding="utf-8")
    print(f"wrote {OUT}")
