"""The elaborated graph: an OpGraph (networkx.DiGraph's interface, without importing networkx)
of primitive ops plus the block hierarchy."""

from archspec.ir.graph import (
    BlockInfo,
    OpGraph,
    OpNode,
    OutputInfo,
    Ref,
    Shape,
    add_node,
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
    "BlockInfo", "OpGraph", "OpNode", "OutputInfo", "Ref", "Shape", "add_node", "blocks",
    "input_shapes", "inputs", "new_graph", "node", "nodes", "outputs", "to_networkx",
    "topo_nodes", "topo_order",
]
