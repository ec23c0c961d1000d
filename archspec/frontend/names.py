"""The identifier rule of the language, shared by the .arch grammar and the YAML reader."""

from __future__ import annotations

import re

from archspec.errors import SpecSyntaxError
from archspec.source import Span

NAME = re.compile(r"[^\W\d]\w*\Z")  # the grammar's NAME terminal (arch.lark)
# Words the grammar reads as keywords where an expression starts (`in`, `true`, ...): a label
# spelt like one must stay quoted.
EXPRESSION_KEYWORDS = frozenset({"true", "false", "if", "in", "not", "for", "and", "or"})


def is_name(text: str) -> bool:
    return NAME.match(text) is not None


def check_name(text: str, span: Span, what: str) -> str:
    """``text`` if it is an identifier, else the error .arch text would have given."""
    if not is_name(text):
        raise SpecSyntaxError(f"{what} '{text}' is not a valid name", span,
                              hint="a name is letters, digits and _, not starting with a digit")
    return text
