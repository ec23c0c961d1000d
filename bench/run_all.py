"""``make bench``: run every bench/ script, one after the other, and print one table.

Each script measures archspec and its reference side by side in the same run (interleaved
rounds, medians); this collects their rows. The ratio is always archspec ÷ reference, so
below 1 archspec is faster (or smaller). Raw outputs go to out/bench/*.log.

With an NVIDIA GPU (``nvidia-smi`` on the path) it also runs bench/gpu.py.

    .venv/bin/python bench/run_all.py [--quick] [--markdown]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "out" / "bench"
MS_ROW = re.compile(r"^(?P<case>\S.*?)\s+(?P<ours>[\d.]+) ms\s+(?P<ref>[\d.]+) ms\s+ratio")
AUDIT_ROW = re.compile(r"^(?P<case>\S.*?)\s+(?P<s>[\d.]+) s\s+(?P<mib>[\d.]+) MiB$")
AUDIT_SCALING = re.compile(r"^\s*(?P<n>\d+)\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+(?P<cpu>[\d.]+)\s+")


def jobs(quick: bool) -> list[tuple[str, list[str]]]:
    py = sys.executable
    rounds = ["--rounds", "3"] if quick else []
    return [
        ("check", [py, "bench/check.py", "--json", *rounds]),
        ("build", [py, "bench/build.py", *(["--rounds", "5", "--build-rounds", "3"]
                                            if quick else [])]),
        ("audit", [py, "bench/audit.py", *(["--repeat", "1"] if quick else [])]),
        ("scaling", [py, "bench/scaling.py", "--json",
                     *(["--sizes", "1000,10000"] if quick else [])]),
    ] + ([("gpu", [py, "bench/gpu.py", *rounds])] if shutil.which("nvidia-smi") else [])


def run(name: str, cmd: list[str]) -> tuple[str, float]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    took = time.perf_counter() - start
    LOGS.mkdir(parents=True, exist_ok=True)
    (LOGS / f"{name}.log").write_text(proc.stdout + proc.stderr)
    if proc.returncode:
        print(f"warning: {' '.join(cmd[1:])} exited {proc.returncode} (see out/bench/"
              f"{name}.log)", file=sys.stderr)
    return proc.stdout, took


def rows_of(name: str, out: str) -> list[dict[str, Any]]:
    rows = []
    for line in out.splitlines():
        if line.startswith("{"):
            rows += json_rows(json.loads(line))
        elif name in ("build", "gpu") and (m := MS_ROW.match(line)):
            rows.append(row("build/forward" if name == "build" else "gpu", m["case"],
                            float(m["ours"]) / 1e3, float(m["ref"]) / 1e3, "torchvision"))
        elif name == "audit":
            rows += audit_rows(line)
    return rows


def row(bench: str, case: str, ours: float, ref: float | None, ref_name: str | None,
        unit: str = "s") -> dict[str, Any]:
    return {"bench": bench, "case": case, "ours": ours, "ref": ref, "ref_name": ref_name,
            "unit": unit}


def json_rows(r: dict[str, Any]) -> list[dict[str, Any]]:
    if r["bench"] != "scaling":
        return [row(r["bench"], r["case"], r["ours_s"], r["ref_s"], r["ref"])]
    n = f"{r['layers']:,} layers"
    return [row("scaling", f"{n}: check", r["check_s"], None, None),
            row("scaling", f"{n}: audit", r["audit_s"], None, None),
            row("scaling", f"{n}: render depth 1 (DOT)", r["render_s"], None, None),
            row("scaling", f"{n}: build", r["build_s"], r["ref_build_s"], "nn.Sequential"),
            row("scaling", f"{n}: peak RSS (process)", r["peak_rss_mib"], None, None, "MiB")]


AUDIT_STATE: dict[str, tuple[float, float]] = {}


def audit_rows(line: str) -> list[dict[str, Any]]:
    """bench/audit.py prints archspec's line, then the reference's."""
    if m := AUDIT_ROW.match(line):
        if "torchinfo" not in m["case"]:
            AUDIT_STATE["ours"] = (float(m["s"]), float(m["mib"]))
            return []
        ours, ref = AUDIT_STATE.pop("ours", (0.0, 0.0)), (float(m["s"]), float(m["mib"]))
        return [row("audit", "resnet152 audit, whole process: time", ours[0], ref[0],
                    "torchvision + torchinfo"),
                row("audit", "resnet152 audit, whole process: peak RSS", ours[1], ref[1],
                    "torchvision + torchinfo", "MiB")]
    if m := AUDIT_SCALING.match(line):
        return [row("audit", f"audit pass on {int(m['n']):,} layers (CPU)", float(m["cpu"]),
                    None, None)]
    return []


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    if unit == "MiB":
        return f"{value:.0f} MiB"
    return f"{value * 1e3:.1f} ms" if value < 1 else f"{value:.2f} s"


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text(
    ).splitlines() if line.startswith("model name")), platform.processor()) if Path(
        "/proc/cpuinfo").exists() else platform.processor()
    return (f"{platform.system()} {platform.machine()}, {cpu}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}")


def print_table(rows: list[dict[str, Any]], markdown: bool) -> None:
    head = ("bench", "case", "archspec", "reference", "ratio")
    lines = []
    for r in rows:
        ratio = f"{r['ours'] / r['ref']:.3f}" if r["ref"] else ""
        ref = f"{fmt(r['ref'], r['unit'])} ({r['ref_name']})" if r["ref"] else ""
        lines.append((r["bench"], r["case"], fmt(r["ours"], r["unit"]), ref, ratio))
    if markdown:
        print("| " + " | ".join(head) + " |\n|" + "---|" * len(head))
        for cells in lines:
            print("| " + " | ".join(cells) + " |")
        return
    widths = [max(len(c[i]) for c in [head, *lines]) for i in range(len(head))]
    for cells in [head, *lines]:
        print("  ".join(c.ljust(w) for c, w in zip(cells, widths)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer rounds, sizes up to 10k")
    ap.add_argument("--markdown", action="store_true", help="the table as markdown")
    args = ap.parse_args()
    start, load = time.perf_counter(), os.getloadavg()[0]
    rows: list[dict[str, Any]] = []
    for name, cmd in jobs(args.quick):
        out, took = run(name, cmd)
        rows += rows_of(name, out)
        print(f"{name}: {took:.0f} s", file=sys.stderr, flush=True)
    import torch
    print(f"archspec bench, {datetime.date.today()}, {machine()}, torch {torch.__version__}, "
          f"load average {load:.1f} at the start; ratio = archspec ÷ reference "
          f"(< 1: archspec is faster or smaller)\n")
    print_table(rows, args.markdown)
    print(f"\ntotal {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
