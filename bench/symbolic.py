"""Benchmark the exact valid-size set of ResNet-50 over H, W in 1..4096 against brute force.

The ResNet-50 size constraints are built by hand from torchvision's layer geometries
(tests/symbolic/nets.py), once per axis. Contenders, measured in the same run:

1. symbolic: build the SizeExprs and constraints, the ValidSet, both axes' valid values
   over 1..4096 and the statement (`describe`), from scratch each round;
2. brute-force integer evaluation of the same chain (plain ints, the same torch rules,
   every size ≥ 1 and every add's operands equal) at sampled (H, W) pairs, extrapolated
   to the 4096 × 4096 grid (and, as a weaker reference, to 2 × 4096 one-axis evaluations);
3. concrete elaboration (`archspec.load(specs/resnet50.arch, size=n)`, an n x n input) at a
   few sizes, extrapolated to the grid; it also checks that those sizes load as predicted.

    .venv/bin/python bench/symbolic.py [--rounds 15] [--sample 2000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from timing import interleaved  # noqa: E402  (bench/timing.py, beside this script)

from archspec.symbolic import ValidSet, conv_out, pool_out, sym  # noqa: E402
from tests.symbolic import nets  # noqa: E402

SIDE = range(1, 4097)
GRID = len(SIDE) ** 2


def symbolic_valid_set() -> tuple[int, str]:
    constraints = nets.resnet50(sym("H")) + nets.resnet50(sym("W"))
    valid = ValidSet(constraints)
    count = len(valid.values("H", SIDE)) * len(valid.values("W", SIDE))
    return count, valid.describe()


def symbolic_unet() -> tuple[int, str]:
    valid = ValidSet(nets.unet(sym("H")) + nets.unet(sym("W")))
    return len(valid.values("H", SIDE)) * len(valid.values("W", SIDE)), valid.describe()


def resnet50_axis_ok(n: int) -> bool:
    """The same chain on one concrete size, in plain int arithmetic (torch's rules)."""
    n = conv_out(n, 7, 2, 3)
    n = pool_out(n, 3, 2, 1)
    ok = n >= 1
    for blocks, stride in ((3, 1), (4, 2), (6, 2), (3, 2)):
        for block in range(blocks):
            s = stride if block == 0 else 1
            out = conv_out(conv_out(n, 1), 3, s, 1)
            shortcut = conv_out(n, 1, s) if block == 0 else n
            ok = ok and out >= 1 and shortcut >= 1 and out == shortcut
            n = out
    return ok


def brute_force_pairs(pairs: list[tuple[int, int]]) -> int:
    return sum(resnet50_axis_ok(h) and resnet50_axis_ok(w) for h, w in pairs)


def concrete_loads(sizes: list[int]) -> list[bool]:
    import archspec
    from archspec.errors import SpecError

    results = []
    for n in sizes:
        try:
            archspec.load(ROOT / "specs" / "resnet50.arch", size=n)
            results.append(True)
        except SpecError:
            results.append(False)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--sample", type=int, default=2000, help="brute-force (H, W) pairs")
    args = parser.parse_args()
    rng = random.Random(0)
    pairs = [(rng.choice(SIDE), rng.choice(SIDE)) for _ in range(args.sample)]
    load_sizes = [1, 7, 32, 224, 257]
    concrete_loads(load_sizes[:1])  # warm the parser's cache: the loads then time elaboration
    times = interleaved({
        "symbolic": symbolic_valid_set,
        "unet": symbolic_unet,
        "brute": lambda: brute_force_pairs(pairs),
        "load": lambda: concrete_loads(load_sizes),
    }, args.rounds)
    # a 2 ms call on a loaded machine is often preempted for a 10-20 ms time slice: the
    # median of many rounds and the best round are both printed
    symbolic = statistics.median(times["symbolic"])
    best = min(times["symbolic"])
    per_pair = statistics.median(times["brute"]) / len(pairs)
    per_load = statistics.median(times["load"]) / len(load_sizes)
    count, statement = symbolic_valid_set()
    sample_valid = brute_force_pairs(pairs)
    loads = concrete_loads(load_sizes)
    print(f"ResNet-50 valid set over H, W in 1..4096: {statement!r}, {count} valid pairs")
    print(f"  symbolic (exact, from scratch)          {symbolic * 1e3:9.2f} ms"
          f"   (best round {best * 1e3:.2f} ms)")
    print(f"  brute-force ints, grid (extrapolated)   {per_pair * GRID:9.1f} s"
          f"   ratio {per_pair * GRID / symbolic:,.0f}x")
    print(f"  brute-force ints, 2 x 4096 (one axis)   {per_pair * len(SIDE) * 1e3:9.1f} ms"
          f"   ratio {per_pair * len(SIDE) / symbolic:,.1f}x")
    print(f"  archspec.load, grid (extrapolated)      {per_load * GRID / 3600:9.1f} h"
          f"   ratio {per_load * GRID / symbolic:,.0f}x")
    print(f"  brute-force sample: {sample_valid}/{len(pairs)} valid (symbolic says all)")
    print(f"  archspec.load at {load_sizes}: {loads} (symbolic says all True)")
    unet_count, unet_statement = symbolic_unet()
    print(f"U-Net (4 levels, skips): {unet_statement!r}, {unet_count} valid pairs, "
          f"{statistics.median(times['unet']) * 1e3:.2f} ms")
    print(f"  per pair {per_pair * 1e6:.1f} us, per load {per_load * 1e3:.1f} ms, "
          f"{args.rounds} rounds, {time.strftime('%H:%M:%S')}")


if __name__ == "__main__":
    main()
