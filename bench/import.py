"""Benchmark ``archspec import`` of PyTorch models.

1. torchvision resnet50 at 3x224x224: the whole import (trace + shape propagation + recovery
   + formatting), median of --repeat runs, against torch.fx.symbolic_trace alone measured in
   the same run (the floor any fx-based importer pays).
2. Scaling: generated 1k and 10k-layer models, sequential (conv/relu pairs in one
   nn.Sequential) and residual (blocks of conv/bn/relu + skip), import time and time per
   layer; the 10k/1k ratio is ~10 when the import is linear in layers. CPU time (this
   process's) is printed beside the wall time: on a shared machine it is the steadier figure.

    .venv/bin/python bench/import.py [--repeat 3] [--sizes 1000,10000]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any


def median_time(fn: Callable[[], Any], repeat: int) -> float:
    return median_times(fn, repeat)[0]


def median_times(fn: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``fn``."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def sequential(layers: int) -> Any:
    from torch import nn
    items: list[nn.Module] = []
    for _ in range(layers // 2):
        items += [nn.Conv2d(4, 4, 1), nn.ReLU()]
    return nn.Sequential(*items)


def residual(layers: int) -> Any:
    from torch import nn

    class Block(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = nn.Conv2d(4, 4, 1, bias=False)
            self.bn = nn.BatchNorm2d(4)
            self.relu = nn.ReLU()

        def forward(self, x: Any) -> Any:
            return self.relu(self.bn(self.conv(x)) + x)

    return nn.Sequential(*[Block() for _ in range(layers // 4)])   # 4 ops per block


def bench_resnet50(repeat: int) -> None:
    import torch.fx
    import torchvision

    from archspec.importers import import_model
    model = torchvision.models.resnet50().eval()
    trace = median_time(lambda: torch.fx.symbolic_trace(model), repeat)
    full = median_time(lambda: import_model(model, (3, 224, 224)), repeat)
    lines = len(import_model(model, (3, 224, 224)).splitlines())
    print(f"resnet50: import {full:.2f} s ({lines} lines); fx.symbolic_trace alone "
          f"{trace:.3f} s; ratio {full / trace:.1f}x")


def bench_scaling(sizes: list[int], repeat: int) -> None:
    from archspec.importers import import_model
    for kind, make in (("sequential", sequential), ("residual", residual)):
        base: tuple[float, float] | None = None
        for n in sizes:
            model = make(n).eval()
            t, cpu = median_times(lambda m=model: import_model(m, (4, 4, 4)), repeat)
            base = base or (t / n, cpu / n)
            print(f"{kind:10} {n:>6} layers: {t:6.2f} s, {t / n * 1e6:6.0f} us/layer, "
                  f"{t / n / base[0]:.2f}x the per-layer time of {sizes[0]}; CPU "
                  f"{cpu / n * 1e6:5.0f} us/layer, {cpu / n / base[1]:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", default="1000,10000")
    args = parser.parse_args()
    bench_resnet50(args.repeat)
    bench_scaling([int(s) for s in args.sizes.split(",")], args.repeat)


if __name__ == "__main__":
    main()
