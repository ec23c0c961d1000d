"""Sizes read by spec code, computed in forward (archspec/backends/torch/runtime_sizes.py): a
symbolic network's module equals the concrete network's at every size tried, its reference
build is the concrete build (same keys, weights and outputs), and a concrete build is
unchanged."""

from __future__ import annotations

import pytest
import torch

import archspec
from archspec.backends.torch import build_module
from archspec.backends.torch.dynamic import export_program_dynamic
from archspec.symbolic.export_dims import NotExportable
from tests.symbolic.test_export_dims import WWAE

DEEPLAB = "specs/deeplab_aspp.arch"
# a read of a map that no output needs (side), inside a checkpointed block, with arithmetic
READS = """
block up(ref) {
  out in -> conv(4, 3, p=1) -> upsample(size=[ref.h + 1, 2 * (ref.w // 2)])
}
network reads {
  input x: [3, H, W]
  side = x -> conv(4, 1)
  down = x -> conv(4, 3, s=2, p=1)
  out down -> u: up(side) @checkpoint
}
"""
# output_padding read from the input: nn.ConvTranspose2d holds it as a constant
PADDING = """
network padding {
  input x: [3, H, W]
  y = x -> conv(4, 3, s=2, p=1)
  out y -> conv_transpose(3, 3, s=2, p=1, output_padding=[1 - x.h % 2, 1 - x.w % 2])
}
"""


def outputs(model, x):
    with torch.no_grad():
        out = model(x)
    return out if isinstance(out, tuple) else (out,)


def assert_equals_concrete(net, model, sizes, channels):
    for h, w in sizes:
        concrete = net.at(H=h, W=w).build(seed=0)
        concrete.load_state_dict(model.state_dict())
        concrete.train(model.training)
        x = torch.randn(1, channels, h, w, generator=torch.Generator().manual_seed(h + 7 * w))
        got, want = outputs(model, x), outputs(concrete, x)
        assert [tuple(t.shape) for t in got] == [tuple(t.shape) for t in want], (h, w)
        assert all(torch.equal(a, b) for a, b in zip(got, want)), (h, w)


def test_the_reference_build_is_the_concrete_build():
    net = archspec.load(DEEPLAB, input_shape=(8, "H", "W"))
    dynamic, concrete = net.build(seed=0).eval(), build_module(net.ir, seed=0).eval()
    assert list(dynamic.state_dict()) == list(concrete.state_dict())
    assert all(torch.equal(a, b) for a, b in zip(dynamic.state_dict().values(),
                                                 concrete.state_dict().values()))
    x = torch.randn(1, 8, 28, 28)
    assert torch.equal(outputs(dynamic, x)[0], outputs(concrete, x)[0])
    assert "size = (x_size2, x_size3)" in dynamic.code and ".size(" not in concrete.code
    at_reference = archspec.load(DEEPLAB, input_shape=(8, 28, 28)).build()
    assert ".size(" not in at_reference.code and "size = (28, 28)" in at_reference.code


def test_deeplab_upsamples_to_the_input_size_at_every_size():
    net = archspec.load(DEEPLAB, input_shape=(8, "H", "W"), rates=[1, 2, 3])
    model = net.build(seed=0).eval()
    assert_equals_concrete(net, model, [(1, 1), (5, 9), (33, 17)], 8)


@pytest.mark.parametrize("training", [False, True])
def test_the_what_where_autoencoder_unpools_to_the_pooled_sizes(training):
    net = archspec.load(WWAE, input_shape=(1, "H", "W"))
    model = net.build(seed=0).train(training)
    assert_equals_concrete(net, model, [(8, 8), (13, 9), (31, 22)], 1)


@pytest.mark.parametrize("training", [False, True])
def test_a_read_of_a_map_no_output_needs_inside_a_checkpoint(training):
    net = archspec.load(READS)
    model = net.build(seed=0).train(training)
    assert model._fixed_sizes == ()
    assert_equals_concrete(net, model, [(9, 13), (2, 2), (224, 224)], 3)
    assert model.code.count("conv.size(") == 4  # forward_eval and the checkpointed region


def test_a_layer_holding_a_read_size_stays_at_the_reference_and_cannot_export():
    net = archspec.load(PADDING)
    model = net.build(seed=0).eval()
    assert model._fixed_sizes == (
        "'conv_transpose' (conv_transpose, <string>:5:12) takes output_padding from a size "
        "the spec read, which depends on the input's size, and its torch module holds the "
        "value as a constant",)
    assert_equals_concrete(net, model, [(224, 224)], 3)
    with pytest.raises(NotExportable, match="takes output_padding from a size the spec read"):
        export_program_dynamic(net, model)


def test_a_module_built_with_the_reference_sizes_is_refused_for_export():
    net = archspec.load(DEEPLAB, input_shape=(8, "H", "W"))
    with pytest.raises(NotExportable, match=r"holds their values at the reference size: build "
                                            r"it with net.build\(\)"):
        export_program_dynamic(net, build_module(net.ir).eval())
