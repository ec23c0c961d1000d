"""How check, audit, render and build scale with the number of layers, through the language.

A chain of ``[conv(8, 3, p=1), bn, relu]`` repeated to 1k, 10k and 100k layers (nested repeats
past 10,000; the elaboration limits raised with ``archspec.limits.override``). Each size runs
in its own process, so its peak RSS is its own. Build is compared with constructing the same
``nn.Sequential`` directly in torch, in the same process.

    .venv/bin/python bench/scaling.py [--sizes 1000,10000,100000] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def spec_text(layers: int) -> str:
    triples = layers // 3
    body = (f"[conv(8, 3, p=1), bn, relu] * {triples}" if triples <= 10_000 else
            f"[[conv(8, 3, p=1), bn, relu] * {triples // 10}] * 10")
    return f"network chain {{\n  input x: [8, 16, 16]\n  out x -> {body}\n}}\n"


def reference(layers: int) -> Any:
    """The same network written directly in torch (``layers`` as the spec elaborated)."""
    from torch import nn
    mods: list[nn.Module] = []
    for _ in range(layers // 3):
        mods += [nn.Conv2d(8, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU()]
    return nn.Sequential(*mods)


def timed(fn: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def one(layers: int) -> dict[str, Any]:
    """Measure one size in this process."""
    sys.path.insert(0, str(ROOT))
    import torch  # noqa: F401  (imported before timing build)

    import archspec
    from archspec.limits import override
    with override(max_nodes=10 * layers + 100, max_steps=100 * layers + 10_000):
        t_load, net = timed(lambda: archspec.load(spec_text(layers)))
        t_audit, report = timed(net.audit)
        t_render, _ = timed(lambda: net.render(depth=1).source)
        t_build, model = timed(lambda: net.build(seed=0))
        t_ref, ref = timed(lambda: reference(net.ir.number_of_nodes() - 1))
    assert report.params == sum(p.numel() for p in model.parameters()) == sum(
        p.numel() for p in ref.parameters())
    return {"layers": net.ir.number_of_nodes() - 1, "check_s": t_load, "audit_s": t_audit,
            "render_s": t_render, "build_s": t_build, "ref_build_s": t_ref}


def run_sizes(sizes: list[int]) -> list[dict[str, Any]]:
    rows = []
    for n in sizes:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, __file__, "--one", str(n)],
                                stdout=subprocess.PIPE, text=True, cwd=ROOT)
        assert proc.stdout is not None
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        if status:
            raise RuntimeError(f"scaling {n} failed")
        row = json.loads(out.strip().splitlines()[-1])
        row.update(peak_rss_mib=usage.ru_maxrss / 1024, total_s=time.perf_counter() - start)
        rows.append(row)
    return rows


def print_table(rows: list[dict[str, Any]]) -> None:
    print(f"{'layers':>8} {'check s':>8} {'audit s':>8} {'render s':>9} {'build s':>8} "
          f"{'torch s':>8} {'build/torch':>11} {'µs/layer':>9} {'peak MiB':>9}")
    for r in rows:
        per = 1e6 * (r["check_s"] + r["audit_s"]) / r["layers"]
        print(f"{r['layers']:>8} {r['check_s']:>8.2f} {r['audit_s']:>8.2f} {r['render_s']:>9.2f} "
              f"{r['build_s']:>8.2f} {r['ref_build_s']:>8.2f} "
              f"{r['build_s'] / r['ref_build_s']:>11.1f} {per:>9.1f} {r['peak_rss_mib']:>9.0f}")
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        grow = ((last["check_s"] + last["audit_s"]) / last["layers"]) / (
            (first["check_s"] + first["audit_s"]) / first["layers"])
        print(f"check+audit cost per layer at {last['layers']:,} ÷ at {first['layers']:,}: "
              f"{grow:.2f} (1.0 = linear)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(args.one)))
        return
    rows = run_sizes([int(s) for s in args.sizes.split(",") if s])
    if args.json:
        for r in rows:
            print(json.dumps({"bench": "scaling", **r}))
    else:
        print_table(rows)


if __name__ == "__main__":
    main()
