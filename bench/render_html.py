"""Benchmark the interactive HTML page against the static SVG of the same drawing.

For each network and depth it writes ``.html`` (every block laid out once, opened in the
page) and ``.svg`` (one layout by ``dot``: the reference, measured in the same run,
interleaved rounds, medians) and prints their sizes and times and the ratios html ÷ svg.

    .venv/bin/python bench/render_html.py [--rounds 3] [--nets resnet50,googlenet]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import archspec  # noqa: E402
from archspec.backends.render import render_to_file  # noqa: E402
from bench.timing import interleaved  # noqa: E402

NETS = ("resnet50", "googlenet", "densenet121", "inception_v3")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--nets", default=",".join(NETS))
    args = parser.parse_args()
    print(f"{'network, depth':<24} {'html KiB':>9} {'svg KiB':>8} {'size ratio':>10}   "
          f"{'html ms':>8} {'svg ms':>8}  ratio")
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.nets.split(","):
            graph = archspec.load(ROOT / "specs" / f"{name}.arch").ir
            for depth in (None, 1):
                row = measure(graph, depth, Path(tmp), args.rounds)
                label = f"{name}, {'all' if depth is None else depth}"
                print(f"{label:<24} {row['html KiB']:9.1f} {row['svg KiB']:8.1f} "
                      f"{row['html KiB'] / row['svg KiB']:10.2f}   {row['html']:5.0f} ms "
                      f"{row['svg']:5.0f} ms  ratio {row['html'] / row['svg']:.2f}", flush=True)


def measure(graph: object, depth: int | None, tmp: Path, rounds: int) -> dict[str, float]:
    paths = {"html": tmp / "net.html", "svg": tmp / "net.svg"}
    calls = {k: (lambda p=p: render_to_file(graph, p, depth=depth)) for k, p in paths.items()}
    samples = interleaved(calls, rounds)
    row = {k: statistics.median(v) * 1000 for k, v in samples.items()}
    row.update({f"{k} KiB": p.stat().st_size / 1024 for k, p in paths.items()})
    return row


if __name__ == "__main__":
    main()
