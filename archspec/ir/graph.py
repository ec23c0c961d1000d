"""Typed node data for the elaborated graph.

The graph is a plain ``networkx.DiGraph``. Each node's attribute ``data`` is an :class:`OpNode`;
its ``inputs`` list is the authoritative, ordered list of operands (a DiGraph keeps no order and
no parallel edges, so edges serve topology only). Graph-level metadata lives in ``graph.graph``:

- ``name``: network name; ``params``: the network's resolved parameters
- ``inputs``: input node names, in declaration order
- ``outputs``: output name -> :class:`OutputInfo` (main first)
- ``blocks``: block-instance path -> :class:`BlockInfo` (the hierarchy kept for rendering)
- ``warnings``: list of SpecError with severity "warning" (lints)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from archspec.source import UNKNOWN, Span

Shape = tuple[int, ...]  # without the batch dimension: (C, H, W) for images, (F,) for vectors


@dataclass(frozen=True)
class Ref:
    """An operand: output ``port`` of node ``node`` (port 1 of a maxpool is its indices)."""

    node: str
    port: int = 0


@dataclass
class OpNode:
    """One primitive op instance."""

    name: str                      # unique; equals the module path when ``module`` is true
    op: str                        # primitive name in the ops registry
    params: dict[str, Any]         # resolved parameters (ints, floats, bools, str, tuples)
    inputs: list[Ref]
    shape: Shape                   # shape of port 0
    span: Span = UNKNOWN           # where the primitive was written
    block: str = ""                # innermost enclosing block-instance path ("" = top level)
    module: bool = False           # lowered to a submodule at path ``name`` (has state)
    port_shapes: dict[int, Shape] = field(default_factory=dict)  # ports other than 0
    attrs: dict[str, Any] = field(default_factory=dict)  # init=..., training_only=..., ...
    trace: list[Span] = field(default_factory=list)  # call chain: outermost call first

    @property
    def label(self) -> str:
        """The last component of the path (``conv1`` for ``layer1.0.conv1``)."""
        return self.name.rsplit(".", 1)[-1]

    def port_shape(self, port: int) -> Shape:
        return self.shape if port == 0 else self.port_shapes[port]


@dataclass
class BlockInfo:
    """One instance of a block, group or repeat in the hierarchy."""

    path: str                      # "layer1.0"; "" is the network itself
    kind: str                      # block name, or "group" for [ ... ]
    parent: str | None
    span: Span = UNKNOWN
    args: dict[str, Any] = field(default_factory=dict)
    attrs: dict[str, Any] = field(default_factory=dict)  # checkpoint=True, ...
    doc: str | None = None
    output: Ref | None = None      # the value the instance produced


@dataclass
class OutputInfo:
    """A network output; auxiliary ones exist only in training and carry a loss weight."""

    name: str
    node: Ref
    role: str = "main"             # "main" | "aux"
    loss_weight: float = 1.0
    span: Span = UNKNOWN

    @property
    def training_only(self) -> bool:
        return self.role == "aux"


def new_graph(name: str, params: dict[str, Any] | None = None) -> nx.DiGraph:
    g = nx.DiGraph(name=name, params=dict(params or {}), inputs=[], outputs={}, warnings=[])
    g.graph["blocks"] = {"": BlockInfo("", "network", None, args=dict(params or {}))}
    return g


def add_node(g: nx.DiGraph, data: OpNode) -> OpNode:
    """Insert ``data`` and its input edges; the caller guarantees ``data.name`` is new."""
    g.add_node(data.name, data=data)
    for ref in data.inputs:
        g.add_edge(ref.node, data.name)
    if data.op == "input":
        g.graph["inputs"].append(data.name)
    return data


def node(g: nx.DiGraph, name: str) -> OpNode:
    return g.nodes[name]["data"]


def nodes(g: nx.DiGraph) -> Iterator[OpNode]:
    """All nodes in insertion order (which is a topological order for elaborated graphs)."""
    for name in g.nodes:
        yield g.nodes[name]["data"]


def topo_nodes(g: nx.DiGraph) -> list[OpNode]:
    return [g.nodes[n]["data"] for n in nx.topological_sort(g)]


def input_shapes(g: nx.DiGraph, n: OpNode) -> list[Shape]:
    return [node(g, r.node).port_shape(r.port) for r in n.inputs]


def inputs(g: nx.DiGraph) -> list[OpNode]:
    return [node(g, name) for name in g.graph["inputs"]]


def outputs(g: nx.DiGraph) -> dict[str, OutputInfo]:
    return g.graph["outputs"]


def blocks(g: nx.DiGraph) -> dict[str, BlockInfo]:
    return g.graph["blocks"]
