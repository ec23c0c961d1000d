"""Anti-unification of block bodies: the AST of several instances of one module class ->
one template whose differing numbers are holes (the block's parameters) and whose optional
chains (``in -> downsample: [...]`` in some instances, ``in`` in others) become
``if with_downsample { ... } else { in }``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from archspec.frontend import ast as A


class Mismatch(Exception):
    """The instances differ in structure, not only in values."""


@dataclass
class Hole:
    values: list[Any]          # per instance; None where the instance lacks this part
    kind: str                  # the primitive parameter's name, or "flag"
    label: str                 # the label of the layer the value belongs to
    name: str = ""             # filled in by params.py


@dataclass
class Unifier:
    count: int                 # number of instances
    holes: list[Hole] = field(default_factory=list)
    signatures: dict[str, list[str]] = field(default_factory=dict)  # block -> its params

    def hole(self, values: list[Any], kind: str, label: str) -> A.Name:
        h = Hole(values, kind, label, name=f"__hole{len(self.holes)}")
        self.holes.append(h)
        return A.Name(h.name)

    def unify(self, nodes: list[Any], kind: str = "", label: str = "") -> Any:
        present = [n for n in nodes if n is not None]
        first = present[0]
        values = [literal(n) for n in present]
        if all(v is not None for v in values) and len(set(values)) > 1:
            return self.hole([None if n is None else literal(n) for n in nodes],
                             kind or "value", label)
        if any(type(n) is not type(first) for n in present):
            raise Mismatch(f"{type(first).__name__} vs others")
        if isinstance(first, (A.Num, A.Bool)):
            return self.scalar(nodes, kind, label)
        if isinstance(first, A.Chain):
            return self.chain(nodes, kind, label)
        if isinstance(first, A.Call):
            return self.call(nodes, label)
        if isinstance(first, A.Labeled):
            label = first.label.plain or label
        return self.generic(nodes, kind, label)

    def scalar(self, nodes: list[Any], kind: str, label: str) -> A.Expr:
        values = [None if n is None else n.value for n in nodes]
        defined = {(type(v), v) for v in values if v is not None}
        if len(defined) == 1:
            return type(nodes[0] or next(n for n in nodes if n))(next(iter(defined))[1])
        return self.hole(values, kind or "value", label)

    def chain(self, nodes: list[Any], kind: str, label: str) -> A.Expr:
        lengths = {len(n.elements) for n in nodes if n is not None}
        if len(lengths) == 1:
            return self.generic(nodes, kind, label)
        if len(lengths) != 2 or 0 not in lengths:
            raise Mismatch("chains of different lengths")
        full = [n if n is not None and n.elements else None for n in nodes]
        head = self.unify([None if n is None else n.head for n in nodes], kind, label)
        flag_label = next((e.label.plain for n in full if n for e in n.elements
                           if isinstance(e, A.Labeled)), label) or "branch"
        flag = self.hole([None if n is None else bool(n.elements) for n in nodes], "flag",
                         flag_label)
        return A.IfExpr(flag, self.generic(full, kind, label), head)

    def call(self, nodes: list[Any], label: str) -> A.Expr:
        func = self.unify([None if n is None else n.func for n in nodes])
        op = func.id if isinstance(func, A.Name) else ""
        if len({len(n.args) for n in nodes if n is not None}) != 1:
            raise Mismatch("calls with different argument counts")
        first = next(n for n in nodes if n is not None)
        names = self.signatures.get(op) or primitive_param_names(op)
        names = [""] * operand_count(first) + names     # tensors first: deform_conv(x, y, 64)
        args = [self.unify([None if n is None else n.args[i] for n in nodes],
                           names[i] if i < len(names) else f"arg{i}", label)
                for i in range(len(first.args))]
        kwargs = [A.Kwarg(k, self.unify([None if n is None else kwarg(n, op, k) for n in nodes],
                                        canonical(op, k), label))
                  for k in sorted(kwarg_names(nodes), key=lambda k: param_index(op, k))]
        return A.Call(func, args, kwargs)

    def generic(self, nodes: list[Any], kind: str, label: str) -> Any:
        first = next(n for n in nodes if n is not None)
        values: dict[str, Any] = {}
        for f in dataclasses.fields(first):
            if f.name == "span":
                continue
            parts = [None if n is None else getattr(n, f.name) for n in nodes]
            values[f.name] = self.part(parts, kind, label)
        return type(first)(**values)

    def part(self, parts: list[Any], kind: str, label: str) -> Any:
        present = [p for p in parts if p is not None]
        if not present:
            return None
        if isinstance(present[0], A.Node):
            return self.unify(parts, kind, label)
        if isinstance(present[0], list):
            if len({len(p) for p in present}) != 1:
                raise Mismatch("lists of different lengths")
            return [self.part([None if p is None else p[i] for p in parts], kind, label)
                    for i in range(len(present[0]))]
        if any(p != present[0] for p in present):
            raise Mismatch(f"{present[0]!r} vs {present[1:]!r}")
        return present[0]


def literal(node: Any) -> Any:
    """A number, or a list of numbers, as a hashable value; None for anything else."""
    if isinstance(node, A.Num):
        return node.value
    if isinstance(node, A.UnaryOp) and node.op == "-" and isinstance(node.operand, A.Num):
        return -node.operand.value
    if isinstance(node, A.Group) and node.items:
        items = [literal(i) for i in node.items]
        return tuple(items) if all(isinstance(i, (int, float)) for i in items) else None
    return None


def operand_count(call: A.Call) -> int:
    """How many of a call's leading arguments are tensors, not parameter values."""
    return next((i for i, a in enumerate(call.args)
                 if literal(a) is not None or isinstance(a, (A.Bool, A.Str))), len(call.args))


