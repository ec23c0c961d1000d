"""Round trip: every zoo spec, built and imported back, elaborates to the same graph: the
same ops with the same parameters and shapes, wired the same way, and the same module
names (so the same state_dict keys)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import archspec
from archspec.importers import import_model

pytest.importorskip("torch")
SPECS = sorted((Path(__file__).resolve().parents[2] / "specs").glob("*.arch"))

GLOBAL_POOLS = {"adaptive_avgpool": "gap", "adaptive_maxpool": "gmp"}


def canonical(op: str, params: dict[str, Any], shape_in: tuple[int, ...] | None,
              shape_out: tuple[int, ...]) -> tuple[str, dict[str, Any]]:
    """The op and parameters as the computation sees them: a pool's stride None is its
    kernel; mean's dims count from the front (the importer writes ``x.mean([2, 3])`` as dims
    (1, 2)); an adaptive pool to 1×1 is the global pool (both are
    ``F.adaptive_avg_pool2d(x, 1)``, and the importer writes ``gap``); a dim counts from the
    front and a reshape's -1 is the size it stands for (archspec lowers both resolved)."""
    params = dict(params)
    if op == "reshape":
        params["shape"] = shape_out
    for key in ("dim", "dim0", "dim1"):
        if isinstance(params.get(key), int) and shape_in:
            params[key] %= len(shape_in)
    if op in GLOBAL_POOLS and params.get("size") in (1, (1, 1)):
        op, params = GLOBAL_POOLS[op], {}
    if "stride" in params and params["stride"] is None and "kernel" in params:
        params["stride"] = params["kernel"]
    if op == "mean" and shape_in is not None:
        params["dims"] = tuple(d % len(shape_in) for d in params["dims"])
    return op, params


def records(net: archspec.Network) -> list[tuple[Any, ...]]:
    """Each node in order: op, parameters, shape, module name, and inputs by position."""
    nodes = [data["data"] for data in net.ir.nodes.values()]
    index = {n.name: i for i, n in enumerate(nodes)}
    out = []
    for n in nodes:
        shape_in = nodes[index[n.inputs[0].node]].shape if n.inputs else None
        out.append((*canonical(n.op, n.params, shape_in, n.shape), n.shape,
                    n.name if n.module else "", [(index[r.node], r.port) for r in n.inputs]))
    return out


def outputs(net: archspec.Network) -> list[tuple[Any, ...]]:
    """Each output: name, role (main or aux), loss weight and the node it reads."""
    nodes = list(net.ir.nodes)
    return [(o.name, o.role, o.loss_weight, nodes.index(o.node.node), o.node.port)
            for o in net.ir.meta.outputs.values()]


def input_shape(net: archspec.Network) -> tuple[int, ...]:
    (name,) = net.ir.meta.inputs
    return net.ir.nodes[name]["data"].shape


@pytest.mark.parametrize("spec", SPECS, ids=[s.stem for s in SPECS])
def test_zoo_spec_round_trips(spec: Path) -> None:
    original = archspec.load(spec)
    model = original.build(device="meta")
    text = import_model(model, input_shape(original), name=original.name)
    imported = archspec.load(text)
    assert records(imported) == records(original)
    assert outputs(imported) == outputs(original)
    assert list(imported.build(device="meta").state_dict()) == list(model.state_dict())


def test_checkpointed_blocks_import_as_plain_blocks() -> None:
    original = archspec.load(SPECS[0].parent / "densenet121.arch", memory_efficient=True)
    model = original.build(device="meta")
    text = import_model(model, input_shape(original), name=original.name)
    assert "@checkpoint" not in text     # a training-time choice: the eval program has none
    assert records(archspec.load(text)) == records(original)


# One small network per primitive family the zoo specs leave out or use in one way only
# (input 8×6×6); with the zoo, every primitive archspec lowers is read back.
PRIMITIVES = {
    "conv_transpose": "x -> up: conv_transpose(4, 2, s=2, output_padding=1, bias=false)",
    "group_norm_prelu": "x -> gn: group_norm(2, eps=0.001) -> act: prelu(channels=\"all\")",
    "elu_leaky_relu": "x -> elu(0.5) -> leaky_relu(0.2) -> leaky_relu -> elu",
    "select": "x -> select(1, dim=1) -> flatten",
    "identity": "x -> identity -> relu",
    "activations": "x -> relu6 -> hardswish -> hardsigmoid -> silu -> sigmoid -> tanh -> gelu",
    "pools": "x -> avgpool(3, s=1, p=1) -> maxpool(2) -> adaptive_maxpool(2) -> gmp",
    "layer_norms": "x -> permute([1, 2, 0]) -> ln: layer_norm(dims=-1) -> permute([2, 0, 1])"
                   " -> ln2: layer_norm2d",
    "free_params": "x -> s: scale_param([8, 1, 1]) -> b: add_param([8, 1, 1])",
    "mean_scale_shift": "x -> scale(2.0) -> shift(1.0) -> mean(keepdim=false)",
    "dropouts": "x -> dropout2d(0.1) -> drop_path(0.2) -> dropout(0.3)",
    "upsample": "x -> upsample(2) -> upsample(size=[5, 7], mode=\"bilinear\", align_corners=true)",
    "pad_slices": "x -> pad(1, mode=\"reflect\") -> pad(spatial=[1, 0, 2, 0], value=1.0)"
                  " -> slice(stop=3, dim=2) -> slice(1, 7, 2) -> subsample(2)",
    "transpose_softmax": "x -> transpose(0, 2) -> softmax(dim=-1) -> log_softmax",
}


def round_trip(text: str) -> tuple[archspec.Network, archspec.Network]:
    original = archspec.load(text)
    model = original.build(device="meta")
    return original, archspec.load(import_model(model, input_shape(original), name="net"))


@pytest.mark.parametrize("body", PRIMITIVES.values(), ids=PRIMITIVES.keys())
def test_primitive_round_trips(body: str) -> None:
    original, imported = round_trip(f"network net {{\n  input x: [8, 6, 6]\n  out {body}\n}}")
    assert records(imported) == records(original)
    assert len(records(original)) == body.count("->") + 1


def test_split_comes_back_as_one_slice_per_part() -> None:
    """torch.split's parts are read as slices (the same values, and the form ShuffleNet's
    ``x.chunk(2, dim=1)`` is written in): a split does not round trip as one node."""
    _, imported = round_trip("network net {\n  input x: [8, 6, 6]\n  a, b = split(x, [3, 5])\n"
                             "  out concat(b, a)\n}")
    assert [(op, p.get("start"), p.get("stop")) for op, p, *_ in records(imported)] == [
        ("input", None, None), ("slice", 3, 8), ("slice", 0, 3), ("concat", None, None)]
