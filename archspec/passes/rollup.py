"""Block rollups (totals per block instance, children summed into parents) and the runs of
repeated blocks (found by the ``runs`` pass) with their totals, for the audit report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from archspec.ir.graph import BlockInfo
from archspec.passes.roles import AUX, DEAD, MAIN

if TYPE_CHECKING:
    from archspec.ir.graph import Graph
    from archspec.passes.runs import BlockTree


@dataclass(slots=True)
class Row:
    """One layer (node), or one collapsed block in a rollup view (``is_block``)."""

    name: str
    op: str
    block: str
    shape: tuple[int, ...]
    params: int
    buffers: int
    macs: int
    flops: int
    activation_bytes: int
    rf: tuple[float, float] | None
    rf_global: bool
    role: str
    is_block: bool = False


@dataclass(slots=True)
class BlockRow:
    """Totals of one block instance and everything inside it (dead nodes excluded)."""

    path: str
    kind: str
    parent: str | None
    depth: int
    params: int = 0
    macs: int = 0
    flops: int = 0
    activation_bytes: int = 0
    nodes: int = 0
    role: str = DEAD
    signature: str = ""


@dataclass(slots=True)
class Run:
    """Consecutive sibling blocks of the same kind, arguments and parameter count."""

    parent: str
    kind: str
    first: str
    last: str
    count: int
    params_each: int
    macs_total: int

    @property
    def label(self) -> str:
        """``layer3.1–5 bottleneck ×5``."""
        head, _, _ = self.first.rpartition(".")
        lhead, _, ltail = self.last.rpartition(".")
        last = ltail if head == lhead else self.last
        return f"{self.first}–{last} {self.kind} ×{self.count}"


def block_depths(blocks: dict[str, BlockInfo]) -> dict[str, int]:
    """Nesting depth of every block: the network is 0, ``layer1`` 1, ``layer1.0`` 2."""
    depth: dict[str, int] = {}
    for path in blocks:
        chain: list[str] = []
        p: str | None = path
        while p is not None and p not in depth and p not in chain:
            chain.append(p)
            p = blocks[p].parent if p in blocks else None
        p = p if p in depth else None
        base = depth[p] if p is not None else -1
        for q in reversed(chain):
            base += 1
            depth[q] = base
    return depth


def _with_implicit(graph: Graph, rows: list[Row]) -> dict[str, BlockInfo]:
    """The graph's blocks plus any block path a node names but the hierarchy lacks."""
    blocks = dict(graph.meta.blocks or {"": BlockInfo("", "network", None)})
    for row in rows:
        path = row.block
        while path not in blocks:
            parent = path.rpartition(".")[0] if path else None
            blocks[path] = BlockInfo(path, "block" if path else "network", parent)
            if parent is None:
                break
            path = parent
    return blocks


def rollup_blocks(graph: Graph, rows: list[Row]) -> list[BlockRow]:
    """Totals per block instance, children summed into parents (dead nodes excluded)."""
    infos = _with_implicit(graph, rows)
    depths = block_depths(infos)
    out = {p: BlockRow(p, b.kind, b.parent, depths[p], signature=_signature(b))
           for p, b in infos.items()}
    rank = {MAIN: 2, AUX: 1, DEAD: 0}
    for row in rows:
        if row.role != DEAD:
            _accumulate(out[row.block], row.params, row.macs, row.flops, row.activation_bytes,
                        1, row.role, rank)
    for b in sorted(out.values(), key=lambda b: -b.depth):
        if b.parent is not None and b.parent in out and b.parent != b.path:
            _accumulate(out[b.parent], b.params, b.macs, b.flops, b.activation_bytes, b.nodes,
                        b.role, rank)
    return list(out.values())


def _accumulate(b: BlockRow, params: int, macs: int, flops: int, act: int, count: int,
                role: str, rank: dict[str, int]) -> None:
    b.params += params
    b.macs += macs
    b.flops += flops
    b.activation_bytes += act
    b.nodes += count
    if rank[role] > rank[b.role]:
        b.role = role


def _signature(b: BlockInfo) -> str:
    return b.kind + repr(sorted((k, repr(v)) for k, v in b.args.items()))


def runs_of(tree: BlockTree, blocks: list[BlockRow]) -> list[Run]:
    """The ``runs`` pass's runs with their totals, outermost first, leaving out runs nested in
    the 2nd, 3rd ... member of another run (they repeat what the first member's inner runs
    already say)."""
    rows = {b.path: b for b in blocks}
    later: set[str] = set()
    out = []
    for parent in sorted(tree.runs, key=lambda p: (p.count(".") + bool(p), p)):
        if any(parent == p or parent.startswith(p + ".") for p in later):
            continue
        for run in tree.runs[parent]:
            first = rows[run[0]]
            out.append(Run(parent, first.kind, run[0], run[-1], len(run), first.params,
                           sum(rows[k].macs for k in run)))
            later.update(run[1:])
    return out