def kwarg_names(nodes: list[Any]) -> list[str]:
    names: dict[str, None] = {}
    for n in nodes:
        if n is not None:
            names.update((k.name, None) for k in n.kwargs)
    return list(names)


def kwarg(call: A.Call, op: str, name: str) -> A.Expr:
    for k in call.kwargs:
        if k.name == name:
            return k.value
    default = primitive_default(op, name)
    if default is MISSING:
        raise Mismatch(f"{op}: '{name}' given in some instances only")
    from archspec.importers.emit import value_ast
    return value_ast(default)


MISSING = object()


def _param(op: str, name: str) -> Any:
    from archspec.ops.registry import PRIMITIVES, load_all
    load_all()
    prim = PRIMITIVES.get(op)
    if prim is None:
        return None
    return next((p for p in prim.params if name == p.name or name in p.aliases), None)


def param_index(op: str, name: str) -> int:
    names = primitive_param_names(op)
    key = canonical(op, name)
    return names.index(key) if key in names else len(names)


def primitive_param_names(op: str) -> list[str]:
    from archspec.ops.registry import PRIMITIVES, load_all
    load_all()
    prim = PRIMITIVES.get(op)
    return [p.name for p in prim.params] if prim else []


def canonical(op: str, name: str) -> str:
    p = _param(op, name)
    return p.name if p is not None else name


def primitive_default(op: str, name: str) -> Any:
    from archspec.ops.registry import REQUIRED
    p = _param(op, name)
    if p is None or p.default is REQUIRED or p.default is None:
        return MISSING
    return p.default


def substitute(node: Any, mapping: dict[str, A.Expr]) -> Any:
    """``node`` with every ``Name`` in ``mapping`` replaced (in place where possible)."""
    if isinstance(node, A.Name) and node.id in mapping:
        return mapping[node.id]
    if isinstance(node, list):
        return [substitute(x, mapping) for x in node]
    if isinstance(node, A.Node):
        for f in dataclasses.fields(node):
            if f.name != "span":
                setattr(node, f.name, substitute(getattr(node, f.name), mapping))
    return node
