"""The exact set of valid values of one size symbol, one interval per residue class.

With P a period of every constraint (SizeExpr.period), each constraint's slack is
``a·u + b`` on the class ``n = r + P·u`` (r in 1..P, u ≥ 0), with a and b read off at
u = 0 and u = 1. A lower bound then keeps a half-line or a prefix of u, an equality one
point or everything or nothing: so the valid u of a class form one interval, computed
exactly (docs/symbolic.md, "The valid set").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from math import lcm

from archspec.symbolic.constraints import Constraint

Interval = tuple[int, int | None]  # u from lo to hi inclusive; hi None: unbounded


class PeriodTooLarge(ValueError):
    """The constraints' common period exceeds the configured limit."""


@dataclass(frozen=True)
class Progression:
    """The set ``{start + step·k : k ≥ 0}`` (torch.export: ``step*Dim(min=start//step) +
    start % step``)."""

    start: int
    step: int


class AxisSet:
    """Valid values of `name`: `intervals[r - 1]` holds the valid u of class r + P·u."""

    def __init__(self, name: str, period: int, intervals: Sequence[Interval | None]) -> None:
        self.name = name
        self.period = period
        self.intervals = tuple(intervals)

    @classmethod
    def build(cls, name: str, constraints: Iterable[Constraint], max_period: int) -> AxisSet:
        slacks = {(c.kind, c.slack) for c in constraints}
        period = 1
        for _, slack in slacks:
            period = lcm(period, slack.period(name))
        if period > max_period:
            raise PeriodTooLarge(f"{name}: period {period} exceeds the limit {max_period}")
        return cls(name, period, [_class_interval(name, r, period, slacks) for r in
                                  range(1, period + 1)])

    # membership ---------------------------------------------------------------------
    def __contains__(self, n: int) -> bool:
        if n < 1:
            return False
        r = (n - 1) % self.period + 1
        interval = self.intervals[r - 1]
        if interval is None:
            return False
        u = (n - r) // self.period
        return interval[0] <= u and (interval[1] is None or u <= interval[1])

    def values(self, candidates: Iterable[int]) -> list[int]:
        """The valid members of `candidates`, in order (a step-1 range goes class by
        class, without testing each value)."""
        if isinstance(candidates, range) and candidates.step == 1:
            return self._range_values(candidates.start, candidates.stop)
        return [n for n in candidates if n in self]

    def _range_values(self, start: int, stop: int) -> list[int]:
        found: list[int] = []
        for r, interval in enumerate(self.intervals, start=1):
            if interval is None:
                continue
            first = max(r + self.period * interval[0], start)
            first += (r - first) % self.period
            last = stop if interval[1] is None else min(stop, r + self.period * interval[1] + 1)
            found.extend(range(first, last, self.period))
        found.sort()
        return found

    # structure ----------------------------------------------------------------------
    def class_start(self, r: int) -> int | None:
        interval = self.intervals[r - 1]
        return None if interval is None else r + self.period * interval[0]

    def eventual_residues(self) -> set[int]:
        """Residues r mod P (r in 1..P) whose class is valid from some point on."""
        return {r for r, iv in enumerate(self.intervals, 1) if iv is not None and iv[1] is None}

    def finite_values(self) -> list[int]:
        """The valid values in classes that are valid only finitely often."""
        found: list[int] = []
        for r, interval in enumerate(self.intervals, start=1):
            if interval is not None and interval[1] is not None:
                found.extend(r + self.period * u for u in range(interval[0], interval[1] + 1))
        return sorted(found)

    def minimum(self) -> int | None:
        starts = [s for r in range(1, self.period + 1) if (s := self.class_start(r)) is not None]
        return min(starts) if starts else None


def _class_interval(name: str, r: int, period: int, slacks: set) -> Interval | None:
    lo, hi = 0, None
    for kind, slack in slacks:
        b = slack.evaluate({name: r})
        a = slack.evaluate({name: r + period}) - b
        lo, hi = _narrow(lo, hi, kind, a, b)
        if hi is not None and hi < lo:
            return None
    return lo, hi


def _narrow(lo: int, hi: int | None, kind: str, a: int, b: int) -> tuple[int, int | None]:
    """Intersect [lo, hi] with {u : a·u + b ≥ 0} or {u : a·u + b = 0}."""
    if kind == "=":
        if a == 0:
            return (lo, hi) if b == 0 else (1, 0)
        if b % a:
            return 1, 0
        u = -b // a
        return max(lo, u), u if hi is None else min(hi, u)
    if a > 0:
        return max(lo, -(b // a)), hi
    if a == 0:
        return (lo, hi) if b >= 0 else (1, 0)
    limit = b // -a
    return lo, limit if hi is None else min(hi, limit)
