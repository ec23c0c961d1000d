"""The elaborated graph: a networkx.DiGraph of primitive ops plus the block hierarchy."""

from archspec.ir.graph import (
    BlockInfo,
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
    topo_nodes,
)

__all__ = [
    "BlockInfo", "OpNode", "OutputInfo", "Ref", "Shape", "add_node", "blocks", "input_shapes",
    "inputs", "new_graph", "node", "nodes", "outputs", "topo_nodes",
]
