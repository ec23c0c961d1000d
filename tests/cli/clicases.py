"""Shared helpers for the table-driven CLI tests: a tiny spec in a private directory, and a
snapshot of that directory (names and bytes) to prove a failed command changed nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

TINY = """\
# a tiny network for the CLI tests
network tiny(classes: int = 10, width = 4) {
  ## the only layer stack
  input x: [3, 8, 8]
  out x -> conv(width, 3, p=1) -> relu -> gap -> flatten -> fc: linear(classes)  # logits
}
"""
TINY_YAML = """\
networks:
  tiny:
    params:
    - 'classes: int': 10
    body:
    - input x: [3, 8, 8]
    - out: 'x -> conv(4, 3, p=1) -> relu -> gap -> flatten -> fc: linear(classes)'
"""


def make_spec(directory: Path, name: str = "tiny.arch", text: str = TINY) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def snapshot(directory: Path) -> dict[str, bytes | str]:
    """Every entry under ``directory``: file bytes, or what a link points at, or 'dir'."""
    found: dict[str, bytes | str] = {}
    for path in sorted(directory.rglob("*")):
        key = str(path.relative_to(directory))
        if path.is_symlink():
            found[key] = "-> " + os.readlink(path)
        elif path.is_file():
            found[key] = path.read_bytes()
        else:
            found[key] = "dir" if path.is_dir() else "special"
    return found


def run_child(code: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    """Run Python ``code`` in a child with this checkout first on the path (no AST cache, no
    bytecode: the child may run under a file-size limit)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), ARCHSPEC_CACHE="off",
               PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=300, input=stdin)
