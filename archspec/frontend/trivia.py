"""Comments and blank lines of a spec file, attached to the AST nodes they belong to.

The parser drops comments; ``fmt`` and the YAML writer put them back. A comment is found in
the text (``arch_comments``, ``yaml_comments``) and attached by position (``attach``):

- an own-line comment leads the node that follows it, in the innermost list of statements,
  group items or chain elements that holds it; after the last one it is a closing comment of
  that list (printed before its ``}`` or ``]``);
- a comment after code trails the innermost such node that ends on its line; after an opening
  ``{`` or ``[`` it trails the bracket.

Both forms of a spec give the same AST with spans, so one attachment serves .arch and YAML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields

from archspec.frontend import ast as A
from archspec.source import SourceFile


@dataclass(frozen=True)
class Comment:
    line: int
    col: int
    text: str         # from its '#', trailing whitespace dropped
    own_line: bool    # nothing but whitespace before it on its line


# A string literal (skipped: a '#' in it is not a comment) or a comment. Strings end on their
# line in the grammar, and no other token holds a quote or '#', so in a file that lexes the
# leftmost match agrees with the lexer.
ARCH_TOKENS = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|#[^\n]*')
INDENT_CHARS = " \t\f"


def arch_comments(source: SourceFile, module: A.Module) -> list[Comment]:
    """The comments of an .arch file, but the ``##`` lines that document a definition."""
    text = source.text
    docs = doc_lines(module)
    out = []
    for m in ARCH_TOKENS.finditer(text):
        if m.group()[0] != "#":
            continue
        line, col = source.position(m.start())
        if line in docs:
            continue
        before = text[m.start() - col + 1:m.start()]
        out.append(Comment(line, col, m.group().rstrip(), not before.strip(INDENT_CHARS)))
    return out


def doc_lines(module: A.Module) -> set[int]:
    """The lines the ``##`` documentation of each definition was read from."""
    out: set[int] = set()
    for item in module.blocks:
        if item.doc is not None and item.span.line:
            count = item.doc.count("\n") + 1
            out.update(range(item.span.line - count, item.span.line))
    return out


YAML_BREAKS = "\n\r\x85\u2028\u2029"


def yaml_comments(source: SourceFile) -> list[Comment]:
    """The comments of a YAML file: a '#' outside every scalar, at a line's start or after
    whitespace, to the end of YAML's line."""
    import yaml
    text = source.text
    inside = [(t.start_mark.index, t.end_mark.index) for t in yaml.scan(text, Loader=yaml.SafeLoader)
              if isinstance(t, yaml.ScalarToken)]
    out, i = [], 0
    for m in re.finditer("#", text):
        at = m.start()
        while i < len(inside) and inside[i][1] <= at:
            i += 1
        if i < len(inside) and inside[i][0] <= at or (at and text[at - 1] not in " \t" +
                                                         YAML_BREAKS):
            continue
        end = min((j for j in (text.find(c, at) for c in YAML_BREAKS) if j >= 0),
                  default=len(text))
        start = max(text.rfind(c, 0, at) for c in YAML_BREAKS) + 1
        line, col = source.position(at)
        out.append(Comment(line, col, text[at:end].rstrip(), not text[start:at].strip(" \t")))
    return out


def blank_lines(source: SourceFile) -> frozenset[int]:
    return frozenset(n for n, line in enumerate(source.text.split("\n"), 1)
                     if not line.strip(INDENT_CHARS + "\r\v"))


# ---- attachment --------------------------------------------------------------------------

@dataclass
class Trivia:
    """Comments keyed by ``id`` of the node they lead or trail, or of the owner of the list
    they open or close; ``blanks`` are the source's empty lines."""

    leading: dict[int, list[Comment]] = field(default_factory=dict)
    trailing: dict[int, list[Comment]] = field(default_factory=dict)
    opening: dict[int, list[Comment]] = field(default_factory=dict)
    closing: dict[int, list[Comment]] = field(default_factory=dict)
    blanks: frozenset[int] = frozenset()
    extents: Extents | None = None
    indented: bool = False  # YAML: a comment indented under a definition belongs inside it

    def add(self, table: dict[int, list[Comment]], node: A.Node, c: Comment) -> None:
        table.setdefault(id(node), []).append(c)

    def blank_between(self, after: int, before: int) -> bool:
        """Whether the source had an empty line between lines ``after`` and ``before``."""
        if not self.blanks or before - after < 2:
            return False
        return any(n in self.blanks for n in range(after + 1, before))

    def has_comments(self) -> bool:
        return bool(self.leading or self.trailing or self.opening or self.closing)

    def has_any(self, node: A.Node) -> bool:
        key = id(node)
        return key in self.leading or key in self.trailing or key in self.opening or \
            key in self.closing


