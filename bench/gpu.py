"""Built networks against torchvision on a CUDA GPU, measured side by side in one run.

For each case, archspec's module and torchvision's hold the same weights (strict load) and the
same input; the two alternate round by round (torch.utils.benchmark.Timer, which synchronises
CUDA) and the medians are compared, ratio = archspec ÷ torchvision (below 1: archspec faster).

Modes: fp32 inference; bf16 autocast + channels_last inference; bf16 autocast + channels_last
training step (forward, backward, SGD step); with ``--compile``, torch.compile'd bf16 inference.

    python bench/gpu.py [--rounds 7] [--compile] [--only resnet50]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
import torchvision
from torch.utils.benchmark import Timer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's archspec, whatever is installed

from build import interleaved, row, run_cases  # bench/build.py, beside this script

import archspec

CASES = (  # spec, torchvision constructor, batch, input size
    ("resnet50", torchvision.models.resnet50, 64, 224),
    ("resnext50_32x4d", torchvision.models.resnext50_32x4d, 64, 224),
    ("densenet121", torchvision.models.densenet121, 64, 224),
    ("mobilenet_v2", torchvision.models.mobilenet_v2, 128, 224),
    ("inception_v3", lambda: torchvision.models.inception_v3(init_weights=False), 64, 299),
)


def pair(name: str, ctor: Callable[[], torch.nn.Module], size: int,
         channels_last: bool) -> tuple[torch.nn.Module, torch.nn.Module]:
    """archspec's and torchvision's network on the GPU, torchvision's weights in both."""
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    net = archspec.load(ROOT / "specs" / f"{name}.arch", input_shape=(3, size, size))
    ref = ctor().cuda().to(memory_format=fmt)
    ours = net.build(device="cuda", memory_format=fmt)
    ours.load_state_dict(ref.state_dict(), strict=True)
    return ours, ref


def inference(model: torch.nn.Module, x: torch.Tensor, bf16: bool) -> Callable[[], Any]:
    model.eval()

    def run() -> Any:
        with torch.inference_mode(), torch.autocast("cuda", torch.bfloat16, enabled=bf16):
            return model(x)
    return run


def train_step(model: torch.nn.Module, x: torch.Tensor) -> Callable[[], Any]:
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=1e-4)

    def run() -> None:
        with torch.autocast("cuda", torch.bfloat16):
            out = model(x)
        out = out if isinstance(out, torch.Tensor) else out[0]
        out.float().square().mean().backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
    return run


def compare(label: str, ours: Callable[[], Any], ref: Callable[[], Any],
            args: argparse.Namespace) -> None:
    timers = {k: Timer("f()", globals={"f": f}) for k, f in (("ours", ours), ("ref", ref))}
    t = interleaved(timers, args.rounds, args.seconds)
    row(label, t["ours"], t["ref"])


def bench_case(name: str, ctor: Callable[[], torch.nn.Module], batch: int, size: int,
               args: argparse.Namespace) -> None:
    x = torch.randn(batch, 3, size, size, device="cuda")
    ours, ref = pair(name, ctor, size, channels_last=False)
    with torch.inference_mode():
        diff = (inference(ours, x, False)() - inference(ref, x, False)()).abs().max().item()
    shape = f"b{batch} {size}²"
    compare(f"{name} fp32 inference {shape} ({diff:.0e})", inference(ours, x, False),
            inference(ref, x, False), args)
    ours, ref = pair(name, ctor, size, channels_last=True)
    xc = x.to(memory_format=torch.channels_last)
    compare(f"{name} bf16+CL inference {shape}", inference(ours, xc, True),
            inference(ref, xc, True), args)
    compare(f"{name} bf16+CL train step {shape}", train_step(ours, xc), train_step(ref, xc), args)
    if args.compile:
        compare(f"{name} compiled bf16+CL inference {shape}",
                inference(torch.compile(ours), xc, True), inference(torch.compile(ref), xc, True),
                args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7, help="alternations per comparison")
    parser.add_argument("--seconds", type=float, default=0.3, help="target time per sample")
    parser.add_argument("--compile", action="store_true", help="also torch.compile'd models")
    parser.add_argument("--only", help="run one case")
    args = parser.parse_args()
    if not torch.cuda.is_available():
        sys.exit("bench/gpu.py needs CUDA")
    torch.backends.cudnn.benchmark = True
    print(f"torch {torch.__version__}, torchvision {torchvision.__version__}, "
          f"{torch.cuda.get_device_name()}, medians of {args.rounds} interleaved rounds")
    run_cases(CASES, bench_case, args)


if __name__ == "__main__":
    main()
