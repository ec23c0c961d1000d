"""build_module: names, numerics against hand-written modules, modes, init, limits, devices."""

from __future__ import annotations

import pytest
import torch
import torchvision
from torch import nn
from torch_nets import Branchy, branchy_graph, resnet_graph, tiny_graph

from archspec.backends.torch import build_module, optimize_for_inference
from archspec.errors import ArgumentError, SpecLimitError, SpecNameError
from archspec.ir.builder import GraphBuilder
from archspec.source import SourceFile, Span


@pytest.fixture(scope="module")
def resnet18() -> tuple[nn.Module, nn.Module]:
    """Our resnet18 graph built with torchvision's weights loaded strictly, and torchvision's."""
    ref = torchvision.models.resnet18(num_classes=10).eval()
    model = build_module(resnet_graph(), seed=0).eval()
    model.load_state_dict(ref.state_dict(), strict=True)
    return model, ref


def test_resnet18_state_dict_keys_match_torchvision_in_order(resnet18):
    model, ref = resnet18
    assert list(model.state_dict()) == list(ref.state_dict())
    assert model.layer1[0].conv1 is model.get_submodule("layer1.0.conv1")
    assert isinstance(model.layer1, nn.Sequential)


def test_resnet18_matches_torchvision_numerically(resnet18):
    model, ref = resnet18
    x = torch.randn(2, 3, 32, 32, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        torch.testing.assert_close(model(x), ref(x), rtol=0, atol=1e-5)


def test_forward_is_generated_straight_line_code(resnet18):
    model, _ = resnet18
    code = model.code
    assert code.startswith("def forward(self, x):\n")
    assert "layer1_0_conv1 = getattr(self.layer1, \"0\").conv1(maxpool)" in code
    assert "for " not in code and "if " not in code
    assert code.count("\n    ") == len(model.program.forwards["eval"].nodes) - 1


def test_branchy_matches_hand_written_module_in_both_modes():
    model = build_module(branchy_graph(), seed=3)
    ref = Branchy()
    assert list(model.state_dict()) == list(ref.state_dict())
    ref.load_state_dict(model.state_dict(), strict=True)
    x = torch.randn(4, 3, 16, 16, generator=torch.Generator().manual_seed(0))
    logits, aux = model(x)
    ref_logits, ref_aux = ref(x)
    torch.testing.assert_close(logits, ref_logits, rtol=0, atol=1e-6)
    torch.testing.assert_close(aux, ref_aux, rtol=0, atol=1e-6)
    model.eval()
    ref.eval()
    torch.testing.assert_close(model(x), ref(x), rtol=0, atol=1e-6)


def test_aux_outputs_are_a_named_tuple_in_training_and_absent_in_eval():
    model = build_module(branchy_graph(), seed=0)
    out = model(torch.randn(2, 3, 16, 16))
    assert type(out).__name__ == "BranchyTrainOutputs" and out._fields == ("logits", "aux")
    assert out.logits.shape == (2, 5) and out.aux.shape == (2, 5)
    assert "aux_fc" not in model.program.forwards["eval"].python_code("self").src
    assert "self.aux.fc" in model.program.forwards["train"].python_code("self").src
    model.eval()
    assert model(torch.randn(2, 3, 16, 16)).shape == (2, 5)


def test_combine_losses_weights_aux_outputs():
    model = build_module(branchy_graph(), seed=0)
    assert model.loss_weights == {"logits": 1.0, "aux": 0.3}
    total = model.combine_losses({"logits": torch.tensor(2.0), "aux": torch.tensor(10.0)})
    assert total.item() == pytest.approx(5.0)
    with pytest.raises(KeyError, match="aux2"):
        model.combine_losses({"aux2": torch.tensor(1.0)})


def test_several_main_outputs_give_a_named_tuple_in_eval():
    b = GraphBuilder("two_heads")
    x = b.input("x", (4,))
    b.output("a", b.op("linear", [x], 3, name="a"))
    b.output("b", b.op("linear", [x], 2, name="b"))
    model = build_module(b.graph).eval()
    out = model(torch.randn(5, 4))
    assert out._fields == ("a", "b") and out.a.shape == (5, 3) and out.b.shape == (5, 2)
    assert "if self.training" not in model.code


def test_same_seed_gives_bit_identical_weights_and_keeps_global_rng():
    state = torch.get_rng_state()
    first = build_module(resnet_graph(layers=(1, 1, 1, 1)), seed=7).state_dict()
    second = build_module(resnet_graph(layers=(1, 1, 1, 1)), seed=7).state_dict()
    other = build_module(resnet_graph(layers=(1, 1, 1, 1)), seed=8).state_dict()
    assert torch.equal(torch.get_rng_state(), state)
    assert all(torch.equal(first[k], second[k]) for k in first)
    assert not torch.equal(first["conv1.weight"], other["conv1.weight"])


def test_declared_inits_are_applied_after_defaults():
    model = build_module(tiny_graph({"bn": "zeros", "conv": "ones", "fc": "identity_affine"}))
    assert torch.count_nonzero(model.bn.weight) == 0 and torch.count_nonzero(model.bn.bias) == 0
    assert torch.all(model.conv.weight == 1) and torch.all(model.conv.bias == 1)
    assert torch.count_nonzero(model.fc.weight) == 0
    assert model.fc.bias.tolist() == [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]


def test_unknown_init_is_a_spec_error():
    with pytest.raises(ArgumentError, match="unknown init 'kaiming'") as err:
        build_module(tiny_graph({"conv": "kaiming"}))
    assert "identity_affine" in err.value.hint


def test_label_clashing_with_a_module_attribute_is_a_spec_error():
    b = GraphBuilder("clash")
    x = b.input("x", (3, 8, 8))
    b.output("y", b.op("conv", [x], 2, 1, name="block.train"))
    with pytest.raises(SpecNameError, match="'train'"):
        build_module(b.graph)


def test_meta_device_allocates_nothing_and_skips_the_limit():
    model = build_module(resnet_graph(), device="meta", max_param_bytes=1)
    assert all(p.is_meta for p in model.parameters())
    assert sum(p.numel() for p in model.parameters()) == 11_181_642


def test_parameter_limit_raises_before_allocating():
    graph = resnet_graph()
    source = SourceFile("specs/resnet18.arch", "network resnet18() {\n}\n")
    graph.meta.span = Span(source, 1, 1, 1, 8)
    with pytest.raises(SpecLimitError) as err:
        build_module(graph, max_param_bytes=2**20)
    # 11,181,642 params + 9,600 BN statistics + 20 BN counters, 4 bytes each
    assert "about 0.04 GiB" in err.value.message and "limit of 0.00 GiB" in err.value.message
    assert err.value.span.line == 1 and err.value.span.file == "specs/resnet18.arch"
    assert "max_param_bytes=" in err.value.hint and "--max-param-bytes" in err.value.hint
    build_module(graph, device="meta", max_param_bytes=2**20)


def test_dtype_applies_to_floating_state_only():
    half = build_module(tiny_graph(), dtype=torch.bfloat16, seed=0)
    assert {p.dtype for p in half.parameters()} == {torch.bfloat16}
    with pytest.raises(ValueError, match="floating"):
        build_module(tiny_graph(), dtype=torch.int32)
    model = build_module(tiny_graph(), dtype=torch.float64)
    assert model.conv.weight.dtype == torch.float64
    assert model.bn.running_var.dtype == torch.float64
    assert model.bn.num_batches_tracked.dtype == torch.int64
    assert model(torch.randn(2, 3, 8, 8, dtype=torch.float64)).dtype == torch.float64


def test_checkpointed_blocks_give_the_same_gradients_and_keys():
    x = torch.randn(2, 3, 32, 32, generator=torch.Generator().manual_seed(2))
    grads = []
    for checkpoint in (False, True):
        model = build_module(resnet_graph(layers=(1, 1, 1, 1), checkpoint=checkpoint), seed=5)
        model(x).square().sum().backward()
        grads.append({k: p.grad for k, p in model.named_parameters()})
    plain, ckpt = grads
    assert list(plain) == list(ckpt)
    for key in plain:
        torch.testing.assert_close(ckpt[key], plain[key], rtol=1e-5, atol=1e-6)
    assert model.code.count("torch.utils.checkpoint.checkpoint(") == 4
    assert "checkpoint" not in model.program.forwards["eval"].python_code("self").src


def test_channels_last_under_bf16_autocast_runs_forward_and_backward():
    graph = resnet_graph(layers=(1, 1, 1, 1))
    model = build_module(graph, seed=0, memory_format=torch.channels_last).eval()
    reference = build_module(graph, seed=0).eval()
    assert model.layer1[0].conv1.weight.is_contiguous(memory_format=torch.channels_last)
    x = torch.randn(2, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = model(x)
    assert out.dtype == torch.bfloat16
    out.float().square().sum().backward()
    grad = model.conv1.weight.grad
    assert grad is not None and grad.dtype == torch.float32 and torch.isfinite(grad).all()
    expected = reference(x)
    assert (out.float() - expected).abs().max() < 0.02 * expected.abs().max()


def test_compile_fullgraph_without_graph_breaks():
    model = build_module(tiny_graph(), seed=0).eval()
    x = torch.randn(2, 3, 8, 8)
    compiled = torch.compile(model, fullgraph=True)
    torch.testing.assert_close(compiled(x), model(x))


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_build_constructs_on_the_gpu():
    model = build_module(resnet_graph(), device="cuda", seed=0, dtype=torch.float16)
    assert all(p.is_cuda and p.dtype == torch.float16 for p in model.parameters())
    with torch.no_grad():
        assert model.eval()(torch.randn(2, 3, 32, 32, device="cuda",
                                        dtype=torch.float16)).shape == (2, 10)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_seed_autocast_channels_last_and_optimized_inference():
    graph = resnet_graph(layers=(1, 1, 1, 1))
    first = build_module(graph, device="cuda", seed=1, memory_format=torch.channels_last)
    second = build_module(graph, device="cuda", seed=1)
    assert all(torch.equal(a, b) for a, b in zip(first.state_dict().values(),
                                                 second.state_dict().values()))
    x = torch.randn(4, 3, 32, 32, device="cuda")
    with torch.autocast("cuda", dtype=torch.float16):
        out = first(x)
    out.float().sum().backward()
    assert out.dtype == torch.float16 and torch.isfinite(first.conv1.weight.grad).all()
    fast = optimize_for_inference(second.eval())
    with torch.inference_mode():
        torch.testing.assert_close(fast(x), second(x), rtol=1e-3, atol=1e-3)


def test_frozen_layers_are_not_trainable() -> None:
    import archspec
    net = archspec.load("network t {\n input x: [3, 8, 8]\n"
                        " out x -> stem: conv(4, 3) @frozen -> head: conv(2, 1)\n}\n")
    model = net.build()
    assert [n for n, p in model.named_parameters() if not p.requires_grad] == [
        "stem.weight", "stem.bias"]
    assert net.audit().trainable_params == 2 * 4 + 2
