"""Checker vs runtime: for random valid specs, build the module, run a batch through it node by
node (torch.fx ShapeProp over the generated graph) and compare every inferred shape with the
real tensor, every layer's parameter and buffer count with its module, and the audit's MACs
with torch's flop counter."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given

import archspec
from archspec.errors import SpecError, flatten
from archspec.ir.graph import node
from tests.hardening.contract_strategies import ContractSpec, contract_spec
from tests.hardening.strategies import Spec, examples, valid_spec

torch = pytest.importorskip("torch")
from torch import fx  # noqa: E402
from torch.fx.passes.shape_prop import ShapeProp  # noqa: E402
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

from archspec.backends.torch.codegen import needed_order, output_refs  # noqa: E402

BATCH = 2
pytestmark = pytest.mark.usefixtures("no_ast_cache")


def runtime_shapes(net: Any, model: Any, x: Any) -> dict[str, list[tuple[int, ...]]]:
    """Node name -> the shapes (without the batch dim) of its outputs, port by port, as the
    eval forward computes them. fx may rename nodes (``slice`` -> ``slice_1``), so they are
    matched to the graph by the order the backend emits them in."""
    graph = type(model)._program.forwards["eval"]
    gm = fx.GraphModule(model, graph)
    ShapeProp(gm).propagate(x)
    emitted = [n for n in gm.graph.nodes if "shape" in n.meta]  # not inputs, getitems, output
    order = needed_order(net.ir, list(output_refs(net.ir, "eval").values()))
    assert len(order) == len(emitted)
    out = {}
    for name, n in zip(order, emitted):
        meta = n.meta["tensor_meta"]
        metas = [meta] if hasattr(meta, "shape") else list(meta)  # a NamedTuple either way
        out[name] = [tuple(m.shape[1:]) for m in metas]
    return out


def state_counts(module: Any) -> tuple[int, int]:
    """(parameters, persistent buffer elements) of ``module``."""
    params = sum(p.numel() for p in module.parameters())
    return params, sum(v.numel() for v in module.state_dict().values()) - params


@examples(60)
@given(valid_spec())
def test_inferred_shapes_and_counts_match_the_built_module(spec: Spec) -> None:
    net = archspec.load(spec.text, **spec.params)
    model = net.build(seed=0).eval()
    x = torch.randn(BATCH, *net.inputs["x"], generator=torch.Generator().manual_seed(0))
    seen = runtime_shapes(net, model, x)
    for name, shapes in seen.items():
        n = node(net.graph, name)
        expected = [n.shape] + [n.port_shapes[p] for p in sorted(n.port_shapes)]
        assert shapes == expected, f"{n.name} ({n.op}): inferred {expected}, ran {shapes}"
    out = model(x)
    assert tuple(out.shape) == (BATCH, *spec.output) == (BATCH, *net.outputs["out"])

    report = net.audit()
    for row in report.rows:
        if not row.is_block and (row.params or row.buffers):
            assert state_counts(model.get_submodule(row.name)) == (row.params, row.buffers), \
                row.name
    params, buffers = state_counts(model)
    assert params == report.params + report.dead.params
    assert buffers == report.buffers + report.dead.buffers


@examples(30)
@given(valid_spec())
def test_audited_macs_match_the_flop_counter(spec: Spec) -> None:
    net = archspec.load(spec.text, **spec.params)
    model = net.build(seed=0).eval()
    x = torch.randn(BATCH, *net.inputs["x"])
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(x)
    assert counter.get_total_flops() == 2 * BATCH * net.audit().macs, spec.text


def assert_check_is_the_truth(text: str, input_name: str = "x", **load: Any) -> None:
    """The contract: if check accepts ``text``, build gives a module that runs in train and
    eval mode with exactly the predicted output shape, parameter count and trainable flags;
    if not, every error is a located SpecError. ``load`` goes to ``archspec.load`` (variants
    and input overrides plug in here)."""
    try:
        net = archspec.load(text, **load)
    except SpecError as err:
        for e in flatten(err):
            assert e.span.line >= 1 and e.span.col >= 1, (e.kind, e.message, text)
        return
    model = net.build(seed=0)
    x = torch.rand(BATCH, *net.inputs[input_name])
    for training in (True, False):
        model.train(training)
        out = model(x)
        assert tuple(out.shape) == (BATCH, *net.outputs["out"]), text
    report = net.audit()
    assert sum(p.numel() for p in model.parameters()) == report.params + report.dead.params
    if not report.dead.params:
        trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
        assert (trainable, report.params - trainable) == (report.trainable_params,
                                                          report.non_trainable_params), text


@examples(200, fuzz=5000)
@given(contract_spec())
def test_check_is_the_truth_for_hostile_specs(spec: ContractSpec) -> None:
    assert_check_is_the_truth(spec.text, spec.input_name, **spec.params)
