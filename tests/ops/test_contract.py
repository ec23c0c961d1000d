"""The primitive contract: every primitive declares its port types and geometry; the geometry
rule predicts the shape rule's output size; port types match the dtypes torch produces."""

from __future__ import annotations

import pytest
import torch
from op_harness import build, outputs, run
from test_ops_lowering import CASES, make_inputs

from archspec.ops.contract import primitive
from archspec.ops.geometry import (
    FLOAT,
    INDEX,
    KEEP,
    Adaptive,
    Keep,
    Mix,
    Ports,
    Scale,
    Transposed,
    Window,
    out_size,
    spatial_size,
)
from archspec.ops.registry import Primitive, load_all

IDS = [f"{c[0]}-{i}" for i, c in enumerate(CASES)]


def test_every_primitive_declares_ports_geometry_and_channels():
    for prim in load_all().values():
        assert isinstance(prim.ports, Ports), prim.name
        assert len(prim.ports.inputs) == len(prim.all_inputs) or prim.variadic, prim.name
        assert set(prim.ports.inputs + prim.ports.outputs) <= {FLOAT, INDEX}, prim.name
        assert callable(prim.geometry) and callable(prim.channels), prim.name
        assert prim.name_use in ("module", "parameter", "argument", "none")
        assert (prim.name_use == "parameter") == (prim.name in ("scale_param", "add_param"))
        assert (prim.param_shapes is not None) == prim.stateful, prim.name


@pytest.mark.parametrize("missing", ["geometry", "ports"])
def test_registration_without_geometry_or_ports_fails(missing):
    fields = {"geometry": KEEP, "ports": Ports()}
    del fields[missing]
    with pytest.raises(TypeError, match=f"must declare its {missing}"):
        primitive("contract_test_op", **fields)
    assert "contract_test_op" not in load_all()


def test_only_maxpool_makes_indices_and_only_max_unpool_reads_them():
    prims = load_all()
    makes = {n for n, p in prims.items() if INDEX in p.ports.outputs}
    reads = {n for n, p in prims.items() if INDEX in p.ports.inputs}
    assert (makes, reads) == ({"maxpool"}, {"max_unpool"})
    assert prims["max_unpool"].ports.input(1) == INDEX
    assert prims["maxpool"].ports.output(1) == INDEX


@pytest.mark.parametrize("op,ins,args,kwargs", CASES, ids=IDS)
def test_geometry_predicts_the_shape_rule(op, ins, args, kwargs):
    built = build(op, ins, *args, **kwargs)
    x = built.ins[0] if built.ins else None
    geometry = built.prim.geometry(built.params, x)
    if x is None or len(x) != 3 or len(built.shape) != 3 or geometry is None:
        return
    assert len(geometry) == 2
    if any(isinstance(r, Mix) for r in geometry):
        return
    assert spatial_size(geometry, x[1:]) == built.shape[1:], geometry


@pytest.mark.parametrize("op,ins,args,kwargs", CASES, ids=IDS)
def test_port_types_match_torch_dtypes(op, ins, args, kwargs):
    torch.manual_seed(0)
    built = build(op, ins, *args, **kwargs)
    got = outputs(run(built.lower(), make_inputs(op, ins, built)))
    kinds = [INDEX if t.dtype == torch.int64 else FLOAT for t in got]
    assert kinds == [built.prim.ports.output(i) for i in range(len(got))]


@pytest.mark.parametrize("rule,size,expected", [
    (Window(3, 2, 1, 1), 32, 16),
    (Window(3, 2, 0, 0, ceil_mode=True), 8, 4),   # torch: the last window must start inside
    (Window(2, 2, 0, 0, ceil_mode=True), 7, 4),
    (Window(3, 1, 0, 0, dilation=2), 10, 6),
    (Window(1, 1, -2, -3), 10, 5),                 # a crop
    (Transposed(Window(4, 2, 1, 1)), 16, 32),
    (Transposed(Window(2, 2), extra=1), 15, 31),  # max_unpool to an odd size
    (Scale(2.5), 7, 17),
    (Scale(size=5), 99, 5),
    (Adaptive(7), 13, 7),
    (Keep(), 11, 11),
    (Mix(), 11, None),
])
def test_out_size(rule, size, expected):
    assert out_size(rule, size) == expected


def test_permute_across_axes_mixes_and_identity_permute_keeps():
    prim = load_all()["permute"]
    assert prim.geometry({"dims": (0, 2, 1)}, (8, 4, 4)) == (Mix(), Mix())
    assert prim.geometry({"dims": (0, 1, 2)}, (8, 4, 4)) == (Keep(), Keep())


def test_primitive_is_a_frozen_dataclass():
    with pytest.raises(AttributeError):
        load_all()["conv"].geometry = None  # type: ignore[misc]
    assert Primitive.__dataclass_params__.frozen  # type: ignore[attr-defined]
