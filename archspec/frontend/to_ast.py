"""lark parse tree -> AST (frontend/ast.py), run separately from the parser (design rule 5)."""

from __future__ import annotations

from typing import Any

from lark import Token, Transformer, Tree, v_args
from lark.exceptions import VisitError

from archspec.errors import EvalError, SpecError, SpecSyntaxError
from archspec.frontend import ast as A
from archspec.frontend.parse import parse_tree
from archspec.gc_pause import gc_paused  # parsing makes no cycles: see gc_pause.py
from archspec.limits import LIMITS
from archspec.source import SourceFile, Span

ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "'": "'", "{": "{", "}": "}"}


def parse_module(source: SourceFile) -> A.Module:
    """Parse a whole .arch file into a Module."""
    with gc_paused():
        return _transform(ToAst(source), parse_tree(source))


def parse_expr(source: SourceFile, line: int = 1, col: int = 1,
               display: SourceFile | None = None) -> A.Expr:
    """Parse ``source.text`` as one expression; spans are shifted to start at (line, col) of
    ``display`` (default ``source``): the YAML reader and label templates pass the file that
    holds the expression, so errors inside it point at, and show, that file's line."""
    shown = display or SourceFile(source.name, source.text)
    with gc_paused():
        try:
            tree = parse_tree(source, start="expr")
        except SpecError as err:
            raise relocate(err, shown, line - 1, col - 1) from None
        return _transform(ToAst(shown, line - 1, col - 1), tree)


def relocate(err: SpecError, source: SourceFile, line_off: int, col_off: int) -> SpecError:
    """Move an error found in an embedded expression to where the expression sits."""
    s = err.span

    def col(line: int | None, c: int | None) -> int | None:
        return None if c is None else c + (col_off if line == 1 else 0)

    err.span = Span(source, s.line + line_off, col(s.line, s.col) or 1,
                    None if s.end_line is None else s.end_line + line_off,
                    col(s.end_line, s.end_col))
    return err


def _transform(t: Transformer, tree: Tree) -> Any:
    try:
        return t.transform(tree)
    except VisitError as e:  # unwrap: a SpecError raised inside a callback is the real error
        if isinstance(e.orig_exc, SpecError):
            raise e.orig_exc from None
        raise


def bind_callbacks_once(t: Transformer) -> None:
    """lark's ``v_args`` wrapper builds a new wrapper (``functools.update_wrapper``) each time
    a callback is looked up, once per tree node: about a third of the transform of a large file.
    Looking each up once and keeping it on the instance skips that."""
    for name in dir(type(t)):
        if hasattr(getattr(type(t), name), "visit_wrapper"):
            setattr(t, name, getattr(t, name))


