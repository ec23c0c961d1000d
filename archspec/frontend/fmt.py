"""AST -> canonical .arch text (``archspec fmt``). Parsing the output gives the same AST."""

from __future__ import annotations

from archspec.frontend import ast as A

INDENT = "  "
PREC = {"or": 1, "and": 2, "not": 3, "==": 4, "!=": 4, "<": 4, "<=": 4, ">": 4, ">=": 4,
        "+": 5, "-": 5, "*": 6, "/": 6, "//": 6, "%": 6, "neg": 7, "**": 8}
CHAIN_PREC = 0
POSTFIX_PREC = 9
LINE = 96
_width = [LINE]


def format_oneline(e: A.Expr) -> str:
    """``e`` on one line, however long (for YAML values)."""
    _width.append(10**9)
    try:
        return format_expr(e)
    finally:
        _width.pop()


def format_module(m: A.Module) -> str:
    """Canonical text: imports, file-level lets, blocks, then networks, each in source order.
    Ordinary ``#`` comments are not kept; ``##`` documentation is."""
    out: list[str] = []
    previous: type | None = None
    for item in sorted(m.order, key=_rank):
        if out and not (isinstance(item, A.Import) and previous is A.Import):
            out.append("")
        out.append(format_item(item))
        previous = type(item)
    return "\n".join(out).rstrip() + "\n"


def _rank(item: A.Node) -> int:
    if isinstance(item, (A.Import, A.Let)):
        return 0 if isinstance(item, A.Import) else 1
    return 3 if getattr(item, "is_network", False) else 2


def format_item(item: A.Node) -> str:
    if isinstance(item, A.Import):
        target = _quote(item.path) if item.path is not None else ".".join(item.dotted or [])
        return f"import {target}" + (f" as {item.alias}" if item.alias else "")
    if isinstance(item, A.Let):
        return format_stmt(item, 0)
    if isinstance(item, A.NetworkAlias):
        return _doc(item.doc) + f"network {item.name} = {item.target}" \
            f"({_args(item.args, item.kwargs)})"
    assert isinstance(item, A.BlockDef)
    head = "network" if item.is_network else "block"
    params = ", ".join(_param(p) for p in item.params)
    sig = f"{head} {item.name}({params})" if (params or not item.is_network) else \
        f"{head} {item.name}"
    return _doc(item.doc) + sig + " {\n" + _body(item.body, 1) + "}"


def _doc(doc: str | None) -> str:
    return "".join(f"## {line}".rstrip() + "\n" for line in doc.splitlines()) if doc else ""


def _param(p: A.ParamDef) -> str:
    text = p.name + (f": {p.type}" if p.type else "")
    return text + (f"={format_expr(p.default)}" if p.default is not None else "")


def _body(stmts: list[A.Stmt], depth: int) -> str:
    return "".join(format_stmt(s, depth) + "\n" for s in stmts)


def format_stmt(s: A.Stmt, depth: int) -> str:
    pad = INDENT * depth
    if isinstance(s, A.Let):
        return f"{pad}let {s.name} = {format_expr(s.value, depth)}"
    if isinstance(s, A.Assign):
        return f"{pad}{', '.join(s.targets)} = {format_expr(s.value, depth)}"
    if isinstance(s, A.Input):
        return f"{pad}input {s.name}: {format_expr(s.shape, depth)}"
    if isinstance(s, A.Out):
        name = f"{s.name} = " if s.name else ""
        return f"{pad}out {name}{format_expr(s.value, depth)}"
    if isinstance(s, A.Aux):
        args = f"({_args(s.args, s.kwargs)})" if (s.args or s.kwargs) else ""
        return f"{pad}aux {s.name}{args} = {format_expr(s.value, depth)}"
    if isinstance(s, A.For):
        return (f"{pad}for {s.var} in {format_expr(s.iter, depth)} {{\n"
                f"{_body(s.body, depth + 1)}{pad}}}")
    if isinstance(s, A.Assert):
        msg = f", {format_expr(s.message)}" if s.message else ""
        return f"{pad}assert {format_expr(s.cond, depth)}{msg}"
    assert isinstance(s, A.ExprStmt)
    return pad + format_expr(s.value, depth)


def format_expr(e: A.Expr | None, depth: int = 0, prec: int = CHAIN_PREC) -> str:
    assert e is not None
    text = _expr(e, depth)
    return f"({text})" if _prec(e) < prec else text


