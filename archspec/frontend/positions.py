"""Source positions of parse-tree nodes, computed while lark builds the tree.

lark's ``propagate_positions`` wraps every reduction's callback; it was nearly half of the
parse of a large file. Most reductions are by unit rules (an operand passes through ten
precedence levels: ``?power: postfix``), where it has nothing to do, and its generic code looks
up optional attributes on each call. ``install`` does the same work, for the fields the AST
reads: each node's meta gets ``line``, ``column``, ``end_line``, ``end_column`` from its first
and last token, filtered ones (brackets, keywords) included, and ``container``: the span it
takes up where it was inlined, so that ``(a + b) * c`` starts at its parenthesis.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter
from typing import Any

from lark import Lark, Token, Tree
from lark.grammar import Rule


def install(lark: Lark) -> bool:
    """Wrap the callbacks of ``lark`` (built with ``propagate_positions=False``). Uses lark's
    per-rule callback table, which is not public API: False if it is missing."""
    callbacks = getattr(lark, "_callbacks", None)
    if not isinstance(callbacks, dict) or not any(isinstance(r, Rule) for r in callbacks):
        return False
    for rule, build in callbacks.items():
        if isinstance(rule, Rule):
            callbacks[rule] = FIRST if is_unit(rule) else Positions(build)
    return True


FIRST = itemgetter(0)


def is_unit(rule: Rule) -> bool:
    """``?a: b`` with ``b`` a rule kept in the tree: the reduction returns ``b``'s node, which
    has its positions already."""
    if len(rule.expansion) != 1 or not rule.options.expand1 or rule.alias:
        return False
    child = rule.expansion[0]
    return not child.is_term and not child.name.startswith("_")


class Positions:
    """A rule's callback, then the positions of the node it built."""

    __slots__ = ("build",)

    def __init__(self, build: Callable[[list], Any]):
        self.build = build

    def __call__(self, children: list) -> Any:
        node = self.build(children)
        if isinstance(node, Tree):
            first = first_token(children)
            if first is not None:
                last = last_token(children)
                meta = node.meta
                if meta.empty:  # else a `?rule` returned its child, which keeps its own span
                    meta.line, meta.column = first.line, first.column
                    meta.end_line, meta.end_column = last.end_line, last.end_column
                    meta.empty = False
                meta.first_token, meta.last_token = first, last  # of the container
        return node


def first_token(children: list) -> Token | None:
    for c in children:
        if isinstance(c, Tree):
            meta = c.meta
            if not meta.empty:
                return meta.first_token
        elif isinstance(c, Token):
            return c
    return None


def last_token(children: list) -> Token:
    for c in reversed(children):
        if isinstance(c, Tree):
            meta = c.meta
            if not meta.empty:
                return meta.last_token
        elif isinstance(c, Token):
            return c
    raise AssertionError("a node with a first token has a last one")
