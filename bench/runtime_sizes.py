"""Benchmark modules that read sizes in forward (archspec/backends/torch/runtime_sizes.py)
against the concrete build of the same spec, at the reference size.

Contenders, alternated round by round in the same run (medians printed, with ratios):

1. the reference: ``build_module(net.ir)``, whose lowerings hold the sizes read at the
   reference (``F.interpolate(..., size=(28, 28))``), as every concrete build;
2. ``net.build()`` of the symbolic network: the same layers, the sizes read from the tensors
   in forward (``x.size(2)``) and, for max_unpool, the aten kernel without the Python check.

Per spec: building each, and a forward pass of each at batch 1, where the few size reads weigh
most (no grad; SWWAE in training mode, so that its decoder runs).

    .venv/bin/python bench/runtime_sizes.py [--rounds 21] [--threads 1]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402
from timing import interleaved  # noqa: E402  (bench/timing.py, beside this script)

import archspec  # noqa: E402
from archspec.backends.torch import build_module  # noqa: E402

SPECS = [("deeplab_aspp", (256, "H", "W"), 28, False), ("swwae", (1, "H", "W"), 28, True)]


def bench(name: str, dims: tuple, size: int, training: bool, rounds: int) -> None:
    net = archspec.load(str(ROOT / "specs" / f"{name}.arch"), input_shape=dims)
    concrete = build_module(net.ir, seed=0).train(training)
    dynamic = net.build(seed=0).train(training)
    assert list(concrete.state_dict()) == list(dynamic.state_dict())
    x = torch.randn(1, dims[0], size, size)

    def forward(model: torch.nn.Module) -> None:
        with torch.no_grad():
            model(x)

    forward(concrete), forward(dynamic)  # warm up
    times = interleaved({"build, concrete": lambda: build_module(net.ir, seed=0),
                         "build, runtime sizes": lambda: net.build(seed=0),
                         "forward, concrete": lambda: forward(concrete),
                         "forward, runtime sizes": lambda: forward(dynamic)}, rounds)
    mode = "training" if training else "eval"
    print(f"{name} ({dims[0]}×{size}×{size}, batch 1, {mode}), medians of {rounds} rounds")
    for kind in ("build", "forward"):
        reference = statistics.median(times[f"{kind}, concrete"])
        runtime = statistics.median(times[f"{kind}, runtime sizes"])
        print(f"  {kind:<8} concrete {reference * 1e3:8.2f} ms   runtime sizes "
              f"{runtime * 1e3:8.2f} ms   ratio {runtime / reference:5.3f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    for name, dims, size, training in SPECS:
        bench(name, dims, size, training, args.rounds)


if __name__ == "__main__":
    main()
