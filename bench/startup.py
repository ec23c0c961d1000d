"""Whole-process start-up of ``archspec check`` / ``archspec audit`` against an earlier commit.

Issue 11 asks that ``archspec check specs/resnet50.arch`` and ``archspec audit
specs/resnet152.arch`` as whole processes be no slower than before it. This script checks the
earlier commit out into a temporary git worktree, then runs each command from both trees in
turn (A B A B ..., so drift on a shared machine hits both alike) with the same interpreter,
bytecode written and reused, and prints the medians of CPU (user + system, the kernel's
accounting of the finished child) and wall time, and the ratio of the medians, this tree ÷ the
earlier one (< 1: faster now). With ``--instructions`` it also counts the instructions each
whole process executes under valgrind's callgrind (one run each): a figure a loaded machine
does not move.

    .venv/bin/python bench/startup.py [--rev dc9a01f] [--rounds 21] [--instructions]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEFORE_ISSUE_11 = "dc9a01f"   # the last commit before the one-contract redesign
COMMANDS = (["check", "specs/resnet50.arch"], ["audit", "specs/resnet152.arch"])


def run_once(tree: Path, args: list[str]) -> tuple[float, float]:
    """(cpu seconds, wall seconds) of one ``python -m archspec ARGS`` run in ``tree``."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(tree)
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "archspec", *args], cwd=tree, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(args)} failed in {tree}")
    return usage.ru_utime + usage.ru_stime, wall


def instructions(tree: Path, args: list[str]) -> int:
    """Instructions executed by one ``python -m archspec ARGS`` in ``tree`` (callgrind's Ir)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(tree)
    done = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                           sys.executable, "-m", "archspec", *args], cwd=tree, env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True)
    return int(re.findall(r"I\s+refs:\s+([\d,]+)", done.stderr)[-1].replace(",", ""))


def compare_instructions(now: Path, before: Path, args: list[str]) -> None:
    counts = {tree: instructions(tree, args) for tree in (now, before)}
    print(f"archspec {' '.join(args)}: {counts[now] / 1e6:.1f} M instructions vs "
          f"{counts[before] / 1e6:.1f} M (ratio {counts[now] / counts[before]:.3f})")


def compare(now: Path, before: Path, args: list[str], rounds: int) -> None:
    for tree in (now, before):   # warm-up: bytecode and the AST cache
        run_once(tree, args)
    samples: dict[Path, list[tuple[float, float]]] = {now: [], before: []}
    for _ in range(rounds):
        for tree in (now, before):
            samples[tree].append(run_once(tree, args))
    cpu = {t: statistics.median(s[0] for s in samples[t]) for t in samples}
    wall = {t: statistics.median(s[1] for s in samples[t]) for t in samples}
    print(f"archspec {' '.join(args)}: cpu {cpu[now] * 1e3:.1f} ms vs {cpu[before] * 1e3:.1f} ms "
          f"(ratio {cpu[now] / cpu[before]:.3f}), wall {wall[now] * 1e3:.1f} ms vs "
          f"{wall[before] * 1e3:.1f} ms (ratio {wall[now] / wall[before]:.3f}); "
          f"medians of {rounds} alternated runs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rev", default=BEFORE_ISSUE_11, help="the earlier commit")
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--instructions", action="store_true",
                        help="also count instructions under valgrind (callgrind)")
    options = parser.parse_args()
    if options.instructions and not shutil.which("valgrind"):
        parser.error("--instructions needs valgrind on PATH")
    with tempfile.TemporaryDirectory() as tmp:
        before = Path(tmp) / "before"
        subprocess.run(["git", "worktree", "add", "--detach", str(before), options.rev],
                       cwd=ROOT, check=True, capture_output=True)
        try:
            for args in COMMANDS:
                compare(ROOT, before, args, options.rounds)
                if options.instructions:
                    compare_instructions(ROOT, before, args)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(before)], cwd=ROOT,
                           check=False, capture_output=True)


if __name__ == "__main__":
    main()
