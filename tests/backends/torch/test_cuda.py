"""The GPU contract: every spec builds on CUDA and computes there what it computes on the CPU;
bf16 autocast with channels_last runs forward and backward; torch.compile takes the generated
forward whole (fullgraph) on CUDA. Skipped without CUDA."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import torch
import torchvision

import archspec

pytestmark = [pytest.mark.gpu,
              pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")]

SPECS = sorted((Path(__file__).resolve().parents[3] / "specs").glob("*.arch"))
# one spec per family whose kernels differ on the GPU (cudnn convs, grouped/depthwise, deform,
# grid_sample, matmul + softmax, channel shuffle, concat-heavy, aux heads in training)
FAMILIES = ("resnet50", "densenet121", "inception_v3", "mobilenet_v2", "shufflenet_v2_x1_0",
            "dcnv2_resnet50", "nonlocal_resnet50", "stn_mnist", "seresnet50", "resnext50_32x4d")
TORCHVISION = {
    "resnet50": torchvision.models.resnet50,
    "densenet121": torchvision.models.densenet121,
    "inception_v3": lambda: torchvision.models.inception_v3(aux_logits=True, init_weights=False),
    "mobilenet_v2": torchvision.models.mobilenet_v2,
    "shufflenet_v2_x1_0": torchvision.models.shufflenet_v2_x1_0,
    "resnext50_32x4d": torchvision.models.resnext50_32x4d,
}
COMPILED = ("resnet50", "shufflenet_v2_x1_0", "dcnv2_resnet50")


@pytest.fixture(autouse=True)
def exact_fp32() -> Iterator[None]:
    """TF32 would turn a CPU/GPU comparison of fp32 networks into a 1e-2 one."""
    old = (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32,
           torch.backends.cudnn.deterministic)
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.deterministic = True  # ours and torchvision's pick the same kernels
    yield
    (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32,
     torch.backends.cudnn.deterministic) = old


def spec(name: str) -> Path:
    return next(p for p in SPECS if p.stem == name)


def example_inputs(net: archspec.Network, batch: int = 2, seed: int = 0) -> list[torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    return [torch.randn(batch, *shape, generator=gen) for shape in net.inputs.values()]


def flat(out: Any) -> list[torch.Tensor]:
    return [out] if isinstance(out, torch.Tensor) else [t for o in out for t in flat(o)]


def assert_close_scaled(got: Any, want: Any, tol: float) -> None:
    """Each output within ``tol`` of its own largest magnitude (logits of 46 different nets)."""
    for g, w in zip(flat(got), flat(want), strict=True):
        scale = w.abs().max().item() or 1.0
        torch.testing.assert_close(g.float().cpu(), w.float().cpu(), rtol=0, atol=tol * scale)


def assert_near_in_norm(got: Any, want: Any, tol: float) -> list[float]:
    """Relative L2 error under ``tol`` (for bf16, whose per-element error grows with depth);
    the errors."""
    errors = [((g.float() - w.float()).norm() / w.float().norm()).item()
              for g, w in zip(flat(got), flat(want), strict=True)]
    assert all(e < tol for e in errors), f"relative errors {errors} over {tol}"
    return errors


def cpu_and_cuda(net: archspec.Network, **cuda_options: Any) -> tuple[Any, Any]:
    """The same weights built on the CPU and, directly, on CUDA."""
    cpu = net.build(seed=0)
    gpu = net.build(device="cuda", **cuda_options)
    assert all(p.is_cuda for p in gpu.parameters())
    gpu.load_state_dict(cpu.state_dict(), strict=True)
    return cpu, gpu


def without_dropout(model: torch.nn.Module) -> None:
    """Training mode (batch statistics, aux heads) with dropout off, so outputs compare."""
    for m in model.modules():
        if isinstance(m, torch.nn.modules.dropout._DropoutNd):
            m.p = 0.0


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_every_spec_on_cuda_computes_what_it_computes_on_the_cpu(path: Path) -> None:
    net = archspec.load(path)
    cpu, gpu = cpu_and_cuda(net)
    xs = example_inputs(net)
    with torch.no_grad():
        assert_close_scaled(gpu.eval()(*[x.cuda() for x in xs]), cpu.eval()(*xs), 1e-4)


def bf16_train_step(model: torch.nn.Module, xs: list[torch.Tensor]) -> list[torch.Tensor]:
    """Forward and backward under bf16 autocast, dropout off; the outputs."""
    without_dropout(model.train())
    with torch.autocast("cuda", dtype=torch.bfloat16):
        out = flat(model(*xs))
    sum(t.float().square().mean() for t in out).backward()
    return out


def channels_last_inputs(net: archspec.Network, batch: int) -> list[torch.Tensor]:
    return [x.cuda().to(memory_format=torch.channels_last) if x.dim() == 4 else x.cuda()
            for x in example_inputs(net, batch=batch)]


@pytest.mark.parametrize("name", sorted(TORCHVISION))
def test_bf16_channels_last_training_step_equals_torchvision(name: str) -> None:
    """bf16 gradients of a random network drift far from fp32 ones (train-mode batch norm
    amplifies rounding), so the reference is torchvision's network under the same autocast."""
    net = archspec.load(spec(name))
    ours = net.build(device="cuda", memory_format=torch.channels_last)
    ref = TORCHVISION[name]().cuda().to(memory_format=torch.channels_last)
    ours.load_state_dict(ref.state_dict(), strict=True)
    xs = channels_last_inputs(net, batch=4)
    got, want = bf16_train_step(ours, xs), bf16_train_step(ref, xs)
    assert all(t.dtype == torch.bfloat16 for t in got)
    assert_near_in_norm(got, want, 1e-2)
    theirs = dict(ref.named_parameters())
    for key, p in ours.named_parameters():
        assert p.grad is not None and p.grad.dtype == torch.float32, key
        cos = torch.nn.functional.cosine_similarity(p.grad.flatten(), theirs[key].grad.flatten(),
                                                    0, eps=1e-30)
        assert cos > 0.99 or p.grad.norm() < 1e-6 * p.numel(), f"{key}: cosine {cos:.4f}"


@pytest.mark.parametrize("name", FAMILIES)
def test_bf16_channels_last_forward_and_backward(name: str) -> None:
    net = archspec.load(spec(name))
    fp32, fast = cpu_and_cuda(net, memory_format=torch.channels_last)
    xs = channels_last_inputs(net, batch=4)
    with torch.no_grad(), torch.autocast("cuda", dtype=torch.bfloat16):
        got = fast.eval()(*xs)
    with torch.no_grad():  # not equal: autocast ran (stn_mnist's log_softmax ends in fp32)
        assert 0 < min(assert_near_in_norm(got, fp32.cuda().eval()(*xs), 0.03))
    bf16_train_step(fast, xs)
    assert all(p.grad is not None and p.grad.dtype == torch.float32
               and torch.isfinite(p.grad).all() for p in fast.parameters() if p.requires_grad)


@pytest.mark.slow
@pytest.mark.parametrize("name", COMPILED)
def test_compile_fullgraph_on_cuda(name: str) -> None:
    net = archspec.load(spec(name))
    _, gpu = cpu_and_cuda(net)
    gpu.eval()
    xs = [x.cuda() for x in example_inputs(net)]
    compiled = torch.compile(gpu, fullgraph=True)
    with torch.no_grad():
        assert_close_scaled(compiled(*xs), gpu(*xs), 1e-3)
