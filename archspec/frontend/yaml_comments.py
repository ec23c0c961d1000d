"""Comments into the YAML form: ``to_yaml`` dumps plain data, then the comments ``trivia``
attached to each top-level item and statement are written around its lines.

A YAML expression is one string, with no room for a comment inside it: comments attached to
a node inside an expression (a chain element, a group item) are written on their own lines
above its statement, in source order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from archspec.frontend import ast as A
from archspec.frontend.trivia import Comment, Trivia, children

YAML_BREAKS = str.maketrans({c: " " for c in "\r\x85\u2028\u2029"})


@dataclass
class Place:
    """Where a node's text is in the dumped YAML (0-based lines)."""

    first: int      # its key's line (or the sequence item's)
    trail: int      # the line a trailing comment goes at the end of
    last: int       # its value's last line
    indent: int     # the column of its key or of the item's '-'
    key_col: int


def add_comments(text: str, paths: list[tuple[tuple, A.Node]], trivia: Trivia,
                 module: A.Module) -> str:
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    lines = text.split("\n")
    above: dict[int, list[str]] = {}
    below: dict[int, list[str]] = {}
    ends: dict[int, list[str]] = {}
    anchors = {id(node) for _, node in paths}
    for path, node in paths:
        place = locate(root, path)
        pad = " " * place.indent
        lead = trivia.leading.get(id(node), []) + sorted(
            inner_comments(node, trivia, anchors), key=lambda c: c.line)
        above.setdefault(place.first, []).extend(pad + clean(c) for c in lead)
        trail = trivia.opening.get(id(node), []) + trivia.trailing.get(id(node), [])
        ends.setdefault(place.trail, []).extend(clean(c) for c in trail)
        inside = " " * (place.key_col + 2)
        below.setdefault(place.last, []).extend(
            inside + clean(c) for c in trivia.closing.get(id(node), []))
    out = []
    for n, line in enumerate(lines):
        out += above.get(n, [])
        out.append(line + "".join("  " + c for c in ends.get(n, [])))
        out += below.get(n, [])
    tail = [clean(c) for c in trivia.closing.get(id(module), [])]
    return "\n".join(out).rstrip("\n") + "\n" + "".join(t + "\n" for t in tail)


def clean(c: Comment) -> str:
    """YAML ends a comment at a CR, U+0085, U+2028 or U+2029 too: those become spaces."""
    return c.text.translate(YAML_BREAKS)


def inner_comments(node: A.Node, trivia: Trivia, anchors: set[int]) -> list[Comment]:
    """Comments attached below ``node`` but to no top-level item or statement."""
    out: list[Comment] = []
    stack = [c for c in children(node) if id(c) not in anchors]
    while stack:
        n = stack.pop()
        key = id(n)
        for table in (trivia.leading, trivia.trailing, trivia.opening, trivia.closing):
            out += table.get(key, [])
        stack.extend(c for c in children(n) if id(c) not in anchors)
    return out


def locate(root: yaml.Node, path: tuple) -> Place:
    node, key = root, None
    for step in path:
        if isinstance(node, yaml.MappingNode):
            key, node = next((k, v) for k, v in node.value if k.value == step)
        else:
            key, node = None, node.value[step]
    if key is None:  # a sequence item: a scalar, or a statement's one-entry mapping
        start = node.start_mark
        value = node.value[0][1] if isinstance(node, yaml.MappingNode) else node
        return Place(start.line, trail_line(start.line, value), last_line(node),
                     max(0, start.column - 2), start.column)
    return Place(key.start_mark.line, trail_line(key.start_mark.line, node), last_line(node),
                 key.start_mark.column, key.start_mark.column)


def trail_line(key_line: int, value: yaml.Node) -> int:
    if isinstance(value, yaml.ScalarNode) or getattr(value, "flow_style", False):
        return value.end_mark.line
    return key_line


def last_line(node: yaml.Node) -> int:
    if isinstance(node, yaml.ScalarNode) or getattr(node, "flow_style", False) or \
            not node.value:
        return node.end_mark.line
    items: list[Any] = node.value
    last = items[-1]
    return last_line(last[1] if isinstance(last, tuple) else last)
