"""The elaborated graph and its typed node data.

The graph is an :class:`OpGraph`: the subset of ``networkx.DiGraph``'s interface archspec uses,
with the same semantics (``to_networkx`` gives a real DiGraph sharing the node data). It exists
because importing networkx takes about 90 ms, some 40% of ``archspec audit`` as a whole process
(docs/api.md). The passes and the helpers below accept either kind.

Each node's attribute ``data`` is an :class:`OpNode`; its ``inputs`` list is the authoritative,
ordered list of operands (a DiGraph keeps no order and no parallel edges, so edges serve
topology only). Graph-level facts live in a typed :class:`GraphMeta`, ``graph.meta``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NoReturn, TypeAlias

from archspec.source import UNKNOWN, Span

if TYPE_CHECKING:
    import networkx as nx

    from archspec.errors import SpecError

    Graph: TypeAlias = "OpGraph"  # the one IR every pass, backend and command reads

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


@dataclass
class GraphMeta:
    """The graph-level facts of an elaborated network."""

    name: str = ""
    params: dict[str, Any] = field(default_factory=dict)  # the network's resolved parameters
    inputs: list[str] = field(default_factory=list)       # input node names, declaration order
    outputs: dict[str, OutputInfo] = field(default_factory=dict)  # main outputs first
    blocks: dict[str, BlockInfo] = field(default_factory=dict)    # path -> instance; "" = net
    warnings: list[SpecError] = field(default_factory=list)       # severity "warning"
    errors: list[tuple[str | None, SpecError]] = field(default_factory=list)  # (node, error)
    span: Span = UNKNOWN                                  # where the network is defined
    passes: dict[str, Any] = field(default_factory=dict)  # pass name -> result, in run order
    size_reads: list[tuple[str, str, Span]] = field(default_factory=list)  # node, attr, where
    size_log: Any = None  # elaborate.sizes.SizeLog: sizes spec code read, followed symbolically

    def as_dict(self) -> dict[str, Any]:
        """A dict of the fields for ``networkx`` users (``DiGraph.graph``): the containers are
        the meta's own (shared), the scalars copies; ``"meta"`` is this object."""
        return {"name": self.name, "params": self.params, "inputs": self.inputs,
                "outputs": self.outputs, "blocks": self.blocks, "warnings": self.warnings,
                "errors": self.errors, "span": self.span, "passes": self.passes, "meta": self}