def _prec(e: A.Expr) -> int:
    if isinstance(e, A.Chain):
        return CHAIN_PREC
    if isinstance(e, A.Labeled):
        return CHAIN_PREC + 1
    if isinstance(e, A.BinOp):
        return PREC[e.op]
    if isinstance(e, A.UnaryOp):
        return PREC["not"] if e.op == "not" else PREC["neg"]
    return POSTFIX_PREC + 1


def _expr(e: A.Expr, depth: int) -> str:
    if isinstance(e, A.Num):
        return repr(e.value) if isinstance(e.value, float) else str(e.value)
    if isinstance(e, A.Str):
        return _quote(e.value)
    if isinstance(e, A.Bool):
        return "true" if e.value else "false"
    if isinstance(e, A.Name):
        return e.id
    if isinstance(e, A.InRef):
        return "in"
    if isinstance(e, A.Chain):
        return _chain(e, depth)
    if isinstance(e, A.Labeled):
        return f"{_label(e.label)}: {format_expr(e.value, depth, 1)}"
    return _compound(e, depth)


def _compound(e: A.Expr, depth: int) -> str:
    if isinstance(e, A.Group):
        return _group(e.items, depth)
    if isinstance(e, A.GroupFor):
        items = ", ".join(format_expr(i, depth) for i in e.items)
        return f"for {e.var} in {format_expr(e.iter, depth)} {{ {items} }}"
    if isinstance(e, A.Call):
        return f"{format_expr(e.func, depth, POSTFIX_PREC)}({_args(e.args, e.kwargs, depth)})"
    if isinstance(e, A.Attr):
        return f"{format_expr(e.value, depth, POSTFIX_PREC)}.{e.name}"
    if isinstance(e, A.Index):
        return f"{format_expr(e.value, depth, POSTFIX_PREC)}[{_subscript(e, depth)}]"
    if isinstance(e, A.Annotate):
        args = f"({_args(e.args, e.kwargs, depth)})" if (e.args or e.kwargs) else ""
        return f"{format_expr(e.value, depth, POSTFIX_PREC)} @{e.name}{args}"
    if isinstance(e, A.BinOp):
        p = PREC[e.op]
        right_p = p + 1 if e.op != "**" else p
        left_p = p if e.op != "**" else p + 1
        return f"{format_expr(e.left, depth, left_p)} {e.op} {format_expr(e.right, depth, right_p)}"
    if isinstance(e, A.UnaryOp):
        if e.op == "not":
            return f"not {format_expr(e.operand, depth, PREC['not'])}"
        return f"{e.op}{format_expr(e.operand, depth, PREC['neg'])}"
    assert isinstance(e, A.IfExpr)
    orelse = _expr(e.orelse, depth) if isinstance(e.orelse, A.IfExpr) else \
        f"{{ {format_expr(e.orelse, depth)} }}"
    return f"if {format_expr(e.cond, depth)} {{ {format_expr(e.then, depth)} }} else {orelse}"


def _chain(e: A.Chain, depth: int) -> str:
    parts = [format_expr(e.head, depth, 1)] + [format_expr(x, depth, 1) for x in e.elements]
    flat = " -> ".join(parts)
    if len(flat) + len(INDENT) * depth <= _width[-1] or len(parts) < 3:
        return flat
    pad = "\n" + INDENT * (depth + 2) + "-> "
    return parts[0] + " -> " + parts[1] + "".join(pad + p for p in parts[2:])


def _group(items: list[A.Expr], depth: int) -> str:
    parts = [format_expr(i, depth + 1) for i in items]
    flat = "[" + ", ".join(parts) + "]"
    if len(flat) + len(INDENT) * depth <= _width[-1]:
        return flat
    pad = INDENT * (depth + 2)
    return "[\n" + "".join(f"{pad}{p},\n" for p in parts) + INDENT * (depth + 1) + "]"


def _subscript(e: A.Index, depth: int) -> str:
    if not e.is_slice:
        return format_expr(e.start, depth)
    parts = ["" if p is None else format_expr(p, depth, 1) for p in (e.start, e.stop)]
    text = ":".join(parts)
    return text + (f":{format_expr(e.step, depth, 1)}" if e.step is not None else "")


def _args(args: list[A.Expr], kwargs: list[A.Kwarg], depth: int = 0) -> str:
    return ", ".join([format_expr(a, depth) for a in args] +
                     [f"{k.name}={format_expr(k.value, depth)}" for k in kwargs])


def _label(label: A.Label) -> str:
    if label.plain is not None and label.plain.isidentifier():
        return label.plain
    text = "".join(p if isinstance(p, str) else "{" + format_expr(p) + "}" for p in label.parts)
    return _quote(text)


def _quote(text: str) -> str:
    body = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    body = body.replace("\t", "\\t")
    return f'"{body}"'
