"""Resource limits: every spec is bounded in size, depth and work before it can hurt anyone.

The defaults are chosen so that a spec reaching any one of them fails in well under 2 s and
500 MiB (docs/hardening.md has the measurements). There is no global to mutate: a load takes
its limits as an argument (``load(path, limits=Limits(max_nodes=10**6))``) and makes them the
current ones for its own duration only, in a context variable (so threads and asyncio tasks
never see each other's); the parser and the elaborator read them with :func:`current`, or
through ``LIMITS``, a read-only view of the current ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import NamedTuple


class Limits(NamedTuple):  # a named tuple: as a frozen dataclass, 0.75 ms of every start-up
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

    def raised(self, **changes: int) -> Limits:
        """A copy with some limits changed (TypeError naming any unknown one)."""
        unknown = set(changes) - NAMES
        if unknown:
            raise TypeError(f"unknown limits: {', '.join(sorted(unknown))}")
        return self._replace(**changes)


NAMES = frozenset(Limits._fields)
DEFAULT = Limits()
_CURRENT: ContextVar[Limits] = ContextVar("archspec_limits", default=DEFAULT)


def current() -> Limits:
    """The limits in force in this context: the defaults outside :func:`using`."""
    return _CURRENT.get()


class CurrentLimits:
    """``LIMITS.max_nodes`` reads the limit in force in this context; nothing can be set."""

    __slots__ = ()

    def __getattr__(self, name: str) -> int:
        return getattr(_CURRENT.get(), name)  # type: ignore[no-any-return]

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("limits are read-only: pass load(..., limits=Limits(...))")

    def __repr__(self) -> str:
        return repr(_CURRENT.get())


LIMITS = CurrentLimits()


@contextmanager
def using(limits: Limits) -> Iterator[Limits]:
    """Make ``limits`` the current ones inside the ``with`` block (this context only)."""
    token = _CURRENT.set(limits)
    try:
        yield limits
    finally:
        _CURRENT.reset(token)


def override(**changes: int) -> Iterator[Limits]:  # type: ignore[misc]
    """``with override(max_nodes=10**6): load(...)``: the current limits with some changed,
    for the block only and in this context only (a shorthand for ``using(current().raised())``).
    """
    return using(current().raised(**changes))
