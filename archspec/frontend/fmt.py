"""AST -> canonical .arch text (``archspec fmt``). Parsing the output gives the same AST;
comments come back from a ``Trivia`` table (frontend/trivia.py, fmt_comments.py)."""

from __future__ import annotations

import math
import re

from archspec.frontend import ast as A
from archspec.frontend.fmt_comments import CommentWriter
from archspec.frontend.names import EXPRESSION_KEYWORDS, is_name
from archspec.frontend.trivia import NO_TRIVIA, Trivia

INDENT = "  "
# Binding strength: a node printed where the grammar wants a stronger one is parenthesised.
CHAIN_PREC = 0
LABELED_PREC = 1  # a chain element or group item (grammar: element)
PREC = {"or": 2, "and": 3, "not": 4, "==": 5, "!=": 5, "<": 5, "<=": 5, ">": 5, ">=": 5,
        "+": 6, "-": 6, "*": 7, "/": 7, "//": 7, "%": 7, "neg": 8, "**": 9}
POSTFIX_PREC = 10
LINE = 96


def format_module(m: A.Module, trivia: Trivia = NO_TRIVIA) -> str:
    """Canonical text: imports, file-level lets, blocks, then networks, each in source order
    (a blank line between definitions; imports and lets together unless the source
    separated them), with the comments ``trivia`` attaches to them (none by default);
    ``##`` documentation is always kept."""
    return Formatter(trivia).module(m)


def format_oneline(e: A.Expr) -> str:
    """``e`` on one line, however long (for YAML values)."""
    return Formatter(width=10**9).expr(e)


def format_expr(e: A.Expr | None, depth: int = 0, prec: int = CHAIN_PREC) -> str:
    return Formatter().expr(e, depth, prec)


def format_stmt(s: A.Stmt, depth: int) -> str:
    return Formatter().stmt(s, depth)


def format_item(item: A.Node) -> str:
    return Formatter().item(item)


def _is_definition(item: A.Node) -> bool:
    return isinstance(item, (A.BlockDef, A.NetworkAlias))


def _rank(item: A.Node) -> int:
    if isinstance(item, (A.Import, A.Let)):
        return 0 if isinstance(item, A.Import) else 1
    return 3 if getattr(item, "is_network", False) else 2


