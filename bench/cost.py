"""Elaboration cost on specs that used to be quadratic, and how check + audit scale per layer.

Cases (CPU seconds of ``archspec.load`` and ``Network.audit`` in a fresh process each, after a
warm-up load that pays the one-time imports, AST cache off, best of ``--rounds``):

- ``repeat_9000``: a 7-line spec, one unlabelled block called ``b * 9000``;
- ``branches_10000``: 10,000 parallel branches (a block each) summed into one output;
- ``chain_1k`` / ``chain_100k``: bench/scaling.py's chain of conv, bn, relu.

``--against DIR`` measures a checkout of an earlier commit in the same run, rounds interleaved,
and prints ours ÷ theirs (below 1: faster now).

    .venv/bin/python bench/cost.py [--against /tmp/old-checkout] [--rounds 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.scaling import spec_text  # noqa: E402

REPEAT = """\
block b() {
  out in -> relu
}
network n {
  input x: [3, 8, 8]
  out x -> b * 9000
}
"""
BRANCHES = """\
block br() {
  out in -> conv(3, 1) -> relu
}
network n {
  input x: [3, 8, 8]
  y = x
  for i in range(10000) {
    y = add(y, x -> br)
  }
  out y
}
"""
CASES = {"repeat_9000": REPEAT, "branches_10000": BRANCHES,
         "chain_1k": spec_text(1000), "chain_100k": spec_text(100_000)}

# run in the measured tree: the limits raised the way every version so far understands
CHILD = r"""
import sys, time
from archspec.limits import override
import archspec
archspec.load("network w {\n  input x: [3, 8, 8]\n  out x -> relu\n}\n").audit()  # imports
with override(max_nodes=10**6, max_steps=10**8, max_repeat=10**5):
    t0 = time.process_time()
    net = archspec.load(sys.argv[1])
    t1 = time.process_time()
    net.audit()
    t2 = time.process_time()
print(net.ir.number_of_nodes(), t1 - t0, t2 - t1)
"""


def measure(tree: Path, spec: Path) -> tuple[int, float, float]:
    env = {**os.environ, "PYTHONPATH": str(tree), "ARCHSPEC_CACHE": "off"}
    out = subprocess.run([sys.executable, "-c", CHILD, str(spec)], env=env, cwd=tree,
                         capture_output=True, text=True, check=True).stdout.split()
    return int(out[0]), float(out[1]), float(out[2])


def run(trees: dict[str, Path], rounds: int) -> dict[str, dict[str, Any]]:
    best: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for case, text in CASES.items():
            spec = Path(tmp) / f"{case}.arch"
            spec.write_text(text)
            for _ in range(rounds):  # interleaved: drift hits both trees alike
                for label, tree in trees.items():
                    nodes, check, audit = measure(tree, spec)
                    row = best.setdefault(f"{case}/{label}", {"nodes": nodes, "check_s": check,
                                                              "audit_s": audit})
                    if check + audit < row["check_s"] + row["audit_s"]:
                        row.update(check_s=check, audit_s=audit)
    return best


def growth(best: dict[str, dict[str, Any]], label: str) -> float:
    small, large = best[f"chain_1k/{label}"], best[f"chain_100k/{label}"]
    per = [(r["check_s"] + r["audit_s"]) / r["nodes"] for r in (small, large)]
    return per[1] / per[0]


def report(best: dict[str, dict[str, Any]], labels: list[str]) -> None:
    head = f"{'case':<16} {'nodes':>7}" + "".join(f" {lbl + ' s':>11}" for lbl in labels)
    print(head + ("  ratio" if len(labels) > 1 else ""))
    for case in CASES:
        rows = [best[f"{case}/{lbl}"] for lbl in labels]
        secs = [r["check_s"] + r["audit_s"] for r in rows]
        line = f"{case:<16} {rows[0]['nodes']:>7}" + "".join(f" {s:>11.2f}" for s in secs)
        print(line + (f"  {secs[0] / secs[1]:.2f}" if len(secs) > 1 else ""))
    for lbl in labels:
        print(f"per-layer check+audit cost, 100k ÷ 1k layers ({lbl}): {growth(best, lbl):.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--against", type=Path, help="a checkout of an earlier commit")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    trees = {"ours": ROOT, **({"theirs": args.against.resolve()} if args.against else {})}
    best = run(trees, args.rounds)
    if args.json:
        for key, row in best.items():
            print(json.dumps({"bench": "cost", "case": key, **row}))
    else:
        report(best, list(trees))


if __name__ == "__main__":
    main()
