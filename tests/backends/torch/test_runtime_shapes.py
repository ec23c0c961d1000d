"""The checker and the runtime agree: for every spec, each node's statically inferred shape
equals the shape of the tensor torch computes for it in a forward pass (train mode, so the
auxiliary heads run too). Run on the meta device: torch's own shape functions, no weights."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torch import fx
from torch.fx.passes.shape_prop import ShapeProp

import archspec

SPECS = sorted((Path(__file__).resolve().parents[3] / "specs").glob("*.arch"))


def runtime_shapes(net: archspec.Network) -> list[tuple[str, tuple, tuple]]:
    """(fx node, inferred shape, runtime shape) for every node of the training forward."""
    model = net.build(device="meta").train()
    graph = model.program.forwards["train"] or model.program.forwards["eval"]
    module = fx.GraphModule(model, graph)
    inputs = [torch.empty(2, *shape, device="meta") for shape in net.inputs.values()]  # BN: >1
    ShapeProp(module).propagate(*inputs)
    out = []
    for node in module.graph.nodes:
        if "shape" not in node.meta or "tensor_meta" not in node.meta:
            continue
        meta = node.meta["tensor_meta"]
        first = meta if hasattr(meta, "shape") else meta[0]  # a tuple for multi-port ops
        out.append((node.name, tuple(node.meta["shape"]), tuple(first.shape)[1:]))
    return out


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_inferred_shapes_equal_runtime_shapes(path: Path) -> None:
    rows = runtime_shapes(archspec.load(path))
    assert len(rows) > 3
    wrong = [r for r in rows if r[1] != r[2]]
    assert not wrong, wrong[:5]
