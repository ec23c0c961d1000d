"""Static audit of an elaborated graph: parameters, MACs/FLOPs, memory, receptive field,
per-block rollups and runs of repeated blocks. Pure Python: never imports torch.

``audit(graph)`` asks the pass driver for the per-node ``cost``, ``rf`` and ``role``, the lints
and the repeated runs (each computed once per graph) and sums them into an
:class:`AuditReport`. Conventions: docs/audit.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from archspec.gc_pause import gc_paused
from archspec.ir.graph import OpNode, outputs
from archspec.passes.cost import node_cost
from archspec.passes.pipeline import annotate, require
from archspec.passes.receptive_field import RF
from archspec.passes.roles import AUX, DEAD, MAIN, main_rf, node_roles
from archspec.passes.rollup import BlockRow, Row, Run, rollup_blocks, runs_of
from archspec.passes.training import ADAM_STATES, TrainingSetup, per_device

if TYPE_CHECKING:
    from archspec.ir.graph import Graph

__all__ = ["ADAM_STATES", "AUX", "DEAD", "MAIN", "AuditReport", "BlockRow", "Row", "Run",
           "Totals", "TrainingMemory", "TrainingSetup", "annotate", "audit", "node_cost",
           "node_roles"]
DTYPE_BYTES = {"fp32": 4, "fp16": 2, "bf16": 2, "int8": 1}


@dataclass(slots=True)
class Totals:
    params: int = 0
    trainable_params: int = 0
    non_trainable_params: int = 0
    buffers: int = 0
    macs: int = 0
    flops: int = 0
    activation_bytes: int = 0  # outputs of every non-input node, batch 1
    nodes: int = 0

    def add(self, row: Row, trainable: bool) -> None:
        self.params += row.params
        self.trainable_params += row.params if trainable else 0
        self.non_trainable_params += 0 if trainable else row.params
        self.buffers += row.buffers
        self.macs += row.macs
        self.flops += row.flops
        self.activation_bytes += 0 if row.op == "input" else row.activation_bytes
        self.nodes += 1


@dataclass(slots=True)
class TrainingMemory:
    """Training-step memory per device at ``batch`` samples per device, Adam, ``strategy``
    over ``world`` devices: see docs/audit.md, "Training memory"."""

    weights: int
    gradients: int
    optimizer: int
    buffers: int
    activations: int
    batch: int = 1
    strategy: str = "single"
    world: int = 1
    precision: str = "fp32"

    @property
    def total(self) -> int:
        return self.weights + self.gradients + self.optimizer + self.buffers + self.activations


@dataclass
class AuditReport:
    """What ``archspec audit`` prints. Top-level totals are for inference (aux heads and dead
    nodes excluded); ``training`` adds the auxiliary heads."""

    name: str
    inference: Totals
    training: Totals
    dead: Totals
    param_bytes: dict[str, int]
    buffer_bytes: int
    input_bytes: int
    peak_activation_bytes: int
    training_memory: TrainingMemory
    receptive_field: RF | None
    rows: list[Row]
    blocks: list[BlockRow]
    runs: list[Run]
    input_shapes: dict[str, tuple[int, ...]] = field(default_factory=dict)
    dtype_bytes: int = 4
    depth: int | None = None
    warnings: list[str] = field(default_factory=list)

    params = property(lambda self: self.inference.params)
    trainable_params = property(lambda self: self.inference.trainable_params)
    non_trainable_params = property(lambda self: self.inference.non_trainable_params)
    buffers = property(lambda self: self.inference.buffers)
    macs = property(lambda self: self.inference.macs)
    flops = property(lambda self: self.inference.flops)
    activation_bytes = property(lambda self: self.inference.activation_bytes)

    def block(self, path: str) -> BlockRow:
        """The rollup of block ``path`` (KeyError when there is none)."""
        for b in self.blocks:
            if b.path == path:
                return b
        raise KeyError(path)


def is_trainable(n: OpNode) -> bool:
    """Parameters are trainable unless the node says ``trainable=false`` or ``frozen``."""
    return n.attrs.get("trainable", True) is not False and not n.attrs.get("frozen", False)


def audit(graph: Graph, *, depth: int | None = None, dtype_bytes: int = 4,
          batch: int = 1, lints: bool = True, train: TrainingSetup | None = None
          ) -> AuditReport:
    """Sum ``graph``'s per-node metadata into an :class:`AuditReport`. ``depth`` is the
    default rollup depth for rendering; ``batch`` scales the training-memory activations
    (``train``, when given, says how training runs, its batch included);
    ``lints``: run the lints (once per graph) and list the warnings."""
    setup = train or TrainingSetup(batch=batch)
    with gc_paused():
        return _report(graph, depth, dtype_bytes, setup, lints)


def _report(graph: Graph, depth: int | None, dtype_bytes: int, setup: TrainingSetup,
            lints: bool) -> AuditReport:
    annotate(graph)
    warnings = _warnings(graph) if lints else []
    rows, trainable = _rows(graph, dtype_bytes)
    totals = {MAIN: Totals(), AUX: Totals(), DEAD: Totals()}
    for row, train in zip(rows, trainable):
        totals[row.role].add(row, train)
    training = _combined(totals[MAIN], totals[AUX])
    blocks = rollup_blocks(graph, rows)
    return AuditReport(
        name=graph.meta.name, inference=totals[MAIN], training=training,
        dead=totals[DEAD],
        param_bytes={k: training.params * v for k, v in DTYPE_BYTES.items()},
        buffer_bytes=training.buffers * dtype_bytes,
        input_bytes=sum(r.activation_bytes for r in rows if r.op == "input"),
        peak_activation_bytes=peak_live(graph, rows),
        training_memory=training_memory(training, rows, dtype_bytes, setup),
        receptive_field=main_rf(graph), rows=rows, blocks=blocks,
        runs=runs_of(require(graph, "runs"), blocks),
        input_shapes={r.name: r.shape for r in rows if r.op == "input"},
        dtype_bytes=dtype_bytes, depth=depth, warnings=warnings)


def _rows(graph: Graph, dtype_bytes: int) -> tuple[list[Row], list[bool]]:
    rows, trainable = [], []
    for _, a in graph.nodes(data=True):
        n, cost, rf = a["data"], a["cost"], a["rf"]
        elems = math.prod(n.shape)
        if n.port_shapes:
            elems += sum(math.prod(s) for s in n.port_shapes.values())
        rows.append(Row(n.name, n.op, n.block, tuple(n.shape), cost.params, cost.buffers,
                        cost.macs, cost.flops, elems * dtype_bytes,
                        rf.size if rf is not None else None,
                        bool(rf is not None and rf.global_), a["role"]))
        trainable.append(is_trainable(n))
    return rows, trainable


def _combined(a: Totals, b: Totals) -> Totals:
    return Totals(*(getattr(a, f) + getattr(b, f) for f in Totals.__slots__))


def training_memory(t: Totals, rows: list[Row], dtype_bytes: int,
                    setup: TrainingSetup) -> TrainingMemory:
    """Per device: weights + gradients + Adam states (sharded as ``setup.strategy`` says) +
    buffers + every saved activation (inputs included) at ``setup.batch``."""
    saved = sum(r.activation_bytes for r in rows if r.role != DEAD) // dtype_bytes
    parts = per_device(setup, t.params, t.trainable_params, t.buffers, saved, dtype_bytes)
    return TrainingMemory(**parts, batch=setup.batch, strategy=setup.strategy,
                          world=setup.world, precision=setup.precision)


def peak_live(graph: Graph, rows: list[Row]) -> int:
    """Peak bytes of simultaneously live tensors in an inference forward pass, executing the
    main nodes in graph (topological) order and freeing each tensor after its last reader."""
    order = [r for r in rows if r.role == MAIN]
    index = {r.name: i for i, r in enumerate(order)}
    last = list(range(len(order)))  # a tensor nobody reads dies right after it is made
    for i, r in enumerate(order):
        for p in graph.pred[r.name]:
            if p in index:
                last[index[p]] = max(last[index[p]], i)
    keep = {o.node.node for o in outputs(graph).values()}
    frees: list[int] = [0] * len(order)
    for i, r in enumerate(order):
        if r.name not in keep:
            frees[last[i]] += r.activation_bytes
    live = peak = 0
    for i, r in enumerate(order):
        live += r.activation_bytes
        peak = max(peak, live)
        live -= frees[i]
    return peak


def _warnings(graph: Graph) -> list[str]:
    require(graph, "lints")  # their findings join graph.meta.warnings
    return list(dict.fromkeys(str(w) for w in graph.meta.warnings))
