"""Block rollups (totals per block instance, children summed into parents) and runs of
repeated blocks (``layer3.1–5 bottleneck ×5``), for the audit report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from archspec.ir.graph import BlockInfo, OpNode
from archspec.passes.receptive_field import op_table

if TYPE_CHECKING:
    from archspec.ir.graph import Graph
    from archspec.passes.audit import Row

MAIN, AUX, DEAD = "main", "aux", "dead"


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


def find_runs(graph: Graph, blocks: list[BlockRow]) -> list[Run]:
    """Runs (≥ 2) of consecutive sibling blocks with equal kind, arguments, parameter and node
    counts, each fed by the one before (parallel branches and scattered blocks are not runs)."""
    children: dict[str, list[BlockRow]] = {}
    for b in blocks:
        if b.parent is not None and b.parent != b.path:
            children.setdefault(b.parent, []).append(b)
    feeds = _feeder(graph, blocks, children)
    runs = []
    for parent, kids in children.items():
        kids = [k for k in kids if k.nodes]
        i = 0
        while i < len(kids):
            j = i + 1
            while j < len(kids) and _same(kids[i], kids[j]) and feeds(kids[j - 1], kids[j]):
                j += 1
            if j - i >= 2:
                runs.append(Run(parent, kids[i].kind, kids[i].path, kids[j - 1].path, j - i,
                                kids[i].params, sum(k.macs for k in kids[i:j])))
            i = j
    return _outside_repeats(runs, children)


def _outside_repeats(runs: list[Run], children: dict[str, list[BlockRow]]) -> list[Run]:
    """Drop runs nested in the 2nd, 3rd ... member of another run: they repeat what the first
    member's inner runs already say."""
    later: set[str] = set()
    for run in runs:
        kids = [k.path for k in children[run.parent]]
        a, b = kids.index(run.first), kids.index(run.last)
        todo = kids[a + 1:b + 1]
        while todo:
            path = todo.pop()
            later.add(path)
            todo += [k.path for k in children.get(path, [])]
    return [run for run in runs if run.parent not in later]


def _same(a: BlockRow, b: BlockRow) -> bool:
    return (a.signature, a.params, a.nodes) == (b.signature, b.params, b.nodes)


def _feeder(graph: Graph, blocks: list[BlockRow],
            children: dict[str, list[BlockRow]]) -> Callable[[BlockRow, BlockRow], bool]:
    """``feeds(a, b)``: some node inside block ``b`` reads a node inside block ``a``."""
    parent = {b.path: b.parent for b in blocks}
    ops = op_table(graph)
    direct: dict[str, list[OpNode]] = {}
    for n in ops.values():
        direct.setdefault(n.block, []).append(n)

    def inside(block: str, path: str) -> bool:
        p: str | None = block
        while p is not None and p != path:
            p = parent.get(p) if parent.get(p) != p else None
        return p == path

    def feeds(a: BlockRow, b: BlockRow) -> bool:
        todo = [b.path]
        while todo:
            path = todo.pop()
            todo += [k.path for k in children.get(path, [])]
            if any(inside(ops[r.node].block, a.path) for n in direct.get(path, ())
                   for r in n.inputs):
                return True
        return False

    return feeds
