"""Benchmark built networks against torchvision, measured side by side in one run.

1. Forward time, ``archspec.build(spec)`` ÷ torchvision: resnet18 at batch 1, 3×32×32 and
   resnet50 at batch 8, 3×224×224, CPU, under ``torch.inference_mode``. Both models hold the
   same weights (strict state-dict load). torch.utils.benchmark.Timer with the same thread
   count; the two models alternate round by round and the medians are compared.
2. Build time, ``archspec.build(spec)`` (parse + elaborate + lower) and ``build_module``
   alone ÷ torchvision's constructor, alternating, medians.
3. ``--optimize inference``: also time ``optimize_for_inference(model)`` (batch norm folded into
   the convolutions, channels_last) against torchvision eager.

    .venv/bin/python bench/build.py [--threads N] [--rounds 7] [--optimize inference]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
import torchvision
from torch.utils.benchmark import Timer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's archspec, whatever is installed

from timing import interleaved as interleaved_wall  # bench/timing.py, beside this script

import archspec
from archspec.backends.torch import build_module, optimize_for_inference

CASES = (  # spec, torchvision constructor, batch, input size
    ("resnet18", torchvision.models.resnet18, 1, 32),
    ("resnet50", torchvision.models.resnet50, 8, 224),
)


def load_archspec(name: str, size: int) -> Any:
    """The spec's network for a size×size input (a SpecError if the spec is missing)."""
    return archspec.load(ROOT / "specs" / f"{name}.arch", input_shape=(3, size, size))


def forward_timer(model: torch.nn.Module, x: torch.Tensor, threads: int) -> Timer:
    return Timer("with torch.inference_mode(): model(x)", globals={"model": model, "x": x,
                                                                    "torch": torch},
                 num_threads=threads)


def interleaved(timers: dict[str, Timer], rounds: int, seconds: float) -> dict[str, list[float]]:
    """Seconds per call of each timer, calibrated once, the timers alternating every round."""
    number = {k: max(1, int(seconds / t.timeit(1).median)) for k, t in timers.items()}
    samples: dict[str, list[float]] = {k: [] for k in timers}
    for _ in range(rounds):
        for key, timer in timers.items():
            samples[key].append(timer.timeit(number[key]).median)
    return samples


def interleaved_calls(calls: dict[str, Callable[[], Any]], rounds: int) -> dict[str, list[float]]:
    """Wall seconds of slow calls (builds), alternating."""
    return interleaved_wall(calls, rounds)


def row(label: str, ours: list[float], ref: list[float]) -> None:
    """Medians and their ratio; the ratio of minima shows how much noise moved it."""
    med, ref_med = statistics.median(ours), statistics.median(ref)
    print(f"{label:<46} {med * 1e3:10.2f} ms {ref_med * 1e3:10.2f} ms  ratio {med / ref_med:6.3f}"
          f"  (of minima {min(ours) / min(ref):5.3f})")


def bench_case(name: str, ctor: Callable[..., torch.nn.Module], batch: int, size: int,
               args: argparse.Namespace) -> None:
    net = load_archspec(name, size)
    ours = build_module(net.ir, seed=0).eval()
    ref = ctor().eval()
    ours.load_state_dict(ref.state_dict(), strict=True)
    x = torch.randn(batch, 3, size, size, generator=torch.Generator().manual_seed(0))
    with torch.inference_mode():
        diff = (ours(x) - ref(x)).abs().max().item()
    timers = {"ours": forward_timer(ours, x, args.threads), "ref": forward_timer(ref, x,
                                                                                 args.threads)}
    if args.optimize == "inference":
        fast = optimize_for_inference(ours)
        with torch.inference_mode():
            diff_fast = (fast(x) - ref(x)).abs().max().item()
        timers["fast"] = forward_timer(fast, x, args.threads)
    t = interleaved(timers, args.rounds, args.seconds)
    shape = f"b{batch} 3x{size}x{size}"
    row(f"{name} forward {shape} (max|diff| {diff:.1e})", t["ours"], t["ref"])
    if "fast" in t:
        row(f"{name} optimized forward {shape} ({diff_fast:.1e})", t["fast"], t["ref"])
    spec = ROOT / "specs" / f"{name}.arch"
    builds = interleaved_calls({
        "full": lambda: archspec.build(spec, input_shape=(3, size, size)),
        "lower": lambda: build_module(net.ir),
        "ref": ctor}, args.build_rounds)
    row(f"{name} archspec.build (parse..lower)", builds["full"], builds["ref"])
    row(f"{name} build_module (graph -> module)", builds["lower"], builds["ref"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--rounds", type=int, default=11, help="alternations for forwards")
    parser.add_argument("--build-rounds", type=int, default=5, help="alternations for builds")
    parser.add_argument("--seconds", type=float, default=0.2, help="target time per sample")
    parser.add_argument("--optimize", choices=("none", "inference"), default="none")
    parser.add_argument("--only", help="run one case (resnet18 or resnet50)")
    args = parser.parse_args()
    print(f"torch {torch.__version__}, torchvision {torchvision.__version__}, "
          f"{args.threads} threads, medians of {args.rounds} interleaved rounds")
    load = os.getloadavg()[0]
    if load > (os.cpu_count() or 1):
        print(f"warning: load average {load:.1f} on {os.cpu_count()} CPUs; figures are noisy")
    run_cases(CASES, bench_case, args)


def run_cases(cases: tuple, bench: Callable[..., None], args: argparse.Namespace) -> None:
    """The column header, then ``bench(*case, args)`` for each case (or the ``--only`` one)."""
    print(f"{'':<46} {'archspec':>13} {'torchvision':>13}")
    for case in cases:
        if args.only in (None, case[0]):
            bench(*case, args)


if __name__ == "__main__":
    main()
