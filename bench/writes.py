"""Benchmark the safe writes of archspec.fileio against a plain ``Path.write_bytes``.

An atomic write costs a temporary file, an fsync of it and of its directory, and a rename;
this prints what that adds for the sizes archspec writes (a .dot of ResNet-50 is ~60 KiB, an
SVG ~300 KiB, a .py export ~20 KiB), as ratios against the plain write measured in the same
run (interleaved rounds, medians).

    .venv/bin/python bench/writes.py [--rounds 30]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archspec.fileio import check_output, write_atomic  # noqa: E402
from bench.timing import interleaved  # noqa: E402

SIZES = {"1 KiB": 1024, "64 KiB": 64 * 1024, "1 MiB": 2**20, "16 MiB": 16 * 2**20}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=ROOT) as tmp:
        print(f"{'size':>8} {'plain ms':>9} {'atomic ms':>10} {'ratio':>6} {'check ms':>9}")
        for label, size in SIZES.items():
            ms = measure(Path(tmp), b"x" * size, args.rounds)
            print(f"{label:>8} {ms['plain']:9.3f} {ms['atomic']:10.3f} "
                  f"{ms['atomic'] / ms['plain']:6.1f} {ms['check']:9.3f}")


def measure(tmp: Path, data: bytes, rounds: int) -> dict[str, float]:
    """Median milliseconds of a plain write, an atomic write and the output check."""
    plain, atomic = tmp / "plain.bin", tmp / "atomic.bin"
    times = interleaved({"plain": lambda: plain.write_bytes(data),
                         "atomic": lambda: write_atomic(atomic, data),
                         "check": lambda: check_output(atomic, option="-o")}, rounds)
    return {k: statistics.median(v) * 1000 for k, v in times.items()}


if __name__ == "__main__":
    main()
