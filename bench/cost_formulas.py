"""Benchmark cost formulas (archspec/symbolic/costs.py) against concrete audits.

Contenders, alternated round by round in the same run (medians printed, with ratios):

1. formulas: ``cost_formulas(net)`` on the loaded symbolic network (the ops' cost rules on
   symbolic shapes, the sums, the peak's live-set frontier);
2. a table from formulas: the formulas evaluated at every size of ``--sizes``;
3. the reference: a concrete ``archspec.load`` + ``audit()`` at each of those sizes (what
   ``audit --sizes`` did before the formulas).

    .venv/bin/python bench/cost_formulas.py [--spec specs/resnet50.arch] [--rounds 5]
                                            [--sizes 224:640:32]
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
from archspec.symbolic.costs import cost_formulas  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--spec", default=str(ROOT / "specs" / "resnet50.arch"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sizes", default="224:640:32")
    args = parser.parse_args()
    start, stop, step = (int(p) for p in args.sizes.split(":"))
    sizes = range(start, stop + 1, step)
    channels = next(iter(archspec.load(args.spec).inputs.values()))[0]
    net = archspec.load(args.spec, input_shape=(channels, "H", "W"))
    formulas = cost_formulas(net)

    def table() -> None:
        for s in sizes:
            formulas.at({"H": s, "W": s})

    def concrete() -> None:
        for s in sizes:
            net.at(H=s, W=s).audit(lints=False)

    times = interleaved({"formulas": lambda: cost_formulas(net), "table from formulas": table,
                         "concrete audits": concrete}, args.rounds)
    reference = statistics.median(times["concrete audits"])
    print(f"{Path(args.spec).stem}, {len(sizes)} sizes ({args.sizes}), "
          f"{len(formulas.peak)} peak candidates, medians of {args.rounds} rounds")
    for name, samples in times.items():
        median = statistics.median(samples)
        print(f"  {name:<22} {median * 1e3:9.2f} ms   {reference / median:8.1f}× faster "
              "than concrete audits")


if __name__ == "__main__":
    main()
