"""Benchmark the static audit.

1. Whole process, side by side: ``archspec audit`` on ResNet-152 against building
   torchvision's resnet152 and running ``torchinfo.summary`` on it (what one would do without
   archspec). Wall time (median of --repeat runs) and peak RSS of each child process
   (``os.wait4``), and their ratios.
2. Scaling: generated chains of conv/bn/relu with 1k, 10k and 100k layers (GraphBuilder,
   no spec), timing ``audit`` (annotate + sums + lints). 100k must stay under 10 s.

    .venv/bin/python bench/audit.py [--repeat 3] [--sizes 1000,10000,100000] [--no-reference]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "passes"))  # audit_nets: graphs built in Python
LIMIT_100K_S = 10.0

SPEC_152 = 'import std.resnet\n\nnetwork resnet152 = resnet(unit="bottleneck", ' \
           'layers=[3, 8, 36, 3])\n'
REFERENCE = ("import torchvision, torchinfo\n"
             "m = torchvision.models.resnet152(weights=None)\n"
             "torchinfo.summary(m, (1, 3, 224, 224), depth=1)\n")
FALLBACK = ("import sys\nsys.path.insert(0, {nets!r})\nfrom audit_nets import resnet\n"
            "from rich.console import Console\nfrom archspec.passes import audit\n"
            "from archspec.audit_view import render_table\n"
            "render_table(audit(resnet(152), depth=1), Console())\n")


def measure(cmd: list[str], repeat: int) -> tuple[float, float]:
    """Median wall seconds and max peak RSS (MiB) of ``cmd`` run ``repeat`` times."""
    walls, rss = [], 0.0
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - start)
        if status:
            raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr.read().decode()[-2000:]}")
        rss = max(rss, usage.ru_maxrss / 1024)  # kilobytes on Linux
    return statistics.median(walls), rss


def archspec_command(tmp: Path) -> tuple[list[str], str]:
    """The CLI on specs/resnet152.arch, or on a one-line spec over std.resnet, or (before the
    CLI existed) a script auditing a GraphBuilder ResNet-152."""
    exe = shutil.which("archspec", path=str(Path(sys.executable).parent)) or ""
    spec = ROOT / "specs" / "resnet152.arch"
    if not spec.exists() and (ROOT / "archspec" / "std" / "resnet.arch").exists():
        spec = tmp / "resnet152.arch"
        spec.write_text(SPEC_152)
    if exe and spec.exists():
        probe = subprocess.run([exe, "audit", str(spec), "--json"], capture_output=True,
                               cwd=ROOT, check=False)
        if probe.returncode == 0:
            return [exe, "audit", str(spec), "--depth", "1"], f"archspec audit {spec.name}"
    nets = str(ROOT / "tests" / "passes")
    return [sys.executable, "-c", FALLBACK.format(nets=nets)], "GraphBuilder resnet152 + audit"


def side_by_side(repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cmd, label = archspec_command(Path(tmp))
        ours = measure(cmd, repeat)
    ref = measure([sys.executable, "-c", REFERENCE], repeat)
    print(f"{label:<44} {ours[0]:7.2f} s {ours[1]:8.1f} MiB")
    print(f"{'torchvision resnet152 + torchinfo.summary':<44} {ref[0]:7.2f} s {ref[1]:8.1f} MiB")
    print(f"ratio (reference / archspec): time {ref[0] / ours[0]:.1f}×, "
          f"peak RSS {ref[1] / ours[1]:.1f}×")


def scaling(sizes: list[int]) -> bool:
    """Time ``audit`` (which annotates, then lints) on generated chains, in wall and CPU
    seconds; True when 100k layers (if run) fit the limit in CPU time (wall time on a loaded
    2-core machine says more about the neighbours than about the audit)."""
    from audit_nets import plain_chain

    from archspec.passes import annotate, audit

    ok = True
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'layers':>8} {'build s':>8} {'annotate s':>11} {'audit wall s':>13} "
          f"{'audit cpu s':>12} {'µs/layer':>9}")
    for n in sizes:
        t0 = time.perf_counter()
        g = plain_chain(n)
        t1 = time.perf_counter()
        annotate(g)
        t2, c2 = time.perf_counter(), time.process_time()
        report = audit(g)
        t3, c3 = time.perf_counter(), time.process_time()
        assert report.params == (n + 2) // 3 * (8 * 8 * 9) + (n + 1) // 3 * 16
        print(f"{n:>8} {t1 - t0:>8.2f} {t2 - t1:>11.2f} {t3 - t2:>13.2f} {c3 - c2:>12.2f} "
              f"{1e6 * (c3 - c2) / n:>9.1f}")
        if n >= 100_000 and c3 - c2 > LIMIT_100K_S:
            print(f"FAIL: {n} layers took {c3 - c2:.1f} s (limit {LIMIT_100K_S:.0f} s)")
            ok = False
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--no-reference", action="store_true", help="skip the side-by-side part")
    args = ap.parse_args()
    if not args.no_reference:
        side_by_side(args.repeat)
    return 0 if scaling([int(s) for s in args.sizes.split(",") if s]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
