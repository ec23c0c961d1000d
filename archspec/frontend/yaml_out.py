"""AST -> YAML text: plain data for the YAML dumper (the inverse of frontend/yaml.py), and
``to_yaml``, which writes it with the comments."""

from __future__ import annotations

import re
from typing import Any

import yaml

from archspec.errors import Note, SpecNameError
from archspec.frontend import ast as A
from archspec.frontend.fmt import format_oneline as format_expr


class FlowList(list):
    """A list of numbers, written on one line (``[3, 224, 224]``)."""


Path = tuple  # keys and indices from the document's root to a node


def module_to_data(m: A.Module) -> dict[str, Any]:
    return module_with_paths(m)[0]


def module_with_paths(m: A.Module) -> tuple[dict[str, Any], list[tuple[Path, A.Node]]]:
    """The data, and where each top-level item and statement lands in it (comments go
    there)."""
    data: dict[str, Any] = {}
    paths: list[tuple[Path, A.Node]] = []
    if m.imports:
        data["imports"] = [_import(i) for i in m.imports]
        paths += [(("imports", n), i) for n, i in enumerate(m.imports)]
    if m.lets:
        unique(m.lets, "let")
        data["let"] = {let.name: expr(let.value) for let in m.lets}
        paths += [(("let", let.name), let) for let in m.lets]
    for section, is_network in (("blocks", False), ("networks", True)):
        chosen = [b for b in m.blocks if b.is_network == is_network]
        if chosen:
            unique(chosen, "definition")
            data[section] = {b.name: definition(b) for b in chosen}
            for b in chosen:
                paths.append(((section, b.name), b))
                if isinstance(b, A.BlockDef):
                    paths += body_paths((section, b.name, "body"), b.body)
    return data, paths


def unique(items: list, what: str) -> None:
    """A YAML mapping holds each key once: a second definition of a name would be lost."""
    seen: dict[str, A.Node] = {}
    for item in items:
        if item.name in seen:
            raise SpecNameError(f"the YAML form cannot hold a second {what} named "
                                f"'{item.name}'", getattr(item, "name_span", item.span),
                                notes=[Note("first defined here", seen[item.name].span)],
                                hint="rename one of them, or keep the file in .arch")
        seen[item.name] = item


def body_paths(at: Path, body: list[A.Stmt]) -> list[tuple[Path, A.Node]]:
    out: list[tuple[Path, A.Node]] = []
    for n, s in enumerate(body):
        out.append(((*at, n), s))
        if isinstance(s, A.For):
            out += body_paths((*at, n, next(iter(statement(s)))), s.body)
    return out


def _import(i: A.Import) -> str:
    name = i.path if i.path is not None else ".".join(i.dotted or [])
    return f"{name} as {i.alias}" if i.alias else name


def definition(b: A.BlockDef | A.NetworkAlias) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if b.doc:
        out["doc"] = b.doc
    if isinstance(b, A.NetworkAlias):
        call = A.Call(A.Name(b.target), b.args, b.kwargs)
        out["alias"] = format_expr(call)
        return out
    if b.params:
        out["params"] = [param(p) for p in b.params]
    out["body"] = [statement(s) for s in b.body]
    return out


def param(p: A.ParamDef) -> Any:
    key = p.name + (f": {p.type}" if p.type else "")
    return key if p.default is None else {key: expr(p.default)}


def statement(s: A.Stmt) -> Any:
    if isinstance(s, A.Let):
        return {f"let {s.name}": expr(s.value)}
    if isinstance(s, A.Assign):
        return {", ".join(s.targets): expr(s.value)}
    if isinstance(s, A.Input):
        where = " where " + ", ".join(format_expr(b) for b in s.bounds) if s.bounds else ""
        return {f"input {s.name}{where}": expr(s.shape)}
    if isinstance(s, A.Out):
        return {f"out {s.name}" if s.name else "out": expr(s.value)}
    if isinstance(s, A.Aux):
        fields: dict[str, Any] = {"value": expr(s.value)}
        weights = [k.value for k in s.kwargs if k.name == "weight"] + list(s.args)
        if weights:
            fields["weight"] = expr(weights[0])
        return {f"aux {s.name}": fields}
    if isinstance(s, A.For):
        return {f"for {s.var} in {format_expr(s.iter)}": [statement(x) for x in s.body]}
    if isinstance(s, A.Assert):
        parts = [expr(s.cond)] + ([expr(s.message)] if s.message else [])
        return {"assert": parts}
    assert isinstance(s, A.ExprStmt)
    return {"do": expr(s.value)}


def expr(e: A.Expr) -> Any:
    """Plain numbers, booleans and lists of them stay YAML data; the rest is expression text."""
    if isinstance(e, A.Bool):
        return e.value
    if isinstance(e, A.Num):
        return e.value
    if isinstance(e, A.UnaryOp) and e.op == "-" and isinstance(e.operand, A.Num):
        return format_expr(e)
    if isinstance(e, A.Group) and all(isinstance(i, (A.Num, A.Bool)) for i in e.items):
        return FlowList(expr(i) for i in e.items)
    return format_expr(e)


UNFOLDED = 1 << 30  # an expression stays on its key's line: comments can follow it there


def to_yaml(m: A.Module, trivia: Any = None) -> str:
    """The module as YAML text; parsing it back gives an equivalent AST. With ``trivia``
    (frontend/trivia.py) its comments are written too (yaml_comments.py)."""
    data, paths = module_with_paths(m)
    text = yaml.dump(data, Dumper=SpecDumper, sort_keys=False, width=UNFOLDED,
                     allow_unicode=True)
    if trivia is None or not (trivia.has_comments() or trivia.blanks):
        return text
    from archspec.frontend.yaml_comments import add_comments
    return add_comments(text, paths, trivia, m)


# A single-quoted or plain YAML scalar folds U+0085, U+2028 and U+2029 like line breaks, so
# a string holding one is written double-quoted, where YAML escapes them (\N, \L, \P).
FOLDED = re.compile("[\x85\u2028\u2029]")


class SpecDumper(yaml.SafeDumper):
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = '"' if FOLDED.search(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_flow(dumper: yaml.SafeDumper, value: list) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


SpecDumper.add_representer(str, _represent_str)
SpecDumper.add_representer(FlowList, _represent_flow)
