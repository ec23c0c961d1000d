"""Benchmark symbolic checking of whole networks (archspec/symbolic/network.py).

Contenders, alternated round by round in the same run (medians printed, with ratios):

1. concrete check: ``archspec.load(spec)`` at the declared size;
2. symbolic check: ``archspec.load(spec, input_shape=(3, "H", "W"))`` (the concrete
   elaboration at the reference size, then the symbolic pass and the ValidSet);
3. the symbolic pass alone on the already elaborated graph;
3b. (ResNet-50 only) the same network with its sizes written in the spec,
   ``input x: [3, H, W]`` (a partial elaboration that finds the symbols, then the above);
4. the valid sizes of H and of W over 1..4096 from the loaded network;
5. brute force: a concrete load at a few sizes, extrapolated to the 4096 values of H = W
   (a weak reference: the real question, every (H, W) pair, is 4096 times larger).

A second table (``--chain 1000,10000``) checks that the symbolic check scales linearly:
the conv-bn-relu chain of bench/scaling.py, concrete and symbolic, per layer.

    .venv/bin/python bench/symbolic_network.py [--spec specs/resnet50.arch] [--rounds 7]
                                               [--chain 1000,10000,100000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from timing import interleaved  # noqa: E402  (bench/timing.py, beside this script)

import archspec  # noqa: E402
from archspec.errors import SpecError  # noqa: E402
from archspec.symbolic.expr import sym  # noqa: E402
from archspec.symbolic.network import analyse  # noqa: E402

SIDE = range(1, 4097)
BRUTE_SIZES = (32, 97, 224, 500)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--spec", default=str(ROOT / "specs" / "resnet50.arch"))
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--chain", default="")
    args = parser.parse_args()
    if args.chain:
        return chain_scaling([int(n) for n in args.chain.split(",")])
    channels = next(iter(archspec.load(args.spec).inputs.values()))[0]
    net = archspec.load(args.spec, input_shape=(channels, "H", "W"))
    shape = (channels, sym("H"), sym("W"))

    def brute() -> None:
        for size in BRUTE_SIZES:
            try:
                archspec.load(args.spec, input_shape=(channels, size, size))
            except SpecError:  # an invalid size costs a load too
                pass

    contenders = {
        "concrete": lambda: archspec.load(args.spec),
        "symbolic": lambda: archspec.load(args.spec, input_shape=(channels, "H", "W")),
        "pass": lambda: analyse(net.ir, shape, net.shapes.reference),
        "sizes": lambda: (net.valid_sizes("H", SIDE), net.valid_sizes("W", SIDE)),
        "brute": brute,
    }
    written = written_spec() if Path(args.spec).stem == "resnet50" else None
    if written:
        contenders["written"] = lambda: archspec.load(written)
    times = interleaved(contenders, args.rounds)
    med = {k: statistics.median(v) for k, v in times.items()}
    brute_line = med["brute"] / len(BRUTE_SIZES) * len(SIDE)
    print(f"{net.name}: {net.describe_valid()} ({len(net.shapes.constraints)} constraints)")
    print(f"concrete check   {med['concrete'] * 1e3:9.1f} ms")
    print(f"symbolic check   {med['symbolic'] * 1e3:9.1f} ms  "
          f"({med['symbolic'] / med['concrete']:.2f}x the concrete check)")
    if written:
        print(f"written in spec  {med['written'] * 1e3:9.1f} ms  "
              f"({med['written'] / med['concrete']:.2f}x the concrete check)")
    print(f"symbolic pass    {med['pass'] * 1e3:9.1f} ms")
    print(f"valid H, W 1..4096 {med['sizes'] * 1e3:7.2f} ms")
    print(f"brute force H=W 1..4096 (extrapolated) {brute_line:8.1f} s  "
          f"({brute_line / med['sizes']:,.0f}x the valid-size query)")


def written_spec() -> str:
    """A file (like the spec's, so the parse cache applies alike): ResNet-50 with
    ``input x: [3, H, W]`` in place of its declared size."""
    import tempfile
    text = (ROOT / "archspec" / "std" / "resnet.arch").read_text(encoding="utf-8")
    text = text.replace("input x: [3, size, size]", "input x: [3, H, W]", 1) + (
        '\nnetwork resnet50_hw = resnet(unit="bottleneck", layers=[3, 4, 6, 3])\n')
    path = Path(tempfile.mkdtemp(prefix="archspec-bench-")) / "resnet50_hw.arch"
    path.write_text(text, encoding="utf-8")
    return str(path)


def chain_scaling(sizes: list[int]) -> None:
    from scaling import spec_text  # bench/scaling.py

    from archspec.limits import override
    print(f"{'layers':>8}  {'concrete s':>10}  {'symbolic s':>10}  {'ratio':>6}  "
          f"{'symbolic µs/layer':>17}")
    for layers in sizes:
        with override(max_nodes=10 * layers + 100, max_steps=100 * layers + 10_000):
            text = spec_text(layers)
            times = interleaved({
                "concrete": lambda text=text: archspec.load(text),
                "symbolic": lambda text=text: archspec.load(text, input_shape=(8, "H", "W")),
            }, 1 if layers > 20_000 else 3)
        concrete, symbolic = (statistics.median(times[k]) for k in ("concrete", "symbolic"))
        print(f"{layers:>8}  {concrete:>10.2f}  {symbolic:>10.2f}  {symbolic / concrete:>6.2f}  "
              f"{symbolic / layers * 1e6:>17.1f}")


if __name__ == "__main__":
    main()