NO_TRIVIA = Trivia()


@dataclass
class Container:
    """A list of nodes that comments sit between: statements, group items, chain elements."""

    owner: A.Node
    kind: str   # module | body | group | chain
    items: list


class Extents:
    """The first and last line of each node, its children included (a YAML node's span is
    its key's, its body lies below)."""

    def __init__(self) -> None:
        self.cache: dict[int, tuple[int, int]] = {}

    def of(self, node: A.Node) -> tuple[int, int]:
        key = id(node)
        if key not in self.cache:
            self.cache[key] = self._compute(node)
        return self.cache[key]

    def _compute(self, node: A.Node) -> tuple[int, int]:
        span = node.span
        first, last = (span.line, span.end_line or span.line) if span.line else (10**9, 0)
        for child in children(node):
            f, la = self.of(child)
            first, last = min(first, f), max(last, la)
        return first, last


def children(node: A.Node) -> list[A.Node]:
    out: list[A.Node] = []
    for f in fields(node):
        if f.name in ("span", "name_span"):
            continue
        value = getattr(node, f.name)
        if isinstance(value, A.Node):
            out.append(value)
        elif isinstance(value, list):
            out.extend(v for v in value if isinstance(v, A.Node))
    return out


def containers(node: A.Node) -> list[Container]:
    """The comment-holding lists directly under ``node``."""
    if isinstance(node, A.Module):
        return [Container(node, "module", node.order)]
    if isinstance(node, (A.BlockDef, A.For)):
        return [Container(node, "body", node.body)]
    if isinstance(node, A.Chain):
        return [Container(node, "chain", [node.head, *node.elements])]
    if isinstance(node, (A.Group, A.GroupFor)):
        return [Container(node, "group", node.items)]
    if isinstance(node, A.Label):
        return []
    return [c for child in children(node) for c in containers(child)]


def attach(module: A.Module, comments: list[Comment], blanks: frozenset[int],
           indented: bool = False) -> Trivia:
    trivia = Trivia(blanks=blanks, extents=Extents(), indented=indented)
    top = containers(module)[0]
    for c in comments:
        if not place(trivia, top, c):
            trivia.add(trivia.closing, module, c)
    return trivia


def place(trivia: Trivia, box: Container, c: Comment) -> bool:
    """Attach ``c`` inside ``box``; False when it belongs to the node that owns ``box``."""
    ext = trivia.extents
    assert ext is not None
    items = box.items
    j = last_starting_at_or_before(items, c.line, ext)
    if j < 0:
        return _before_first(trivia, box, c)
    node = items[j]
    first, last = ext.of(node)
    if c.line > last:
        if c.own_line and trivia.indented and _indented_under(node, c):
            sub = containers(node)[0]
            if place(trivia, sub, c):
                return True
        if not c.own_line:
            trivia.add(trivia.trailing, node, c)
        elif j + 1 < len(items):
            trivia.add(trivia.leading, items[j + 1], c)
        elif box.kind == "chain":
            return False
        else:
            trivia.add(trivia.closing, box.owner, c)
        return True
    if c.line < last or c.own_line:
        for sub in containers(node):
            f, la = ext.of(sub.owner)
            if f <= c.line <= la and place(trivia, sub, c):
                return True
    if box.kind == "chain" and j == len(items) - 1 and not c.own_line:
        return False  # what follows a chain's end may share its line: the owner's comment
    trivia.add(trivia.leading if c.own_line and c.line < last else trivia.trailing, node, c)
    return True


def _before_first(trivia: Trivia, box: Container, c: Comment) -> bool:
    if box.kind == "chain":
        return False
    if c.own_line and box.items:
        trivia.add(trivia.leading, box.items[0], c)
    elif c.own_line:
        trivia.add(trivia.closing, box.owner, c)
    else:
        trivia.add(trivia.opening, box.owner, c)
    return True


def last_starting_at_or_before(items: list, line: int, ext: Extents) -> int:
    j = -1
    for i, node in enumerate(items):
        if ext.of(node)[0] > line:
            break
        j = i
    return j


def arch_trivia(source: SourceFile, module: A.Module) -> Trivia:
    return attach(module, arch_comments(source, module), blank_lines(source))


def yaml_trivia(source: SourceFile, module: A.Module) -> Trivia:
    return attach(module, yaml_comments(source), blank_lines(source), indented=True)


def _indented_under(node: A.Node, c: Comment) -> bool:
    """In YAML, whether ``c`` sits deeper than ``node``'s key, inside its body."""
    return isinstance(node, (A.BlockDef, A.For)) and c.col > node.span.col

