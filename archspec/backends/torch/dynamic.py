"""Exports with dynamic input sizes: ``torch.export`` and ONNX programs whose H and W carry
the constraints derived from the valid set (archspec/symbolic/export_dims.py, docs/build.md
"Dynamic sizes")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from archspec.backends.torch.export import export_onnx, plain_outputs
from archspec.fileio import replacing
from archspec.symbolic.export_dims import DimPlan, NotExportable, dynamic_plans


def torch_dims(plans: list[DimPlan]) -> dict[str, Any]:
    """Symbol -> ``Dim(name, min=…)``, or the derived ``step*Dim(name_k, min=k_min) + r``."""
    dims: dict[str, Any] = {}
    for p in plans:
        if p.step == 1:
            dims[p.name] = torch.export.Dim(p.name, min=p.minimum)
        else:
            k = torch.export.Dim(f"{p.name}_k", min=p.k_min)
            dims[p.name] = p.step * k + p.residue if p.residue else p.step * k
    return dims


def dynamic_shapes(net: Any, dims: dict[str, Any]) -> tuple[Any, ...]:
    """One entry per input: the first input's symbolic axes (after the batch axis) get their
    dims; other inputs are static."""
    first = {axis + 1: dims[d] for axis, d in enumerate(net.input_dims) if isinstance(d, str)}
    return (first, *[None] * (len(net.inputs) - 1))


def example_inputs(net: Any, plans: list[DimPlan], device: str = "cpu") -> tuple[Any, ...]:
    """Batch-1 inputs: the reference size when the exported range holds it, else each
    range's smallest size."""
    sizes = {p.name: net.shapes.reference[p.name] if p.contains(net.shapes.reference[p.name])
             else p.minimum for p in plans}
    shapes = list(net.inputs.values())
    first = tuple(sizes[d] if isinstance(d, str) else d for d in net.input_dims)
    return tuple(torch.randn(1, *s, device=device) for s in [first, *shapes[1:]])


def plans_for(net: Any, training: bool = False) -> list[DimPlan]:
    """The dim plans of a program in training or eval mode (eval skips the auxiliary heads);
    NotExportable when torch.export cannot state the valid set."""
    from archspec.passes.pipeline import annotate
    from archspec.passes.roles import AUX
    graph = annotate(net.ir)
    runs = None if training else {n for n, a in graph.nodes(data=True) if a["role"] != AUX}
    return dynamic_plans(net.shapes, net.caveats(), runs, graph)


def check_runtime_sizes(net: Any, model: Any) -> None:
    """A network whose code reads sizes that depend on the input exports only from a module
    that reads them in forward (``build_module(..., runtime_sizes=net.shapes)``, what
    ``net.build()`` does); a module holding the reference's values would fail in torch with a
    constraint violation."""
    from archspec.backends.torch.runtime_sizes import reads_dynamic_sizes
    if not reads_dynamic_sizes(net.ir, net.shapes):
        return
    fixed = getattr(model, "_fixed_sizes", None)
    if fixed is None:
        raise NotExportable(
            "the spec reads sizes that depend on the input, and this module holds their values "
            "at the reference size: build it with net.build() or build_module(net.ir, "
            "runtime_sizes=net.shapes)")
    if fixed:
        raise NotExportable(fixed[0])


def export_program_dynamic(net: Any, model: Any, path: str | Path | None = None,
                           device: str = "cpu") -> Any:
    """``torch.export.export`` with dynamic sizes; saved as ``path`` (.pt2) when given."""
    plans = plans_for(net, model.training)
    check_runtime_sizes(net, model)
    program = torch.export.export(plain_outputs(model), example_inputs(net, plans, device),
                                  dynamic_shapes=dynamic_shapes(net, torch_dims(plans)))
    if path is not None:
        with replacing(path) as tmp:
            torch.export.save(program, str(tmp))
    return program


def export_onnx_dynamic(net: Any, model: Any, path: str | Path, device: str = "cpu") -> None:
    """ONNX (torch's dynamo exporter) with symbolic H and W axes."""
    plans = plans_for(net, model.training)
    check_runtime_sizes(net, model)
    export_onnx(plain_outputs(model), example_inputs(net, plans, device), path, dynamo=True,
                dynamic_shapes=dynamic_shapes(net, torch_dims(plans)))
