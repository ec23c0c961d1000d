"""Emitting AST for recovery: values and calls as expressions, and the Emitter that turns a
FlatNet's layers into statements. Layers that consume the single use of the previous result
become one ``->`` chain; a value used more than once is bound to a name; merges become
``a + b``, ``a * b`` and ``concat(a, b)``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from archspec.frontend import ast as A
from archspec.importers.flat import (
    FlatNet,
    Layer,
    consumer_counts,
    identifier,
    reserved_names,
    split_port,
    stateful,
)

BINARY = {"add": "+", "mul": "*"}
SKIP = "__skip__"


def value_ast(v: Any) -> A.Expr:
    """A Python value (int, float, bool, str, tuple/list of them) as an expression."""
    if isinstance(v, bool):
        return A.Bool(v)
    if isinstance(v, (int, float)):
        return A.UnaryOp("-", A.Num(-v)) if v < 0 else A.Num(v)
    if isinstance(v, str):
        return A.Str(v)
    if isinstance(v, A.Node):
        return v
    return A.Group([value_ast(x) for x in v])


def call_ast(op: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> A.Expr:
    """``op(args, k=v)``, or the bare name when there are no arguments (``relu``)."""
    if not args and not kwargs:
        return A.Name(op)
    return A.Call(A.Name(op), [value_ast(a) for a in args],
                  [A.Kwarg(k, value_ast(v)) for k, v in kwargs.items()])


def labeled(label: str, e: A.Expr) -> A.Expr:
    return A.Labeled(A.Label([label]), e) if label else e


@dataclass
class Emitter:
    """Turns an ordered list of layers into statements, chaining where a value has one use."""

    uses: Counter[str]
    names: dict[str, A.Expr] = field(default_factory=dict)  # tensor -> its expression
    taken: set[str] = field(default_factory=reserved_names)
    stmts: list[A.Stmt] = field(default_factory=list)
    tail: str | None = None          # the tensor the open chain computes
    hints: dict[str, str] = field(default_factory=dict)  # tensor -> preferred variable name
    chain: A.Expr | None = None

    def bind(self, tensor: str, expr: A.Expr) -> None:
        self.names[tensor] = expr

    def ref(self, tensor: str) -> A.Expr:
        call, port = split_port(tensor)
        if port:                        # a named output port: ``pool.indices``
            return A.Attr(self.ref(call), port)
        if tensor == self.tail:
            self.flush()
        return self.names[tensor]

    def flush(self) -> None:
        """Bind the open chain to a variable named after its tensor."""
        if self.tail is None or self.chain is None:
            return
        var = identifier(self.hints.get(self.tail) or self.tail, self.taken)
        self.taken.add(var)
        self.stmts.append(A.Assign([var], self.chain))
        self.names[self.tail] = A.Name(var)
        self.tail = self.chain = None

    def layer(self, layer: Layer, label: str, element: A.Expr | None = None) -> None:
        """Apply ``layer`` (written as ``element`` when given, else as its call)."""
        if layer.op == SKIP:    # an optional child this instance lacks: its input unchanged
            self.open(layer.out, A.Chain(self.ref(layer.inputs[0]), []))
            return
        if element is None and (merged := self.merge(layer, label)) is not None:
            self.open(layer.out, merged)
            return
        call = labeled(label, element if element is not None else
                       call_ast(layer.op, layer.args, layer.kwargs))
        source = layer.inputs[0]
        if source == self.tail and self.uses[source] == 1 and self.chain is not None:
            assert isinstance(self.chain, A.Chain)
            self.chain.elements.append(call)
            self.tail = layer.out
            return
        self.open(layer.out, A.Chain(self.ref(source), [call]))

    def open(self, tensor: str, expr: A.Expr) -> None:
        self.flush()
        if not isinstance(expr, A.Chain):
            expr = A.Chain(expr, [])
        self.tail, self.chain = tensor, expr

    def merge(self, layer: Layer, label: str = "") -> A.Expr | None:
        """A layer of several tensors: ``a + b``, ``op(a, b, args)``, or, for a stateful layer
        whose label (its module name) is not the automatic one (the op's name),
        ``a -> label: op(b, args)``."""
        if len(layer.inputs) < 2:
            return None
        operands = [self.ref(t) for t in layer.inputs]
        if layer.op in BINARY and not layer.kwargs:
            expr = operands[0]
            for o in operands[1:]:
                expr = A.BinOp(BINARY[layer.op], expr, o)
            return expr
        chained = label not in ("", layer.op) and stateful(layer.op)
        call = A.Call(A.Name(layer.op), operands[chained:] + [value_ast(a) for a in layer.args],
                      [A.Kwarg(k, value_ast(v)) for k, v in layer.kwargs.items()])
        return A.Chain(operands[0], [labeled(label, call)]) if chained else call

    def value(self, tensor: str) -> A.Expr:
        """The final expression of ``tensor`` (the open chain itself when it computes it)."""
        if tensor == self.tail and self.chain is not None:
            chain, self.tail, self.chain = self.chain, None, None
            return unwrap(chain)
        return self.names[tensor]


def unwrap(e: A.Expr) -> A.Expr:
    return e.head if isinstance(e, A.Chain) and not e.elements else e


def flat_body(net: FlatNet) -> list[A.Stmt]:
    """The network's statements, one labelled call per layer."""
    em = Emitter(consumer_counts(net))
    stmts: list[A.Stmt] = []
    for name, shape in net.inputs:
        var = identifier(name, em.taken)
        em.taken.add(var)
        stmts.append(A.Input(var, value_ast(list(shape))))
        em.bind(name, A.Name(var))
    for layer in net.layers:
        if layer.hint:
            em.hints[layer.out] = layer.hint
        em.layer(layer, identifier(layer.path) if layer.path else "")
    outs = network_outputs(em, net)
    return stmts + em.stmts + outs


def outputs(em: Emitter, tensors: list[str], names: list[str] | None = None) -> list[A.Stmt]:
    """``out value`` for one output, ``out name = value`` for each of several (named after
    ``names`` where given, else after the tensors)."""
    if em.tail not in tensors:
        em.flush()
    if len(tensors) == 1 and not names:
        return [A.Out(None, em.value(tensors[0]))]
    return [A.Out(identifier(n or t), em.value(t))
            for t, n in zip(tensors, names or [""] * len(tensors))]


def network_outputs(em: Emitter, net: FlatNet) -> list[A.Stmt]:
    """The network's outputs: main ones as ``out``, auxiliary ones (training only, with a
    loss weight) as ``aux name(weight=w) = value``."""
    names = net.output_names or [""] * len(net.outputs)
    main = [(t, n) for t, n in zip(net.outputs, names) if n not in net.aux_weights]
    single = len(main) == 1 and main[0][1] in ("", "out")
    stmts = outputs(em, [t for t, _ in main], None if single else [n for _, n in main])
    for t, n in zip(net.outputs, names):
        if n in net.aux_weights:
            weight = A.Kwarg("weight", value_ast(net.aux_weights[n]))
            stmts.append(A.Aux(identifier(n), em.value(t), [], [weight]))
    return stmts


def network_module(net: FlatNet, body: list[A.Stmt], blocks: list[A.BlockDef] | None = None
                   ) -> A.Module:
    network = A.BlockDef(identifier(net.name), [], body, is_network=True, doc=net.doc)
    defs = [*(blocks or []), network]
    return A.Module([], [], defs, order=list(defs))
