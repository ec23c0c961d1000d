"""Resource limits: every spec is bounded in size, depth and work before it can hurt anyone.

The defaults are chosen so that a spec reaching any one of them fails in well under 2 s and
500 MiB (docs/hardening.md has the measurements); ``override`` raises them for a scope, e.g. to
elaborate a 100k-layer network on purpose.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields


@dataclass
class Limits:
    max_file_bytes: int = 128 * 2**10    # one spec file (lark parses ~100-200 KiB/s)
    max_total_bytes: int = 192 * 2**10   # a spec and everything it imports
    max_nesting: int = 200               # bracket / brace nesting in the text
    max_depth: int = 200                 # syntax-tree depth of one expression or statement
    max_call_depth: int = 64             # block calls inside block calls
    max_import_depth: int = 16
    max_repeat: int = 10_000             # `block * n`, `range(n)` in loops
    max_nodes: int = 30_000              # primitive nodes in one elaborated graph
    max_steps: int = 700_000             # elaboration work (elaborate/context.py: Ctx.tick)
    max_list: int = 100_000              # elements of one list value (nested ones counted)
    max_str: int = 100_000               # characters of one string value
    max_int: int = 2**63 - 1             # integer results of expressions
    max_dim: int = 2**40                 # any single tensor dimension


LIMITS = Limits()


@contextmanager
def override(**changes: int) -> Iterator[Limits]:
    """Temporarily change some limits (``with override(max_nodes=10**6): load(...)``)."""
    known = {f.name for f in fields(Limits)}
    unknown = set(changes) - known
    if unknown:
        raise TypeError(f"unknown limits: {', '.join(sorted(unknown))}")
    saved = {k: getattr(LIMITS, k) for k in changes}
    for key, value in changes.items():
        setattr(LIMITS, key, value)
    try:
        yield LIMITS
    finally:
        for key, value in saved.items():
            setattr(LIMITS, key, value)


def fmt_bytes(n: int) -> str:
    """``256 KiB``, ``10.0 MiB``."""
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            return f"{n // size} {unit}" if n % size == 0 else f"{n / size:.1f} {unit}"
    return f"{n} bytes"
