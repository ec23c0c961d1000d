"""The ``cost`` pass: each node's parameters, buffers, MACs and other FLOPs, from its op's own
cost rule (ops/). Inputs are free."""

from __future__ import annotations

from typing import TYPE_CHECKING

from archspec.ops.registry import Cost, get
from archspec.passes.receptive_field import in_shapes, op_table

if TYPE_CHECKING:
    from archspec.ir.graph import OpGraph, OpNode, Shape


def cost(graph: OpGraph) -> None:
    """Write ``cost`` (a :class:`Cost`) on every node."""
    ops = op_table(graph)
    for a in graph.nodes.values():
        a["cost"] = node_cost(a["data"], in_shapes(ops, a["data"]))


def node_cost(n: OpNode, shapes: list[Shape]) -> Cost:
    """The op's own cost rule applied to node ``n`` with input ``shapes``."""
    if n.op == "input":
        return Cost()
    return get(n.op).cost(n.params, shapes, n.shape)
