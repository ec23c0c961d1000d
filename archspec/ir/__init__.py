"""The elaborated graph: an OpGraph (networkx.DiGraph's interface, without importing networkx)
of primitive ops plus a typed GraphMeta (name, params, inputs, outputs, blocks, warnings)."""

from archspec.ir.graph import (
    BlockInfo,
    GraphMeta,
    OpGraph,
    OpNode,
    OutputInfo,
    Ref,
    Shape,
    add_node,
    ancestors,
    blocks,
    input_shapes,
    inputs,
    new_graph,
    node,
    nodes,
    outputs,
    to_networkx,
    topo_nodes,
    topo_order,
)

__all__ = [
    "BlockInfo", "GraphMeta", "OpGraph", "OpNode", "OutputInfo", "Ref", "Shape", "add_node",
    "ancestors", "blocks", "input_shapes", "inputs", "new_graph", "node", "nodes", "outputs",
    "to_networkx", "topo_nodes", "topo_order",
]