class Formatter(CommentWriter):
    def __init__(self, trivia: Trivia = NO_TRIVIA, width: int = LINE, quote: str = '"'):
        super().__init__(trivia)
        self.quote = quote
        self.width = width

    # ---- module and statements --------------------------------------------------------
    def module(self, m: A.Module) -> str:
        out: list[str] = []
        previous: A.Node | None = None
        for item in sorted(m.order, key=_rank):
            grouped = isinstance(item, (A.Import, A.Let)) and type(item) is type(previous)
            if previous is not None and (not grouped or self._blank_before(previous, item)):
                out.append("\n")
            out.append(self.lead(item, "", paragraphs=True, definition=_is_definition(item)) +
                       self.item(item) + self.trail(item) + "\n")
            previous = item
        last = self._last_line(previous) if previous is not None else 0
        out.append(self.closing(m, "", last if previous is not None else None))
        text = "".join(out).rstrip()
        return self.place_comments(text) + "\n" if text else ""

    def _blank_before(self, previous: A.Node, node: A.Node) -> bool:
        return self.trivia.blank_between(self._last_line(previous), self._entry_first_line(node))

    def item(self, item: A.Node) -> str:
        if isinstance(item, A.Import):
            target = _quote(item.path) if item.path is not None else ".".join(item.dotted or [])
            return f"import {target}" + (f" as {item.alias}" if item.alias else "")
        if isinstance(item, A.Let):
            return self.stmt(item, 0)
        if isinstance(item, A.NetworkAlias):
            return _doc(item.doc) + f"network {item.name} = {item.target}" \
                f"({self.args(item.args, item.kwargs)})"
        assert isinstance(item, A.BlockDef)
        head = "network" if item.is_network else "block"
        params = ", ".join(self.param(p) for p in item.params)
        sig = f"{head} {item.name}({params})" if (params or not item.is_network) else \
            f"{head} {item.name}"
        return _doc(item.doc) + sig + " {" + self.opening(item) + "\n" + \
            self.body(item, item.body, 1) + "}"

    def param(self, p: A.ParamDef) -> str:
        text = p.name + (f": {p.type}" if p.type else "")
        return text + (f"={self.expr(p.default)}" if p.default is not None else "")

    def body(self, owner: A.Node, stmts: list[A.Stmt], depth: int) -> str:
        pad = INDENT * depth
        out = []
        for i, s in enumerate(stmts):
            if i and self._blank_before(stmts[i - 1], s):
                out.append("\n")
            out.append(self.lead(s, pad, paragraphs=True) + self.stmt(s, depth) + self.trail(s)
                       + "\n")
        after = self._last_line(stmts[-1]) if stmts else None
        return "".join(out) + self.closing(owner, pad, after)

    def stmt(self, s: A.Stmt, depth: int) -> str:
        pad = INDENT * depth
        if isinstance(s, A.Let):
            return f"{pad}let {s.name} = {self.expr(s.value, depth)}"
        if isinstance(s, A.Assign):
            return f"{pad}{', '.join(s.targets)} = {self.expr(s.value, depth)}"
        if isinstance(s, A.Input):
            where = " where " + ", ".join(self.expr(b, depth) for b in s.bounds) if s.bounds \
                else ""
            return f"{pad}input {s.name}: {self.expr(s.shape, depth)}{where}"
        if isinstance(s, A.Out):
            name = f"{s.name} = " if s.name else ""
            return f"{pad}out {name}{self.expr(s.value, depth)}"
        if isinstance(s, A.Aux):
            args = f"({self.args(s.args, s.kwargs)})" if (s.args or s.kwargs) else ""
            return f"{pad}aux {s.name}{args} = {self.expr(s.value, depth)}"
        if isinstance(s, A.For):
            return (f"{pad}for {s.var} in {self.expr(s.iter, depth)} {{{self.opening(s)}\n"
                    f"{self.body(s, s.body, depth + 1)}{pad}}}")
        if isinstance(s, A.Assert):
            msg = f", {self.expr(s.message)}" if s.message else ""
            return f"{pad}assert {self.expr(s.cond, depth)}{msg}"
        assert isinstance(s, A.ExprStmt)
        return pad + self._line_start(s.value, depth)

    # ---- expressions ------------------------------------------------------------------
    def expr(self, e: A.Expr | None, depth: int = 0, prec: int = CHAIN_PREC) -> str:
        assert e is not None
        text = self._expr(e, depth)
        return f"({text})" if _prec(e) < prec else text

    def _expr(self, e: A.Expr, depth: int) -> str:
        if isinstance(e, A.Num):
            return _number(e.value)
        if isinstance(e, A.Str):
            return _quote(e.value, self.quote)
        if isinstance(e, A.Bool):
            return "true" if e.value else "false"
        if isinstance(e, A.NoneLit):
            return "none"
        if isinstance(e, A.Name):
            return e.id
        if isinstance(e, A.InRef):
            return "in"
        if isinstance(e, A.Chain):
            return self.chain(e, depth)
        if isinstance(e, A.Labeled):
            return f"{self.label(e.label)}: {self.expr(e.value, depth, PREC['or'])}"
        return self._compound(e, depth)

    def _compound(self, e: A.Expr, depth: int) -> str:
        if isinstance(e, A.Group):
            return self.group(e, depth)
        if isinstance(e, A.GroupFor):
            return self.group_for(e, depth)
        if isinstance(e, A.Call):
            return f"{self.expr(e.func, depth, POSTFIX_PREC)}({self.args(e.args, e.kwargs, depth)})"
        if isinstance(e, A.Attr):
            return f"{self.expr(e.value, depth, POSTFIX_PREC)}.{e.name}"
        if isinstance(e, A.Index):
            return f"{self.expr(e.value, depth, POSTFIX_PREC)}[{self.subscript(e, depth)}]"
        if isinstance(e, A.Annotate):
            args = f"({self.args(e.args, e.kwargs, depth)})" if (e.args or e.kwargs) else ""
            return f"{self.expr(e.value, depth, POSTFIX_PREC)} @{e.name}{args}"
        if isinstance(e, A.BinOp):
            return self.binop(e, depth)
        if isinstance(e, A.UnaryOp):
            if e.op == "not":
                return f"not {self.expr(e.operand, depth, PREC['not'])}"
            return f"{e.op}{self.expr(e.operand, depth, PREC['neg'])}"
        assert isinstance(e, A.IfExpr)
        return self.if_expr(e, depth)

    def if_expr(self, e: A.IfExpr, depth: int) -> str:
        if e.orelse is None:
            return self.if_only(e, depth)
        orelse = self._expr(e.orelse, depth) if isinstance(e.orelse, A.IfExpr) else \
            f"{{ {self.expr(e.orelse, depth)} }}"
        flat = f"if {self.expr(e.cond, depth)} {{ {self.expr(e.then, depth)} }} else {orelse}"
        if len(flat) + len(INDENT) * depth <= self.width and "\n" not in flat and \
                not self._commented(e, [e.then, e.orelse]):
            return flat
        pad, close = INDENT * (depth + 1), INDENT * depth
        then = self._branch(e.then, depth + 1)
        if isinstance(e.orelse, A.IfExpr):  # `else if`: no line break may follow `else`
            key = id(e.orelse)
            notes = self.trivia.leading.get(key, []) + self.trivia.trailing.get(key, [])
            orelse = self._defer(notes) + self._expr(e.orelse, depth)
        else:
            orelse = f"{{\n{self._branch(e.orelse, depth + 1)}{self.closing(e, pad)}{close}}}"
        return (f"if {self.expr(e.cond, depth)} {{{self.opening(e)}\n{then}{close}}} "
                f"else {orelse}")

    def _branch(self, e: A.Expr, depth: int) -> str:
        pad = INDENT * depth
        return self.lead(e, pad) + pad + self._line_start(e, depth) + self.trail(e) + "\n"

    def if_only(self, e: A.IfExpr, depth: int) -> str:
        """``if cond { then }`` without ``else``."""
        flat = f"if {self.expr(e.cond, depth)} {{ {self.expr(e.then, depth)} }}"
        if len(flat) + len(INDENT) * depth <= self.width and "\n" not in flat:
            return flat
        pad, close = INDENT * (depth + 1), INDENT * depth
        return (f"if {self.expr(e.cond, depth)} {{\n{pad}{self._line_start(e.then, depth + 1)}"
                f"\n{close}}}")

    def _line_start(self, e: A.Expr, depth: int) -> str:
        """``e`` where a line starts, inside braces: a statement's keyword must not lead it."""
        text = self.expr(e, depth)
        return f"({text})" if _starts_with(text, STATEMENT_WORDS) else text

    def binop(self, e: A.BinOp, depth: int) -> str:
        p = PREC[e.op]
        if e.op == "**":  # right-associative, and its right side is a unary-minus factor
            left, right = self.expr(e.left, depth, POSTFIX_PREC), self.expr(e.right, depth,
                                                                             PREC["neg"])
        elif p == PREC["=="]:  # comparisons do not chain: `a < b < c` does not parse
            left, right = self.expr(e.left, depth, p + 1), self.expr(e.right, depth, p + 1)
        else:
            left, right = self.expr(e.left, depth, p), self.expr(e.right, depth, p + 1)
        return f"{left} {e.op} {right}"

    def chain(self, e: A.Chain, depth: int) -> str:
        nodes = [e.head, *e.elements]
        parts = [self.expr(x, depth, LABELED_PREC) for x in nodes]
        commented = any(self.trivia.has_any(x) for x in nodes)
        flat = " -> ".join(parts)
        if not commented and (len(flat) + len(INDENT) * depth <= self.width or len(parts) < 3):
            return flat
        pad = INDENT * (depth + 2)
        out = parts[0] + self.trail(nodes[0])
        for k in range(1, len(nodes)):
            lead = self.lead(nodes[k], pad)
            if k >= 2 or lead or self.trivia.trailing.get(id(nodes[0])):
                out += "\n" + lead + pad + "-> "
            else:
                out += " -> "
            out += parts[k] + self.trail(nodes[k])
        return out

    def group(self, e: A.Group, depth: int) -> str:
        parts = [self._group_item(i, depth + 1) for i in e.items]
        flat = "[" + ", ".join(parts) + "]"
        if not self._commented(e, e.items) and len(flat) + len(INDENT) * depth <= self.width:
            return flat
        return "[" + self._items(e, e.items, parts, depth) + INDENT * (depth + 1) + "]"

    def group_for(self, e: A.GroupFor, depth: int) -> str:
        head = f"for {e.var} in {self.expr(e.iter, depth)} "
        parts = [self._group_item(i, depth + 1) for i in e.items]
        if not self._commented(e, e.items):
            return head + "{ " + ", ".join(parts) + " }"
        return head + "{" + self._items(e, e.items, parts, depth) + INDENT * (depth + 1) + "}"

    def _group_item(self, e: A.Expr, depth: int) -> str:
        text = self.expr(e, depth, LABELED_PREC)
        return f"({text})" if not isinstance(e, A.GroupFor) and _starts_with(text, {"for"}) \
            else text

    def _commented(self, owner: A.Node, items: list[A.Expr]) -> bool:
        return self.trivia.has_any(owner) or any(self.trivia.has_any(i) for i in items)

    def _items(self, owner: A.Node, items: list[A.Expr], parts: list[str], depth: int) -> str:
        pad = INDENT * (depth + 2)
        lines = [self.lead(i, pad) + f"{pad}{p}," + self.trail(i) + "\n"
                 for i, p in zip(items, parts)]
        return self.opening(owner) + "\n" + "".join(lines) + self.closing(owner, pad)

    def subscript(self, e: A.Index, depth: int) -> str:
        if not e.is_slice:
            return self.expr(e.start, depth, PREC["or"])
        parts = ["" if p is None else self.expr(p, depth, PREC["or"]) for p in (e.start, e.stop)]
        text = ":".join(parts)
        return text + (f":{self.expr(e.step, depth, PREC['or'])}" if e.step is not None else "")

    def args(self, args: list[A.Expr], kwargs: list[A.Kwarg], depth: int = 0) -> str:
        return ", ".join([self.expr(a, depth) for a in args] +
                         [f"{k.name}={self.expr(k.value, depth)}" for k in kwargs])

    def label(self, label: A.Label) -> str:
        plain = label.plain
        if plain is not None and is_name(plain) and plain not in EXPRESSION_KEYWORDS:
            return plain
        # The template's expressions are raw text inside the label's double quotes: their
        # strings take single quotes, with every quote and brace escaped.
        inner = Formatter(width=10**9, quote="'")
        text = "".join(_escape(p, '"', braces=True) if isinstance(p, str) else
                       "{" + inner.expr(p) + "}" for p in label.parts)
        return f'"{text}"'


