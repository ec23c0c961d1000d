"""LeNet-5 (LeCun et al. 1998): the specials add up to exactly 60,000 trainable parameters."""

from __future__ import annotations

import torch
from op_harness import rand, run

from archspec.ir.builder import GraphBuilder
from archspec.ir.graph import input_shapes, node, nodes
from archspec.ops.lenet import LENET_C3_TABLE, rbf_prototypes, seven_segment
from archspec.ops.registry import get

LAYERS = [  # (op, args, kwargs, expected output shape, trainable params)
    ("conv", (6, 5), {}, (6, 28, 28), 156),
    ("tanh", (), {}, (6, 28, 28), 0),
    ("lenet_pool", (), {}, (6, 14, 14), 12),
    ("tanh", (), {}, (6, 14, 14), 0),
    ("table_conv", (16, 5), {"table": "lenet"}, (16, 10, 10), 1516),
    ("tanh", (), {}, (16, 10, 10), 0),
    ("lenet_pool", (2,), {}, (16, 5, 5), 32),
    ("tanh", (), {}, (16, 5, 5), 0),
    ("conv", (120, 5), {}, (120, 1, 1), 48120),
    ("tanh", (), {}, (120, 1, 1), 0),
    ("flatten", (), {}, (120,), 0),
    ("linear", (84,), {}, (84,), 10164),
    ("tanh", (), {}, (84,), 0),
    ("rbf", (10,), {}, (10,), 0),
]


def _lenet() -> GraphBuilder:
    b = GraphBuilder("lenet5")
    ref = b.input("x", (1, 32, 32))
    for op, args, kwargs, _, _ in LAYERS:
        ref = b.op(op, [ref], *args, **kwargs)
    b.output("scores", ref)
    return b


def test_lenet5_has_60000_trainable_params():
    g = _lenet().graph
    ops = [n for n in nodes(g) if n.op != "input"]
    costs = [get(n.op).cost(n.params, input_shapes(g, n), n.shape) for n in ops]
    assert [n.shape for n in ops] == [layer[3] for layer in LAYERS]
    assert [c.params for c in costs] == [layer[4] for layer in LAYERS]
    assert sum(c.params for c in costs) == 60_000
    assert sum(c.buffers for c in costs) == 840   # the RBF prototypes


def test_lenet5_lowered_runs_and_counts_match():
    g = _lenet().graph
    (x,) = rand((1, 32, 32))
    trainable = 0
    for n in nodes(g):
        if n.op == "input":
            continue
        low = get(n.op).lower(n, input_shapes(g, n))
        if isinstance(low, torch.nn.Module):
            trainable += sum(p.numel() for p in low.parameters() if p.requires_grad)
        x = run(low, [x])
    assert trainable == 60_000
    assert x.shape == (2, 10) and bool((x >= 0).all())
    assert node(g, "rbf").shape == (10,)


def test_c3_table_is_the_papers():
    assert sum(len(row) for row in LENET_C3_TABLE) == 60
    assert [len(row) for row in LENET_C3_TABLE] == [3] * 6 + [4] * 9 + [6]
    # every S2 map feeds exactly 10 of the 16 C3 maps
    assert [sum(i in row for row in LENET_C3_TABLE) for i in range(6)] == [10] * 6


def test_rbf_prototypes_are_fixed_distinct_digits():
    protos = rbf_prototypes("lenet", 10, 84)
    assert all(v in (-1.0, 1.0) for row in protos for v in row)
    assert len({tuple(r) for r in protos}) == 10
    assert [sum(v > 0 for v in seven_segment(d)) for d in (1, 8)] == [10, 29]
    assert rbf_prototypes("binary", 5, 12) == rbf_prototypes("binary", 5, 12)


def test_rbf_is_squared_distance_to_prototypes():
    g = GraphBuilder("t")
    y = g.op("rbf", [g.input("x", (84,))], 10)
    n = node(g.graph, y.node)
    m = get("rbf").lower(n, [(84,)])
    assert list(m.state_dict()) == ["prototypes"] and not list(m.parameters())
    (x,) = rand((84,))
    torch.testing.assert_close(m(x), torch.cdist(x, m.prototypes) ** 2, rtol=1e-4, atol=1e-3)
