"""The ``roles`` pass: which output each node serves. 'main' for nodes feeding a main output,
'aux' for those feeding only auxiliary (training-only) outputs, 'dead' for the rest."""

from __future__ import annotations

from typing import TYPE_CHECKING

from archspec.ir.graph import ancestors, outputs

if TYPE_CHECKING:
    from archspec.ir.graph import OpGraph
    from archspec.passes.receptive_field import RF

MAIN, AUX, DEAD = "main", "aux", "dead"


def roles(graph: OpGraph) -> None:
    """Write ``role`` on every node."""
    found = node_roles(graph)
    for name, a in graph.nodes.items():
        a["role"] = found.get(name, DEAD)


def node_roles(graph: OpGraph) -> dict[str, str]:
    """Node -> 'main' | 'aux'; dead nodes are absent. Without declared outputs every node is
    'main'."""
    outs = outputs(graph).values()
    if not outs:
        return dict.fromkeys(graph.nodes, MAIN)
    main = ancestors(graph, [o.node.node for o in outs if not o.training_only])
    aux = ancestors(graph, [o.node.node for o in outs if o.training_only], main)
    return {**dict.fromkeys(aux, AUX), **dict.fromkeys(main, MAIN)}


def main_rf(graph: OpGraph) -> RF | None:
    """Receptive field of the first main output (after the ``receptive_field`` pass)."""
    for o in outputs(graph).values():
        if not o.training_only:
            return graph.nodes[o.node.node].get("rf")
    return None