# Where a statement starts these words begin one, whatever follows: an expression statement
# that starts with one (a layer named `input`) is printed in parentheses.
STATEMENT_WORDS = frozenset({"assert", "aux", "block", "for", "import", "input", "let",
                             "network", "out"})
WORD = re.compile(r"\w+")


def _starts_with(text: str, words: set[str] | frozenset[str]) -> bool:
    m = WORD.match(text)
    return m is not None and m.group() in words


def _prec(e: A.Expr) -> int:
    if isinstance(e, A.Chain):
        return CHAIN_PREC
    if isinstance(e, A.Labeled):
        return LABELED_PREC
    if isinstance(e, A.BinOp):
        return PREC[e.op]
    if isinstance(e, A.UnaryOp) or isinstance(e, A.Num) and math.copysign(1, e.value) < 0:
        return PREC["not"] if getattr(e, "op", "") == "not" else PREC["neg"]
    return POSTFIX_PREC + 1


def _doc(doc: str | None) -> str:
    return "".join(f"## {line}".rstrip() + "\n" for line in doc.split("\n")) if doc else ""


def _number(value: int | float) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def _quote(text: str, quote: str = '"') -> str:
    return quote + _escape(text, quote) + quote


def _escape(text: str, quote: str, braces: bool = False) -> str:
    """Backslash escapes for a string literal in ``quote``s, braces too in a label template;
    single quotes mark a string inside a template's expression, which sits in the label's
    double quotes and braces: those are escaped as well."""
    body = text.replace("\\", "\\\\").replace(quote, "\\" + quote).replace("\n", "\\n")
    body = body.replace("\t", "\\t")
    inner = quote == "'"
    for special in ('"' if inner else "") + ("{}" if braces or inner else ""):
        body = body.replace(special, "\\" + special)
    return body
