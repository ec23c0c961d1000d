"""Resource limits: every spec is bounded in size, depth and work before it can hurt anyone."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Limits:
    max_file_bytes: int = 4 * 2**20      # one spec file
    max_nesting: int = 200               # bracket / brace nesting in the text
    max_call_depth: int = 64             # block calls inside block calls
    max_import_depth: int = 16
    max_repeat: int = 10_000             # `block * n`, `range(n)` in loops
    max_nodes: int = 2_000_000           # primitive nodes in one elaborated graph
    max_int: int = 2**63 - 1             # integer results of expressions
    max_dim: int = 2**40                 # any single tensor dimension


LIMITS = Limits()
