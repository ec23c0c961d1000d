"""Benchmark check, audit and render against torchinfo, side by side in one run.

1. ``archspec.load`` (parse + elaborate + shape-check) and ``load`` + ``audit``, cold (no AST
   cache) and warm, against ``torchinfo.summary`` on the torchvision model (constructor +
   hooked forward: what one would run to get the same table without archspec). Medians of
   interleaved rounds; the ratio is archspec ÷ torchinfo (< 1: archspec is faster).
2. ``Network.render(depth=1)`` (graphviz source) and, when the ``dot`` binary is there, SVG.

    .venv/bin/python bench/check.py [--rounds 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from timing import interleaved  # noqa: E402  (bench/timing.py, beside this script)

import archspec  # noqa: E402
from archspec.frontend import cache  # noqa: E402

CASES = (("resnet50", "resnet50", 224), ("densenet121", "densenet121", 224),
         ("inception_v3", "inception_v3", 299), ("vgg16", "vgg16", 224))


def medians(calls: dict[str, Callable[[], Any]], rounds: int) -> dict[str, float]:
    """Median wall seconds of each call, alternating them round by round."""
    return {k: statistics.median(v) for k, v in interleaved(calls, rounds).items()}


def cold_load(spec: Path) -> Any:
    """Parse everything again: the AST cache off for this call."""
    os.environ["ARCHSPEC_CACHE"] = "off"
    cache.cache_dir.cache_clear()
    try:
        return archspec.load(spec)
    finally:
        os.environ.pop("ARCHSPEC_CACHE")
        cache.cache_dir.cache_clear()


def torchinfo_summary(ctor: str, size: int) -> Any:
    import torchinfo
    import torchvision
    kwargs = {"aux_logits": False, "init_weights": False} if ctor == "inception_v3" else {}
    model = getattr(torchvision.models, ctor)(weights=None, **kwargs)
    return torchinfo.summary(model, (1, 3, size, size), verbose=0, depth=1)


def bench_case(name: str, ctor: str, size: int, rounds: int) -> list[dict[str, Any]]:
    spec = ROOT / "specs" / f"{name}.arch"
    archspec.load(spec)  # warm the AST cache and the imports
    t = medians({"cold": lambda: cold_load(spec), "warm": lambda: archspec.load(spec),
                 "audit": lambda: archspec.load(spec).audit(),
                 "ref": lambda: torchinfo_summary(ctor, size)}, rounds)
    return [{"bench": "check", "case": f"{name} check (cold, parse)", "ours_s": t["cold"],
             "ref_s": t["ref"], "ref": "torchinfo.summary"},
            {"bench": "check", "case": f"{name} check (warm AST cache)", "ours_s": t["warm"],
             "ref_s": t["ref"], "ref": "torchinfo.summary"},
            {"bench": "check", "case": f"{name} check + audit", "ours_s": t["audit"],
             "ref_s": t["ref"], "ref": "torchinfo.summary"}]


def bench_render(rounds: int) -> list[dict[str, Any]]:
    net = archspec.load(ROOT / "specs" / "resnet50.arch")
    calls: dict[str, Callable[[], Any]] = {
        "dot": lambda: net.render(depth=1).source, "full": lambda: net.render().source}
    if shutil.which("dot"):
        calls["svg"] = lambda: net.render(depth=1).pipe(format="svg")
    t = medians(calls, rounds)
    labels = {"dot": "render depth 1 (DOT source)", "full": "render full (DOT source)",
              "svg": "render depth 1 (SVG via dot)"}
    return [{"bench": "render", "case": f"resnet50 {labels[k]}", "ours_s": v, "ref_s": None,
             "ref": None} for k, v in t.items()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--json", action="store_true", help="one JSON object per line")
    args = ap.parse_args()
    rows: list[dict[str, Any]] = []
    torchinfo_summary("resnet18", 32)  # import torch, torchvision and torchinfo first
    for case in CASES:
        rows += bench_case(*case, args.rounds)
    rows += bench_render(args.rounds)
    for r in rows:
        if args.json:
            print(json.dumps(r), flush=True)
        else:
            ratio = f"ratio {r['ours_s'] / r['ref_s']:7.3f}" if r["ref_s"] else ""
            ref = f"{r['ref_s'] * 1e3:9.1f} ms" if r["ref_s"] else " " * 12
            print(f"{r['case']:<44} {r['ours_s'] * 1e3:9.1f} ms  {ref}  {ratio}", flush=True)


if __name__ == "__main__":
    main()
