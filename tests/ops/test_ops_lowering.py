"""For every primitive: the shape rule equals the real torch output shape (every port), and the
cost rule's params/buffers equal the lowered module's counts."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from op_harness import BATCH, build, outputs, rand, run, state_counts

from archspec.ops.registry import FreeParam, load_all

C = (4, 9, 11)    # a small odd-sized image
CASES = [
    # conv family
    ("conv", [C], (6, 3), {}),
    ("conv", [C], (8, (2, 3)), {"s": 2, "p": 1, "g": 2}),
    ("conv", [C], (6, 4), {"p": "same"}),             # asymmetric 'same'
    ("conv", [C], (4, 3), {"d": 2, "p": "same", "g": 4, "bias": False}),
    ("conv", [C], (5, 3), {"p": "valid", "s": (2, 1)}),
    ("conv_transpose", [C], (6, 3), {}),
    ("conv_transpose", [C], (6, 4), {"s": 2, "p": 1, "bias": False}),
    ("conv_transpose", [C], (8, 3), {"s": 2, "p": 1, "output_padding": 1, "g": 2}),
    ("conv_transpose", [C], (4, (3, 2)), {"s": (3, 2), "d": 2, "output_padding": (2, 1)}),
    ("deform_conv", [C, (18, 9, 11)], (6, 3), {"p": 1}),
    ("deform_conv", [C, (18, 5, 6), (9, 5, 6)], (8, 3), {"s": 2, "p": 1, "g": 2}),
    ("deform_conv", [C, (16, 8, 10), (8, 8, 10)], (4, 2), {"offset_groups": 2, "bias": False}),
    ("deform_conv", [C, (36, 7, 9)], (6, 3), {"d": 1, "offset_groups": 2}),
    ("table_conv", [(6, 14, 14)], (16, 5), {}),
    ("table_conv", [(3, 8, 8)], (2, 3), {"table": [[0, 2], [1]], "bias": False}),
    # normalisation
    ("bn", [C], (), {}),
    ("bn", [(7,)], (), {"eps": 1e-3}),
    ("bn", [(7, 5)], (), {"affine": False}),
    ("bn", [C], (), {"track_running_stats": False}),
    ("lrn", [C], (5,), {"alpha": 1e-4, "beta": 0.75, "k": 2.0}),
    ("layer_norm", [C], (), {}),
    ("layer_norm", [C], (), {"dims": (-2, -1)}),
    ("layer_norm", [(6, 10)], (), {"dims": -1, "affine": False}),
    ("group_norm", [C], (2,), {}),
    ("group_norm", [C], (4,), {"affine": False}),
    # activations
    *[(a, [C], (), {}) for a in ("relu", "relu6", "tanh", "sigmoid", "hardsigmoid",
                                 "hardswish", "silu", "elu", "gelu")],
    ("leaky_relu", [(5,)], (0.2,), {}),
    ("gelu", [C], (), {"approximate": "tanh"}),
    ("prelu", [C], (), {}),
    ("prelu", [C], ("all",), {}),
    ("softmax", [(10,)], (), {}),
    ("softmax", [(6, 12)], (), {"dim": -1}),
    ("log_softmax", [C], (1,), {}),
    # pooling
    ("maxpool", [C], (3, 2), {}),
    ("maxpool", [C], (3, 2), {"ceil_mode": True}),
    ("maxpool", [(2, 8, 8)], (2,), {"ceil_mode": True, "p": 1}),     # last window clipped
    ("maxpool", [C], (3,), {"s": 1, "p": 1, "return_indices": True}),
    ("maxpool", [C], (2, 1), {"d": 2}),
    ("avgpool", [C], (2,), {}),
    ("avgpool", [C], (3, 2, 1), {"ceil_mode": True, "count_include_pad": False}),
    ("avgpool", [(3, 5, 5)], (2, 2), {"ceil_mode": True}),
    ("avgpool", [C], ((3, 1),), {"s": 1, "divisor_override": 2}),
    ("max_unpool", [(4, 4, 5), (4, 4, 5)], (2,), {}),
    ("max_unpool", [(4, 4, 5), (4, 4, 5)], (2,), {"output_size": (9, 11)}),
    ("max_unpool", [(4, 5, 6), (4, 5, 6)], (3, 2, 1), {"output_size": (9, 11)}),
    ("adaptive_avgpool", [C], ((4, 3),), {}),
    ("adaptive_avgpool", [C], (6,), {}),
    ("adaptive_maxpool", [C], ((2, 5),), {}),
    ("gap", [C], (), {}),
    ("gmp", [C], (), {}),
    ("mean", [C], (), {}),
    ("mean", [C], ((0, 2),), {"keepdim": False}),
    ("lenet_pool", [(6, 28, 28)], (), {}),
    ("lenet_pool", [C], (3,), {}),
    # dense
    ("linear", [(20,)], (7,), {}),
    ("linear", [(5, 20)], (7,), {"bias": False}),
    ("matmul", [(6, 5), (5, 3)], (), {}),
    ("matmul", [(2, 6, 5), (1, 5, 3)], (), {}),
    ("rbf", [(84,)], (10,), {}),
    ("rbf", [(12,)], (5,), {"prototypes": "binary"}),
    ("dropout", [C], (0.3,), {}),
    ("dropout2d", [C], (), {}),
    ("drop_path", [C], (0.2,), {}),
    ("layer_norm2d", [C], (), {}),
    ("layer_norm2d", [C], (), {"eps": 1e-5, "affine": False}),
    # free parameters
    ("scale_param", [C], ((4, 1, 1),), {}),
    ("scale_param", [C], ((1, 4, 9, 11),), {}),
    ("add_param", [C], ((9, 11),), {}),
    ("add_param", [(5,)], ((5,),), {}),
    ("identity", [C], (), {}),
    # merges
    ("concat", [C, (2, 9, 11), (1, 9, 11)], (), {}),
    ("concat", [(4, 9, 3), C], (), {"dim": -1}),
    ("add", [C, C], (), {}),
    ("add", [C, (4, 1, 1), (1, 9, 11)], (), {}),
    ("mul", [C, (4, 1, 1)], (), {}),
    ("mul", [C, C, C], (), {}),
    ("scale", [C], (0.17,), {}),
    ("shift", [C], (-2.0,), {}),
    # shapes and slicing
    ("flatten", [C], (), {}),
    ("flatten", [C], (1,), {}),
    ("flatten", [C], (0, 1), {}),
    ("reshape", [C], ((4, -1),), {}),
    ("reshape", [C], ((2, 2, 99),), {}),
    ("permute", [C], ((1, 2, 0),), {}),
    ("transpose", [C], (), {}),
    ("transpose", [C], (0, -1), {}),
    ("channel_shuffle", [(6, 3, 3)], (3,), {}),
    ("slice", [C], (1, 3), {}),
    ("slice", [C], (-5,), {"step": 2, "dim": 2}),
    ("slice", [C], (2, 100), {"dim": 1}),
    ("select", [C], (-1,), {"dim": 1}),
    ("split", [C], (2,), {}),
    ("split", [C], ((4, 5, 2),), {"dim": -1}),
    ("pad", [C], (1,), {}),
    ("pad", [C], ((0, 1, 2, 3),), {"channels": (2, 2)}),
    ("pad", [C], (2,), {"mode": "reflect"}),
    ("subsample", [C], (2,), {}),
    ("subsample", [C], ((3, 2),), {}),
    # resampling
    ("affine_grid", [(2, 3), C], (), {}),
    ("affine_grid", [(6,), (1, 5, 7)], (), {"align_corners": True}),
    ("grid_sample", [C, (5, 6, 2)], (), {}),
    ("grid_sample", [C, (3, 4, 2)], ("nearest", "border", True), {}),
    ("upsample", [C], (2,), {}),
    ("upsample", [C], (), {"scale": 1.5, "mode": "bilinear", "align_corners": False}),
    ("upsample", [C], (), {"size": (5, 20), "mode": "bicubic"}),
    ("upsample", [C], (), {"scale": (0.5, 2.5), "mode": "area"}),
]


def make_inputs(op: str, ins: list, built) -> list[torch.Tensor]:
    if op != "max_unpool":
        return rand(*ins)
    # indices from a real max-pool of a map of the unpooled size
    x = torch.randn(BATCH, built.shape[0], *built.shape[1:])
    k, s, p = built.params["kernel"], built.params["stride"] or built.params["kernel"], \
        built.params["padding"]
    pooled, idx = F.max_pool2d(x, k, s, p, return_indices=True)
    assert pooled.shape[1:] == ins[0]
    return [pooled, idx]


@pytest.mark.parametrize("op,ins,args,kwargs", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_shape_and_state_match_torch(op, ins, args, kwargs):
    torch.manual_seed(0)
    built = build(op, ins, *args, **kwargs)
    lowered = built.lower()
    got = outputs(run(lowered, make_inputs(op, ins, built)))
    expected = {0: built.shape, **built.ports}
    assert [tuple(t.shape) for t in got] == [(BATCH, *expected[i]) for i in range(len(got))]
    assert len(got) == len(expected)
    assert state_counts(lowered) == (built.cost.params, built.cost.buffers)
    assert built.prim.stateful == isinstance(lowered, (torch.nn.Module, FreeParam)) or (
        built.prim.family == "dropout")
    if built.prim.param_shapes is not None:  # what @init(param=...) may name, and its shape
        declared = built.prim.param_shapes(built.params, built.ins)
        assert declared == {k: tuple(v.shape) for k, v in own_parameters(lowered).items()}


def own_parameters(lowered) -> dict:
    if isinstance(lowered, FreeParam):
        return {"": lowered.value}
    return dict(lowered.named_parameters(recurse=False))


def test_every_primitive_has_a_case():
    covered = {c[0] for c in CASES}
    assert covered == set(load_all()) - {"input"}


def test_every_primitive_is_documented():
    for prim in load_all().values():
        assert prim.doc, prim.name
        assert prim.family in {"io", "conv", "norm", "act", "pool", "linear", "merge", "shape",
                               "sample", "dropout"}, prim.name


def _fmt(value) -> str:
    if isinstance(value, bool) or value is None:
        return str(value).lower()
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, tuple):
        return "(" + ", ".join(_fmt(v) for v in value) + ")"
    return repr(value)


def signature(prim) -> str:
    """``conv(out, kernel|k, stride|s=1, ...)`` as docs/primitives.md writes it."""
    parts = ["|".join((p.name, *p.aliases)) + ("" if p.required else f"={_fmt(p.default)}")
             for p in prim.params]
    return f"{prim.name}({', '.join(parts)})"


def test_docs_list_every_signature():
    doc = (Path(__file__).parents[2] / "docs" / "primitives.md").read_text().replace("\\|", "|")
    missing = [signature(p) for p in load_all().values() if f"`{signature(p)}`" not in doc]
    assert not missing
