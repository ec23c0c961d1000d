"""Lowered stateless and normalisation primitives against independent torch references
(torch.nn modules, torchvision's hand-written code, explicit indexing)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from op_harness import build, rand, run
from torch import nn

C = (6, 7, 9)


def lowered(op, ins, *args, **kwargs):
    return build(op, ins, *args, **kwargs).lower()


def check(op, ins, args, kwargs, reference, seed=0):
    tensors = rand(*ins, seed=seed)
    low = lowered(op, ins, *args, **kwargs)
    if isinstance(low, nn.Module):
        low.eval()
    got = run(low, tensors)
    torch.testing.assert_close(got, reference(*tensors))
    return low


@pytest.mark.parametrize("op,args,kwargs,module", [
    ("relu", (), {}, nn.ReLU()), ("relu6", (), {}, nn.ReLU6()), ("tanh", (), {}, nn.Tanh()),
    ("sigmoid", (), {}, nn.Sigmoid()), ("hardsigmoid", (), {}, nn.Hardsigmoid()),
    ("hardswish", (), {}, nn.Hardswish()), ("silu", (), {}, nn.SiLU()),
    ("gelu", (), {"approximate": "tanh"}, nn.GELU("tanh")), ("elu", (0.5,), {}, nn.ELU(0.5)),
    ("leaky_relu", (), {"slope": 0.2}, nn.LeakyReLU(0.2)),
    ("softmax", (), {}, nn.Softmax(dim=1)), ("log_softmax", (), {"dim": -1}, nn.LogSoftmax(-1)),
    ("lrn", (5,), {"k": 2.0}, nn.LocalResponseNorm(5, k=2.0)),
    ("maxpool", (3, 2), {"ceil_mode": True, "p": 1}, nn.MaxPool2d(3, 2, 1, ceil_mode=True)),
    ("avgpool", (3, 2, 1), {"count_include_pad": False, "ceil_mode": True},
     nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False)),
    ("adaptive_avgpool", ((3, 4),), {}, nn.AdaptiveAvgPool2d((3, 4))),
    ("adaptive_maxpool", (2,), {}, nn.AdaptiveMaxPool2d(2)),
    ("gap", (), {}, lambda x: x.mean((2, 3), keepdim=True)),
    ("gmp", (), {}, lambda x: x.amax((2, 3), keepdim=True)),
    ("mean", ((0, -1),), {"keepdim": False}, lambda x: x.mean((1, 3))),
    ("flatten", (), {}, lambda x: x.reshape(2, -1)),
    ("reshape", ((3, -1, 7),), {}, lambda x: x.reshape(2, 3, -1, 7)),
    ("permute", ((2, 0, 1),), {}, lambda x: x.permute(0, 3, 1, 2)),
    ("transpose", (0, 1), {}, lambda x: x.transpose(1, 2)),
    ("slice", (1, -1, 2), {"dim": 2}, lambda x: x[:, :, :, 1:-1:2]),
    ("select", (3,), {"dim": 0}, lambda x: x[:, 3]),
    ("subsample", (2,), {}, lambda x: x.index_select(2, torch.arange(0, 7, 2))
     .index_select(3, torch.arange(0, 9, 2))),
    ("scale", (0.17,), {}, lambda x: 0.17 * x),
    ("shift", (-2.0,), {}, lambda x: x - 2.0),
    ("identity", (), {}, lambda x: x),
    ("upsample", (2,), {}, lambda x: x.repeat_interleave(2, 2).repeat_interleave(2, 3)),
    ("upsample", (), {"size": (14, 18), "mode": "bilinear", "align_corners": True},
     nn.Upsample((14, 18), mode="bilinear", align_corners=True)),
    ("dropout", (0.5,), {}, lambda x: x),      # eval mode
    ("dropout2d", (0.5,), {}, lambda x: x),
])
def test_single_input_ops(op, args, kwargs, module):
    check(op, [C], args, kwargs, module)


def test_channel_shuffle_matches_torchvision():
    def shuffle(x, groups=3):  # torchvision.models.shufflenetv2.channel_shuffle
        b, c, h, w = x.size()
        x = x.view(b, groups, c // groups, h, w)
        return torch.transpose(x, 1, 2).contiguous().view(b, -1, h, w)

    check("channel_shuffle", [C], (3,), {}, shuffle)


def test_pad_option_a_and_spatial():
    def ref(x):
        out = torch.full((2, 6 + 3, 7 + 3, 9 + 1), 1.5)
        out[:, 1:7, 1:8, 0:9] = x
        return out

    check("pad", [C], ((0, 1, 1, 2),), {"channels": (1, 2), "value": 1.5}, ref)
    check("pad", [C], (1,), {"mode": "replicate"}, lambda x: F.pad(x, (1,) * 4, "replicate"))


def test_merges():
    check("concat", [C, (2, 7, 9)], (), {}, lambda a, b: torch.cat([a, b], 1))
    check("add", [C, (6, 1, 1), (1, 7, 9)], (), {}, lambda a, b, c: a + b + c)
    check("mul", [C, (6, 1, 1)], (), {}, lambda a, b: a * b)
    check("matmul", [(3, 4, 5), (3, 5, 2)], (), {}, lambda a, b: torch.einsum("bgmk,bgkn->bgmn",
                                                                              a, b))


def test_split_ports():
    x = rand(C)
    parts = run(lowered("split", [C], 3), x)
    assert [p.shape[1] for p in parts] == [2, 2, 2]
    torch.testing.assert_close(torch.cat(parts, 1), x[0])
    built = build("split", [C], (2, 4, 3), dim=-1)
    assert (built.shape, built.ports) == ((6, 7, 2), {1: (6, 7, 4), 2: (6, 7, 3)})


def test_maxpool_indices_feed_max_unpool():
    (x,) = rand((3, 9, 11))
    pooled, idx = run(lowered("maxpool", [(3, 9, 11)], 2, return_indices=True), [x])
    unpool = lowered("max_unpool", [(3, 4, 5), (3, 4, 5)], 2, output_size=(9, 11))
    ref = nn.MaxUnpool2d(2)(pooled, idx, output_size=(9, 11))
    torch.testing.assert_close(run(unpool, [pooled, idx]), ref)
    assert ref.shape == (2, 3, 9, 11)


def test_normalisations_match_functional():
    (x,) = rand(C)
    bn = lowered("bn", [C], eps=1e-3)
    bn.running_mean.uniform_(-1, 1)
    bn.running_var.uniform_(0.5, 2)
    bn.eval()
    assert list(bn.state_dict()) == ["weight", "bias", "running_mean", "running_var",
                                     "num_batches_tracked"]
    torch.testing.assert_close(bn(x), F.batch_norm(x, bn.running_mean, bn.running_var,
                                                   bn.weight, bn.bias, False, 0.1, 1e-3))
    assert isinstance(lowered("bn", [(5,)]), nn.BatchNorm1d)
    ln = lowered("layer_norm", [C], dims=(-2, -1))
    torch.testing.assert_close(ln(x), F.layer_norm(x, (7, 9), ln.weight, ln.bias))
    gn = lowered("group_norm", [C], 3, eps=1e-4)
    torch.testing.assert_close(gn(x), F.group_norm(x, 3, gn.weight, gn.bias, 1e-4))
    prelu = lowered("prelu", [C], "all")
    torch.testing.assert_close(prelu(x), F.prelu(x, prelu.weight))
    assert prelu.weight.shape == (6,)


def test_linear_any_rank():
    lin = lowered("linear", [(4, 20)], 7)
    (x,) = rand((4, 20))
    torch.testing.assert_close(lin(x), x @ lin.weight.T + lin.bias)


def test_identity_affine_grid_samples_the_input():
    x, theta = rand(C)[0], torch.tensor([[1.0, 0, 0], [0, 1, 0]]).repeat(2, 1, 1)
    grid = run(lowered("affine_grid", [(2, 3), C], align_corners=True), [theta, x])
    assert grid.shape == (2, 7, 9, 2)
    out = run(lowered("grid_sample", [C, (7, 9, 2)], align_corners=True), [x, grid])
    torch.testing.assert_close(out, x)
    flat = run(lowered("affine_grid", [(6,), C], align_corners=True), [theta.view(2, 6), x])
    torch.testing.assert_close(flat, grid)


def test_dropout_trains():
    drop = lowered("dropout", [(1000,)], 0.5).train()
    frac = (drop(torch.ones(2, 1000)) == 0).float().mean().item()
    assert 0.4 < frac < 0.6
