"""optimize_for_inference: batch norm folding, in-place elementwise ops, channels_last."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch_nets import branchy_graph, resnet_graph

from archspec.backends.torch import build_module, optimize_for_inference
from archspec.ir.builder import GraphBuilder


def _randomise_bn_statistics(model: nn.Module) -> None:
    gen = torch.Generator().manual_seed(0)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.num_features, generator=gen))
            m.running_var.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
            m.weight.data.copy_(torch.randn(m.num_features, generator=gen))


def test_folded_network_matches_and_leaves_the_original_alone():
    model = build_module(resnet_graph((1, 1, 1, 1)), seed=0).eval()
    _randomise_bn_statistics(model)
    keys = list(model.state_dict())
    fast = optimize_for_inference(model)
    assert sum(isinstance(m, nn.BatchNorm2d) for m in model.modules()) == 12
    assert not any(isinstance(m, nn.BatchNorm2d) for m in fast.modules())
    assert list(model.state_dict()) == keys
    assert fast.conv1.weight.is_contiguous(memory_format=torch.channels_last)
    x = torch.randn(2, 3, 32, 32, generator=torch.Generator().manual_seed(1))
    with torch.inference_mode():
        expected, got = model(x), fast(x)
    assert (got - expected).abs().max() < 1e-4 * expected.abs().max()
    code = fast.code
    assert "x.contiguous(memory_format = torch.channels_last)" in code
    assert code.count("torch.relu_(") == 9 and code.count(" += ") == 4
    assert "bn1" not in code


def test_inplace_ops_never_overwrite_a_value_read_elsewhere():
    model = build_module(branchy_graph(), seed=0).eval()
    fast = optimize_for_inference(model, channels_last=False)
    assert "relu_(" in fast.code and " += " not in fast.code  # unpool's output is not a layer's
    x = torch.randn(2, 3, 16, 16)
    with torch.inference_mode():
        torch.testing.assert_close(fast(x), model(x), rtol=1e-5, atol=1e-5)


def test_relu_after_dropout_stays_out_of_place():
    b = GraphBuilder("drop")
    x = b.input("x", (4,))
    y = b.op("dropout", [b.op("linear", [x], 4, name="fc")], name="drop")
    b.output("out", b.op("add", [b.op("relu", [y]), y]))
    fast = optimize_for_inference(build_module(b.graph, seed=0))
    assert "relu_(" not in fast.code and " += " not in fast.code


def test_optimized_network_refuses_training():
    fast = optimize_for_inference(build_module(resnet_graph((1, 1, 1, 1)), seed=0))
    fast.train()
    with pytest.raises(RuntimeError, match="optimized for inference"):
        fast(torch.randn(1, 3, 32, 32))