class NodeMap(dict[str, dict[str, Any]]):
    """``graph.nodes``: node name -> attribute dict, in insertion order, callable like networkx's
    NodeView (``nodes(data=True)``). A dict subclass so that lookups stay C calls; read-only
    like the NodeView (nodes are added through ``OpGraph.add_node``)."""

    __slots__ = ()

    def __call__(self, data: bool | str = False, default: Any = None) -> Any:
        if data is False:
            return self
        if data is True:
            return self.items()
        return ((n, a.get(data, default)) for n, a in self.items())

    def _read_only(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("graph.nodes is read-only: add nodes with add_node")

    __setitem__ = __delitem__ = __ior__ = _read_only  # type: ignore[assignment]
    clear = pop = popitem = setdefault = update = _read_only  # type: ignore[assignment]

    def __reduce__(self) -> tuple[type, tuple[dict[str, dict[str, Any]]]]:
        return NodeMap, (dict(self),)


class OpGraph:
    """A directed graph with ``networkx.DiGraph``'s semantics for the part archspec uses:
    ``nodes``, ``pred``/``succ`` (name -> {neighbour: edge attribute dict}),
    ``add_node``, ``add_edge``, ``predecessors``, ``successors``, ``number_of_nodes``,
    ``len``, iteration and ``in`` over node names in insertion order; plus ``meta``, the
    typed graph-level record."""

    __slots__ = ("meta", "nodes", "pred", "succ")

    def __init__(self, meta: GraphMeta | None = None) -> None:
        self.meta = meta if meta is not None else GraphMeta()
        self.nodes = NodeMap()
        self.pred: dict[str, dict[str, dict[str, Any]]] = {}
        self.succ: dict[str, dict[str, dict[str, Any]]] = {}

    def add_node(self, n: str, **attr: Any) -> None:
        """Add ``n`` with attributes ``attr``, or update the attributes of an existing ``n``."""
        if n in self.nodes:
            self.nodes[n].update(attr)
            return
        dict.__setitem__(self.nodes, n, attr)
        self.pred[n] = {}
        self.succ[n] = {}

    def add_edge(self, u: str, v: str, **attr: Any) -> None:
        """Add the edge ``u -> v`` (and either end that is missing); an existing edge keeps its
        place and gets ``attr`` added to its attribute dict."""
        if u not in self.nodes:
            self.add_node(u)
        if v not in self.nodes:
            self.add_node(v)
        data = self.succ[u].get(v)
        if data is None:
            data = self.succ[u][v] = self.pred[v][u] = {}
        data.update(attr)

    def predecessors(self, n: str) -> Iterator[str]:
        return iter(self.pred[n])

    def successors(self, n: str) -> Iterator[str]:
        return iter(self.succ[n])

    def number_of_nodes(self) -> int:
        return len(self.nodes)

    def __len__(self) -> int:
        return len(self.nodes)

    def __iter__(self) -> Iterator[str]:
        return iter(self.nodes)

    def tabular(self) -> str:
        """The graph as a table, one node a line, like ``torch.fx.Graph.print_tabular``
        (``print(graph)`` prints it): for bug reports, tests and a first look."""
        return tabular(self)

    __str__ = tabular

    def __contains__(self, n: object) -> bool:
        try:
            return n in self.nodes
        except TypeError:  # unhashable: not a node, as in networkx
            return False


def to_networkx(g: Graph) -> nx.DiGraph:
    """``g`` as a ``networkx.DiGraph`` (a DiGraph is returned as it is): the same nodes in order,
    the same edges with each node's predecessors in order (and successors too, when edges were
    added with their target, as ``add_node`` below does), the very same node attribute dicts
    (annotations written through either graph show in both); ``.graph`` mirrors ``g.meta``
    (:meth:`GraphMeta.as_dict`)."""
    import networkx as nx

    if isinstance(g, nx.DiGraph):
        return g
    out = nx.DiGraph()
    out.graph = g.meta.as_dict()
    out.add_nodes_from(g.nodes)
    out.add_edges_from((u, v, e) for v, ins in g.pred.items() for u, e in ins.items())
    out._node.update(g.nodes)  # share the attribute dicts themselves: DiGraph keeps them here
    return out


def new_graph(name: str, params: dict[str, Any] | None = None) -> OpGraph:
    root = BlockInfo("", "network", None, args=dict(params or {}))
    return OpGraph(GraphMeta(name, dict(params or {}), blocks={"": root}))


def add_node(g: OpGraph, data: OpNode) -> OpNode:
    """Insert ``data`` and its input edges; the caller guarantees ``data.name`` is new."""
    g.add_node(data.name, data=data)
    if g.meta.passes:
        g.meta.passes.clear()  # what the passes found is stale now
    for ref in data.inputs:
        g.add_edge(ref.node, data.name)
    if data.op == "input":
        g.meta.inputs.append(data.name)
    return data


def node(g: Graph, name: str) -> OpNode:
    return g.nodes[name]["data"]


def nodes(g: Graph) -> Iterator[OpNode]:
    """All nodes in insertion order (which is a topological order for elaborated graphs)."""
    for name in g.nodes:
        yield g.nodes[name]["data"]


def topo_order(g: Graph) -> list[str]:
    """Node names in exactly ``networkx.topological_sort``'s order: Kahn's algorithm by
    generations (a FIFO list), starting from the nodes without predecessors in insertion order,
    each node's successors in edge order. ValueError on a cycle."""
    pred, succ = g.pred, g.succ
    waiting = {v: len(pred[v]) for v in g.nodes}
    order = [v for v, d in waiting.items() if d == 0]
    for u in order:  # grows while it is walked: generation after generation
        for v in succ[u]:
            waiting[v] -= 1
            if waiting[v] == 0:
                order.append(v)
    if len(order) != len(waiting):
        raise ValueError("the graph has a cycle")
    return order


def ancestors(g: Graph, starts: list[str], stop: set[str] | None = None) -> set[str]:
    """``starts`` and all their ancestors, not entering ``stop`` (linear time)."""
    stop = stop or set()
    seen = {s for s in starts if s not in stop}
    stack = list(seen)
    pred = g.pred
    while stack:
        for p in pred[stack.pop()]:
            if p not in seen and p not in stop:
                seen.add(p)
                stack.append(p)
    return seen


def topo_nodes(g: Graph) -> list[OpNode]:
    return [g.nodes[n]["data"] for n in topo_order(g)]


def input_shapes(g: Graph, n: OpNode) -> list[Shape]:
    return [node(g, r.node).port_shape(r.port) for r in n.inputs]


def inputs(g: Graph) -> list[OpNode]:
    return [node(g, name) for name in g.meta.inputs]


def outputs(g: Graph) -> dict[str, OutputInfo]:
    return g.meta.outputs


def blocks(g: Graph) -> dict[str, BlockInfo]:
    return g.meta.blocks


# -- the graph as a table ----------------------------------------------------------------------

HEADER = ("name", "op", "inputs", "shape", "params", "block")


def tabular(g: OpGraph) -> str:
    """Header, one row per node in order, then the outputs; columns padded to their widest."""
    rows = [HEADER, *(_row(n) for n in (g.nodes[k]["data"] for k in g.nodes))]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows]
    meta = g.meta
    outs = ", ".join(f"{k}={_ref(o.node)}" + ("" if o.role == "main" else f" ({o.role})")
                     for k, o in meta.outputs.items())
    return "\n".join([f"network {meta.name or '?'}", *lines, f"outputs: {outs or '-'}"])


def _row(n: OpNode) -> tuple[str, ...]:
    params = ", ".join(f"{k}={v!r}" for k, v in n.params.items() if k != "shape")
    shape = "x".join(map(str, n.shape))
    return (n.name, n.op, ", ".join(map(_ref, n.inputs)), shape, params, n.block)


def _ref(r: Ref) -> str:
    return r.node if r.port == 0 else f"{r.node}:{r.port}"