@v_args(meta=True, inline=True)
class ToAst(Transformer):
    def __init__(self, source: SourceFile, line_off: int = 0, col_off: int = 0):
        super().__init__()
        self.source = source
        self.line_off, self.col_off = line_off, col_off
        bind_callbacks_once(self)

    # ---- positions --------------------------------------------------------------------
    def _pos(self, line: int, col: int) -> tuple[int, int]:
        return line + self.line_off, col + (self.col_off if line == 1 else 0)

    def span(self, meta: Any) -> Span:
        if not isinstance(meta, Token) and getattr(meta, "empty", True):
            return Span(self.source, 1 + self.line_off, 1 + self.col_off)
        if not (self.line_off or self.col_off):  # a whole file
            return Span(self.source, meta.line, meta.column, meta.end_line, meta.end_column)
        line, col = self._pos(meta.line, meta.column)
        end_line, end_col = self._pos(meta.end_line, meta.end_column)
        return Span(self.source, line, col, end_line, end_col)

    def tspan(self, tok: Token) -> Span:
        return self.span(tok)

    # ---- module level -----------------------------------------------------------------
    def start(self, meta: Any, *items: Any) -> A.Module:
        items = tuple(i for i in items if i is not None)
        return A.Module([i for i in items if isinstance(i, A.Import)],
                        [i for i in items if isinstance(i, A.Let)],
                        [i for i in items if isinstance(i, (A.BlockDef, A.NetworkAlias))],
                        list(items),
                        span=self.span(meta))

    def import_stmt(self, meta: Any, target: Any, alias: Token | None = None) -> A.Import:
        alias_name = str(alias) if alias is not None else None
        if isinstance(target, Token):
            return A.Import(path=unquote(target, self.tspan(target)), alias=alias_name,
                            span=self.span(meta))
        return A.Import(dotted=target, alias=alias_name, span=self.span(meta))

    def dotted(self, meta: Any, *names: Token) -> list[str]:
        return [str(n) for n in names]

    def block_def(self, meta: Any, name: Token, params: Any, body: list) -> A.BlockDef:
        return A.BlockDef(str(name), params or [], body, False, self._doc(meta.line),
                          self.tspan(name), span=self.span(meta))

    def network_def(self, meta: Any, name: Token, params: Any, body: list) -> A.BlockDef:
        return A.BlockDef(str(name), params or [], body, True, self._doc(meta.line),
                          self.tspan(name), span=self.span(meta))

    def network_alias(self, meta: Any, name: Token, target: Token, args: Any) -> A.NetworkAlias:
        pos, kw = args or ([], [])
        return A.NetworkAlias(str(name), str(target), pos, kw, True, self._doc(meta.line),
                              self.tspan(name), span=self.span(meta))

    def _doc(self, line: int) -> str | None:
        """``##`` comment lines directly above a definition are its documentation."""
        lines = []
        n = line + self.line_off - 1
        while n >= 1 and self.source.line(n).lstrip().startswith("##"):
            lines.append(self.source.line(n).lstrip()[2:].strip())
            n -= 1
        return "\n".join(reversed(lines)) or None

    def param_defs(self, meta: Any, *params: A.ParamDef) -> list[A.ParamDef]:
        return list(params)

    def param_def(self, meta: Any, name: Token, *rest: Any) -> A.ParamDef:
        type_ = next((str(r) for r in rest if isinstance(r, Token)), None)
        default = next((r for r in rest if isinstance(r, A.Node)), None)
        return A.ParamDef(str(name), type_, default, span=self.span(meta))

    def body(self, meta: Any, *stmts: Any) -> list:
        return [s for s in stmts if s is not None]

    # ---- statements -------------------------------------------------------------------
    def let_stmt(self, meta: Any, name: Token, value: A.Expr) -> A.Let:
        return A.Let(str(name), value, span=self.span(meta))

    def assign(self, meta: Any, *parts: Any) -> A.Assign:
        return A.Assign([str(p) for p in parts[:-1]], parts[-1], span=self.span(meta))

    def input_stmt(self, meta: Any, name: Token, shape: A.Expr, *bounds: A.Expr | None
                   ) -> A.Input:
        return A.Input(str(name), shape, [b for b in bounds if b is not None],
                       span=self.span(meta))

    def out_stmt(self, meta: Any, *parts: Any) -> A.Out:
        name = str(parts[0]) if len(parts) == 2 else None
        return A.Out(name, parts[-1], span=self.span(meta))

    def aux_stmt(self, meta: Any, name: Token, args: Any, value: A.Expr) -> A.Aux:
        pos, kw = args or ([], [])
        return A.Aux(str(name), value, pos, kw, span=self.span(meta))

    def for_stmt(self, meta: Any, var: Token, it: A.Expr, body: list) -> A.For:
        return A.For(str(var), it, body, span=self.span(meta))

    def assert_stmt(self, meta: Any, cond: A.Expr, message: A.Expr | None) -> A.Assert:
        return A.Assert(cond, message, span=self.span(meta))

    def expr_stmt(self, meta: Any, value: A.Expr) -> A.ExprStmt:
        return A.ExprStmt(value, span=self.span(meta))

    # ---- expressions ------------------------------------------------------------------
    def chain(self, meta: Any, head: A.Expr, *elements: A.Expr) -> A.Chain:
        return A.Chain(head, list(elements), span=self.span(meta))

    def labeled(self, meta: Any, label: A.Label, value: A.Expr) -> A.Labeled:
        return A.Labeled(label, value, span=self.span(meta))

    def label(self, meta: Any, tok: Token) -> A.Label:
        span = self.tspan(tok)
        if tok.type == "NAME":
            return A.Label([str(tok)], span=span)
        return A.Label(self._template(tok, span), span=span)

    def _template(self, tok: Token, span: Span) -> list[str | A.Expr]:
        """Split ``"denselayer{i + 1}"`` into literal text (escapes resolved: ``\\{`` is a
        brace) and the expressions between unescaped braces, parsed where they stand."""
        raw = str(tok)[1:-1]
        parts: list[str | A.Expr] = []
        text: list[str] = []
        i = 0
        while i < len(raw):
            end = closing_brace(raw, i + 1) if raw[i] == "{" else -1
            if end >= 0:
                if text:
                    parts.append("".join(text))
                    text = []
                sub = SourceFile(self.source.name, raw[i + 1:end])
                parts.append(parse_expr(sub, span.line, span.col + 2 + i, display=self.source))
                i = end + 1
            elif raw[i] == "\\" and i + 1 < len(raw):
                text.append(escape(raw[i + 1], span))
                i += 2
            else:
                text.append(raw[i])
                i += 1
        if text:
            parts.append("".join(text))
        return parts or [""]

    def or_(self, meta: Any, a: A.Expr, b: A.Expr) -> A.BinOp:
        return A.BinOp("or", a, b, span=self.span(meta))

    def and_(self, meta: Any, a: A.Expr, b: A.Expr) -> A.BinOp:
        return A.BinOp("and", a, b, span=self.span(meta))

    def not_(self, meta: Any, a: A.Expr) -> A.UnaryOp:
        return A.UnaryOp("not", a, span=self.span(meta))

    def compare(self, meta: Any, a: A.Expr, op: Token, b: A.Expr) -> A.BinOp:
        return A.BinOp(str(op), a, b, span=self.span(meta))

    binop = compare

    def neg(self, meta: Any, a: A.Expr) -> A.UnaryOp:
        return A.UnaryOp("-", a, span=self.span(meta))

    def pos(self, meta: Any, a: A.Expr) -> A.UnaryOp:
        return A.UnaryOp("+", a, span=self.span(meta))

    def pow(self, meta: Any, a: A.Expr, _op: Token, b: A.Expr) -> A.BinOp:
        return A.BinOp("**", a, b, span=self.span(meta))

    def call(self, meta: Any, func: A.Expr, args: Any) -> A.Call:
        pos, kw = args or ([], [])
        return A.Call(func, pos, kw, span=self.span(meta))

    def args(self, meta: Any, *items: Any) -> tuple[list, list]:
        return ([i for i in items if not isinstance(i, A.Kwarg)],
                [i for i in items if isinstance(i, A.Kwarg)])

    def kwarg(self, meta: Any, name: Token, value: A.Expr) -> A.Kwarg:
        return A.Kwarg(str(name), value, span=self.tspan(name))

    def attr(self, meta: Any, value: A.Expr, name: Token) -> A.Attr:
        return A.Attr(value, str(name), span=self.span(meta))

    def index(self, meta: Any, value: A.Expr, sub: tuple) -> A.Index:
        start, stop, step, is_slice = sub
        return A.Index(value, start, stop, step, is_slice, span=self.span(meta))

    def slice(self, meta: Any, start: Any, stop: Any, step: Any) -> tuple:
        return start, stop, step, True

    def single(self, meta: Any, value: A.Expr) -> tuple:
        return value, None, None, False

    def annotate(self, meta: Any, value: A.Expr, name: Token, args: Any) -> A.Annotate:
        pos, kw = args or ([], [])
        return A.Annotate(value, str(name), pos, kw, span=self.span(meta))

    def int(self, meta: Any, tok: Token) -> A.Num:
        digits = str(tok).replace("_", "")
        if len(digits) > 19 or int(digits) > LIMITS.max_int:  # len first: int() of 5000 digits
            raise EvalError(f"integer {digits[:24]}{'...' if len(digits) > 24 else ''} has "
                            "more than 63 bits", self.tspan(tok))
        return A.Num(int(digits), span=self.tspan(tok))

    def float(self, meta: Any, tok: Token) -> A.Num:
        value = float(str(tok).replace("_", ""))
        if value != value or value in (float("inf"), float("-inf")):
            raise EvalError(f"number {tok} is not finite", self.tspan(tok))
        return A.Num(value, span=self.tspan(tok))

    def string(self, meta: Any, tok: Token) -> A.Str:
        return A.Str(unquote(tok, self.tspan(tok)), span=self.tspan(tok))

    def true(self, meta: Any) -> A.Bool:
        return A.Bool(True, span=self.span(meta))

    def false(self, meta: Any) -> A.Bool:
        return A.Bool(False, span=self.span(meta))

    def in_ref(self, meta: Any) -> A.InRef:
        return A.InRef(span=self.span(meta))

    def name(self, meta: Any, tok: Token) -> A.Name:
        return A.Name(str(tok), span=self.tspan(tok))

    def group(self, meta: Any, items: Any) -> A.Group:
        return A.Group(items or [], span=self.span(meta))

    def group_items(self, meta: Any, *items: A.Expr) -> list:
        return list(items)

    def group_for(self, meta: Any, var: Token, it: A.Expr, items: list) -> A.GroupFor:
        return A.GroupFor(str(var), it, items, span=self.span(meta))

    def none_(self, meta: Any) -> A.NoneLit:
        return A.NoneLit(span=self.span(meta))

    def if_expr(self, meta: Any, cond: A.Expr, then: A.Expr,
                orelse: A.Expr | None = None) -> A.IfExpr:
        return A.IfExpr(cond, then, orelse, span=self.span(meta))

    def __default__(self, data: Any, children: Any, meta: Any) -> Any:
        raise SpecSyntaxError(f"internal: unhandled syntax '{data}'", self.span(meta))


def closing_brace(raw: str, start: int) -> int:
    """The index of the ``}`` closing a template expression that starts at ``start``, or -1
    (then the ``{`` is literal text): the first unescaped brace must be a ``}``."""
    i = start
    while i < len(raw):
        if raw[i] == "\\":
            i += 2
            continue
        if raw[i] in "{}":
            return i if raw[i] == "}" else -1
        i += 1
    return -1


def escape(char: str, span: Span) -> str:
    if char not in ESCAPES:
        raise SpecSyntaxError(f"unknown escape '\\{char}' in string", span)
    return ESCAPES[char]


def unquote(tok: Token | str, span: Span) -> str:
    """The value of a string literal, with backslash escapes resolved."""
    raw = str(tok)[1:-1]
    out, i = [], 0
    while i < len(raw):
        ch = raw[i]
        if ch == "\\" and i + 1 < len(raw):
            out.append(escape(raw[i + 1], span))
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)
