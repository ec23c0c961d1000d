"""Importing a network archspec built: its fx program stands in for a trace.

A built module's ``forward`` is generated from an fx graph (``model.program``) whose code is
flat; the class keeps, per node, the block and group instances around it (``_scopes``,
``backends/torch/hierarchy.py``). Reading that graph with the scopes as ``nn_module_stack``
gives the importer what tracing a hand-written module gives it, so recovery finds the spec's
blocks and keeps its names.
"""

from __future__ import annotations

from typing import Any


def built_graph(model: Any) -> Any:
    """A GraphModule over ``model`` computing its eval ``forward``, with module stacks; None
    for a module archspec did not build."""
    scopes = getattr(type(model), "_scopes", None)
    program = getattr(type(model), "_program", None)
    if scopes is None or program is None or program.regions:
        return None                       # checkpointed regions are methods: trace those
    import torch.fx as fx
    graph = fx.Graph()
    graph.output(graph.graph_copy(program.forwards["eval"], {}))
    for n in graph.nodes:
        leaf = n.target if n.op == "call_module" else None
        n.meta["nn_module_stack"] = {path: (path, cls) for path, cls in scopes.get(n.name, ())
                                     if path != leaf}
    return fx.GraphModule(model, graph)
