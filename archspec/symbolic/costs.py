"""Cost formulas: parameters, MACs, FLOPs and activation memory of a symbolic network as exact
SizePolys in its input sizes (docs/symbolic.md, "Cost formulas").

Each node's cost is its op's own cost rule (ops/, the one the concrete audit uses) applied to
its symbolic shapes, whose dims are SizePolys: the rule's products and sums stay exact. The
sums follow the concrete audit (passes/report.py) line by line, so every formula evaluated at
a valid size equals the concrete audit there (tests/symbolic/test_costs.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from archspec.ir.graph import OpNode, outputs
from archspec.ops.registry import Cost, get
from archspec.passes.pipeline import annotate
from archspec.passes.report import is_trainable
from archspec.passes.roles import DEAD, MAIN
from archspec.symbolic.poly import SizePoly, numel, poly_shape

TOTALS = ("params", "trainable_params", "buffers", "macs", "flops", "activation_bytes")


@dataclass(frozen=True)
class NodeCost:
    name: str
    op: str
    role: str
    trainable: bool
    cost: Cost             # fields are ints or SizePolys
    activation_bytes: SizePoly


@dataclass(frozen=True)
class PeakCandidate:
    """The live bytes right after ``node`` runs: a possible peak of the forward pass."""

    node: str
    bytes: SizePoly


@dataclass
class CostFormulas:
    """Inference totals (aux heads and dead nodes excluded, as the audit's top line), training
    totals (aux heads included: they train), the activations saved for training (batch 1) and
    the peak live bytes: the largest of
    ``peak`` (each candidate is the peak somewhere; none is ever below another)."""

    symbols: tuple[str, ...]
    dtype_bytes: int
    totals: dict[str, SizePoly]
    saved_activation_bytes: SizePoly
    peak: list[PeakCandidate]
    nodes: list[NodeCost] = field(default_factory=list, repr=False)
    training_totals: dict[str, SizePoly] = field(default_factory=dict)  # auxiliary heads too

    def peak_at(self, env: dict[str, int]) -> tuple[int, str]:
        """The peak live bytes at ``env`` and the node after which it happens."""
        value, node = max((c.bytes.evaluate(env), -i, c.node) for i, c in enumerate(self.peak))[::2]
        return value, node

    def at(self, env: dict[str, int]) -> dict[str, int]:
        """Every total evaluated at ``env``, and ``peak_activation_bytes``."""
        values = {k: v.evaluate(env) for k, v in self.totals.items()}
        values["saved_activation_bytes"] = self.saved_activation_bytes.evaluate(env)
        values["peak_activation_bytes"] = self.peak_at(env)[0]
        return values


def cost_formulas(net: Any, dtype_bytes: int = 4) -> CostFormulas:
    """The cost formulas of a SymbolicNetwork (``archspec.load(spec, input_shape=(3, "H",
    "W"))``). NoFormula when spec code compares sizes (each case would need its own)."""
    if getattr(net, "cases", None):
        raise NoFormula("the spec's code compares sizes, so its costs differ by case: "
                        "evaluated at each size instead")
    graph, shapes = net.ir, net.shapes
    annotate(graph)
    nodes = [node_cost(a, shapes.shapes, dtype_bytes) for _, a in graph.nodes(data=True)]
    totals = {k: SizePoly.of(0) for k in TOTALS}
    training = {k: SizePoly.of(0) for k in TOTALS}
    for c in nodes:
        if c.role == MAIN:
            add(totals, c)
        if c.role != DEAD:
            add(training, c)
    saved = sum((c.activation_bytes for c in nodes if c.role != DEAD), SizePoly.of(0))
    return CostFormulas(shapes.symbols, dtype_bytes, totals, saved, peak(graph, nodes), nodes,
                        training)


def add(totals: dict[str, SizePoly], c: NodeCost) -> None:
    totals["params"] += c.cost.params
    totals["trainable_params"] += c.cost.params if c.trainable else 0
    totals["buffers"] += c.cost.buffers
    totals["macs"] += c.cost.macs
    totals["flops"] += c.cost.flops
    totals["activation_bytes"] += 0 if c.op == "input" else c.activation_bytes


def node_cost(a: dict[str, Any], shapes: dict[tuple[str, int], tuple], dtype_bytes: int
              ) -> NodeCost:
    n: OpNode = a["data"]
    ports = [0, *sorted(n.port_shapes)]
    elems = sum((numel(shapes[(n.name, p)]) for p in ports), SizePoly.of(0))
    ins = [shapes[(r.node, r.port)] for r in n.inputs]
    symbolic = not elems.is_constant or any(not numel(s).is_constant for s in ins)
    cost = a["cost"] if not symbolic or n.op == "input" else symbolic_cost(n, ins, shapes)
    return NodeCost(n.name, n.op, a["role"], is_trainable(n), cost, elems * dtype_bytes)


def symbolic_cost(n: OpNode, ins: list[tuple], shapes: dict[tuple[str, int], tuple]) -> Cost:
    """The op's cost rule on shapes whose symbolic dims are SizePolys."""
    try:
        return get(n.op).cost(n.params, [poly_shape(s) for s in ins],
                              poly_shape(shapes[(n.name, 0)]))
    except TypeError as e:
        raise NoFormula(f"{n.name} ({n.op}): its cost rule needs concrete sizes ({e})") from None


class NoFormula(ValueError):
    """An op whose cost rule does not follow from a formula (e.g. a loop over a size)."""


def peak(graph: Any, nodes: list[NodeCost]) -> list[PeakCandidate]:
    """The live-set analysis of passes/report.py's ``peak_live``, at symbolic sizes: the live
    bytes after each main node, keeping those no other candidate dominates."""
    order = [c for c in nodes if c.role == MAIN]
    index = {c.name: i for i, c in enumerate(order)}
    last = list(range(len(order)))
    for i, c in enumerate(order):
        for p in graph.pred[c.name]:
            if p in index:
                last[index[p]] = max(last[index[p]], i)
    keep = {o.node.node for o in outputs(graph).values()}
    frees = [SizePoly.of(0)] * len(order)
    for i, c in enumerate(order):
        if c.name not in keep:
            frees[last[i]] += c.activation_bytes
    live, steps = SizePoly.of(0), []
    for i, c in enumerate(order):
        live += c.activation_bytes
        steps.append(PeakCandidate(c.name, live))
        live -= frees[i]
    return frontier(steps)


def frontier(steps: list[PeakCandidate]) -> list[PeakCandidate]:
    """The candidates not dominated by another (``SizePoly.dominates``), in graph order."""
    kept: list[PeakCandidate] = []
    for step in steps:
        if any(k.bytes.dominates(step.bytes) for k in kept):
            continue
        kept = [k for k in kept if not step.bytes.dominates(k.bytes)] + [step]
    return kept
