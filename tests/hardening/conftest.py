"""Shared fixtures: the bounded fork server, and no on-disk AST cache for generated specs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CPU_LIMIT_S = 2.0          # the bound, on the child's CPU time
MEMORY_LIMIT_MIB = 500.0   # peak RSS of the child, interpreter and archspec included


def wall_limit_s() -> float:
    """2 s of wall time times (1 + load average per core), at most 5: the CPU-time bound is
    strict, but a machine shared with other jobs (pytest-xdist workers included) stretches wall
    time without the case doing more work. docs/hardening.md reports the measured figures."""
    load = os.getloadavg()[0] / (os.cpu_count() or 1)
    return CPU_LIMIT_S * min(5.0, 1.0 + load)


def child_env() -> dict[str, str]:
    """The environment of a measured child: this checkout first on the path (the caller's
    PYTHONPATH kept after it), no on-disk AST cache."""
    path = os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))
    return {**os.environ, "ARCHSPEC_CACHE": "off", "PYTHONPATH": path}


class ForkServer:
    """A ``python -m tests.hardening.forkserver --serve`` child, one case per request."""

    def __init__(self) -> None:
        env = child_env()
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.hardening.forkserver",
                                      "--serve"], cwd=ROOT, env=env, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def run(self, name: str) -> dict[str, Any]:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(name + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, f"fork server died running {name}"
        return json.loads(line)

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=60)


@pytest.fixture(scope="module")
def fork_server() -> Iterator[ForkServer]:
    server = ForkServer()
    yield server
    server.close()
