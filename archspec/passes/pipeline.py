"""The pass pipeline: every pass over the IR, in order, each declaring what it reads and
writes, and the driver that runs each at most once per graph.

A pass is a plain function ``graph -> result`` in its own file. It writes typed per-node
metadata into the node's attribute dict (``graph.nodes[name]["cost"]``) and/or returns a
result; the driver keeps the result in ``graph.meta.passes`` (name -> result, in the order the
passes ran), which is also the record of what ran. ``require(graph, name)`` runs the pass,
after the passes that write what it reads, unless it ran already, and returns its result.
Adding a node to the graph clears the record (``archspec.ir.add_node``).

Consumers (``audit``, ``render``, ``check``, codegen) only ask ``require`` for what they need;
no pass calls another.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from archspec.gc_pause import gc_paused
from archspec.passes import cost, lints, receptive_field, roles, runs

if TYPE_CHECKING:
    from archspec.errors import SpecError
    from archspec.ir.graph import OpGraph


@dataclass(frozen=True, eq=False)
class Pass:
    """``run(graph)``; ``reads``/``writes`` name per-node keys (``"rf"``) or graph facts
    (``"meta.outputs"``), each with its type, for the reader and for the driver's order."""

    name: str
    run: Callable[[OpGraph], Any]
    reads: dict[str, str]
    writes: dict[str, str]
    returns: str = "None"


PASSES: tuple[Pass, ...] = (
    Pass("roles", roles.roles, reads={"meta.outputs": "dict[str, OutputInfo]"},
         writes={"role": "'main' | 'aux' | 'dead'"}),
    Pass("receptive_field", receptive_field.receptive_field, reads={},  # returns the graph
         writes={"rf": "RF | None"}),
    Pass("cost", cost.cost, reads={}, writes={"cost": "Cost"}),
    Pass("lints", lints.lint, reads={"role": "str", "rf": "RF | None"},
         writes={"meta.warnings": "list[SpecError]"}, returns="list[SpecError]"),
    Pass("runs", runs.runs, reads={"meta.blocks": "dict[str, BlockInfo]"}, writes={},
         returns="BlockTree"),
)
BY_NAME = {p.name: p for p in PASSES}


def needs(p: Pass) -> list[str]:
    """The earlier passes that write something ``p`` reads."""
    before = PASSES[:[q.name for q in PASSES].index(p.name)]
    return [q.name for q in before if set(q.writes) & set(p.reads)]


def require(graph: OpGraph, name: str) -> Any:
    """The result of pass ``name`` on ``graph``, running it (and what it needs) if it has not
    run on this graph yet."""
    done = graph.meta.passes
    if name not in done:
        p = BY_NAME[name]
        for dep in needs(p):
            require(graph, dep)
        with gc_paused():  # a pass allocates per node, all kept: see archspec/gc_pause.py
            done[name] = p.run(graph)
    return done[name]


def annotate(graph: OpGraph) -> OpGraph:
    """Make sure ``role``, ``rf`` and ``cost`` are written on every node."""
    for name in ("roles", "receptive_field", "cost"):
        require(graph, name)
    return graph


def lint(graph: OpGraph) -> list[SpecError]:
    """The lints' warnings on ``graph`` (running them once; they also join
    ``graph.meta.warnings``)."""
    return list(require(graph, "lints"))
