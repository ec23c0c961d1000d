"""Build graphs from Python: used by the elaborator, by tests and by generated benchmarks.

    b = GraphBuilder("tiny")
    x = b.input("x", (3, 32, 32))
    y = b.op("conv", [x], 16, 3, name="conv1", padding=1)
    b.output("logits", b.op("relu", [y]))
    g = b.graph
"""

from __future__ import annotations

from typing import Any

from archspec.errors import ShapeError
from archspec.ir.graph import BlockInfo, OpNode, OutputInfo, Ref, Shape, add_node, new_graph, node
from archspec.ops.binding import bind_params
from archspec.ops.operands import Operand, check_operands, operand, types_match
from archspec.ops.registry import get
from archspec.source import UNKNOWN, Span


class GraphBuilder:
    def __init__(self, name: str, params: dict[str, Any] | None = None):
        self.graph = new_graph(name, params)
        self._counts: dict[str, int] = {}

    def fresh(self, base: str) -> str:
        """A node name not used yet: ``base``, ``base_1``, ``base_2`` ..."""
        n = self._counts.get(base, 0)
        while True:
            name = base if n == 0 else f"{base}_{n}"
            n += 1
            if name not in self.graph:
                self._counts[base] = n
                return name

    def input(self, name: str, shape: Shape, span: Span = UNKNOWN) -> Ref:
        add_node(self.graph, OpNode(name, "input", {"shape": tuple(shape)}, [], tuple(shape),
                                    span))
        return Ref(name)

    def op(self, op: str, inputs: list[Ref], *args: Any, name: str | None = None,
           block: str = "", span: Span = UNKNOWN, attrs: dict[str, Any] | None = None,
           **kwargs: Any) -> Ref:
        """Add primitive ``op`` applied to ``inputs``; returns a reference to its output."""
        prim = get(op)
        params = bind_params(prim, list(args), kwargs)
        return self.add(op, params, inputs, name=name, block=block, span=span, attrs=attrs)

    def add(self, op: str, params: dict[str, Any], inputs: list[Ref], *, name: str | None = None,
            block: str = "", span: Span = UNKNOWN, attrs: dict[str, Any] | None = None,
            trace: list[Span] | None = None) -> Ref:
        """Add a node whose params are already bound; infers its shape (ShapeError on failure)."""
        prim = get(op)
        check_arity(prim, len(inputs))
        made = [node(self.graph, r.node) for r in inputs]
        in_shapes = [n.port_shape(r.port) for n, r in zip(made, inputs)]
        if prim.link is not None or not types_match(prim, made, inputs):
            check_operands(prim, params, [self.operand(r) for r in inputs])
        result = prim.infer(params, in_shapes)
        with_ports = len(result) == 2 and isinstance(result[1], dict)
        shape, ports = result if with_ports else (result, {})
        name = name or self.fresh(f"{block}.{op}" if block else op)
        add_node(self.graph, OpNode(name, op, params, list(inputs), tuple(map(int, shape)),
                                    span, block, prim.stateful,  # map(int): plain sizes
                                    {p: tuple(map(int, s)) for p, s in ports.items()},
                                    dict(attrs or {}),
                                    list(trace or [])))
        return Ref(name)

    def operand(self, ref: Ref) -> Operand:
        made = node(self.graph, ref.node)
        source = made.inputs[0] if made.inputs else None
        shape = node(self.graph, source.node).port_shape(source.port) if source else None
        return operand(made, ref.port, shape)

    def block(self, path: str, kind: str, parent: str | None = "", **info: Any) -> BlockInfo:
        b = BlockInfo(path, kind, parent, **info)
        self.graph.meta.blocks[path] = b
        return b

    def output(self, name: str, ref: Ref, role: str = "main", loss_weight: float = 1.0,
               span: Span = UNKNOWN) -> None:
        self.graph.meta.outputs[name] = OutputInfo(name, ref, role, loss_weight, span)


def check_arity(prim: Any, count: int) -> None:
    need = len(prim.inputs)
    if count < need or (count > need and not prim.variadic):
        many = f"at least {need}" if prim.variadic else str(need)
        raise ShapeError(f"{prim.name} takes {many} input tensor(s), got {count}")
