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
    """A GraphModule over ``model`` computing its training ``forward`` when that has
    auxiliary outputs, else its eval one, with module stacks and the outputs unpacked from
    their NamedTuple; None for a module archspec did not build. Its ``archspec_outputs``
    lists (name, loss weight or None for a main output) per output. ``@checkpoint`` only
    changes the training program, so it is not recovered."""
    cls = type(model)
    scopes, program = getattr(cls, "_scopes", None), getattr(cls, "_program", None)
    if scopes is None or program is None:
        return None
    import torch.fx as fx
    with_aux = cls.TrainOutputs is not None and cls.TrainOutputs is not cls.Outputs
    if with_aux and program.regions:
        return None   # checkpointed blocks are methods of the training program: not read
    graph = fx.Graph()
    graph.output(graph.graph_copy(program.forwards["train" if with_aux else "eval"], {}))
    for n in graph.nodes:
        leaf = n.target if n.op == "call_module" else None
        n.meta["nn_module_stack"] = {path: (path, cls) for path, cls in scopes.get(n.name, ())
                                     if path != leaf}
    unpack_outputs(graph)
    gm = fx.GraphModule(model, graph)
    gm.archspec_outputs = output_roles(cls, with_aux)
    return gm


def unpack_outputs(graph: Any) -> None:
    """``return Outputs(a, b)`` -> ``return (a, b)``: the importer reads tensors."""
    output = next(n for n in graph.nodes if n.op == "output")
    packed = output.args[0]
    if getattr(packed, "op", None) == "call_function" and isinstance(packed.target, type):
        output.args = (tuple(packed.args),)
        graph.erase_node(packed)


def output_roles(cls: Any, with_aux: bool) -> list[tuple[str, float | None]]:
    packed = cls.TrainOutputs if with_aux else cls.Outputs
    if packed is None:
        return [("", None)]
    main = set(cls.Outputs._fields) if cls.Outputs is not None else {packed._fields[0]}
    weights = cls._loss_weights
    return [(name, None if name in main else weights[name]) for name in packed._fields]
