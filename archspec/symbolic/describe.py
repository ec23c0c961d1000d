"""Short exact statements of valid sizes ("H, W ≥ 32", "H ≡ 0 (mod 32), H ≥ 64",
"H ≥ 1 except 3, 5") from the per-class intervals of an AxisSet.

Past some threshold a value is valid exactly when its residue is one of the classes
valid without upper bound (the *eventual pattern*); below it, the statement lists the
exceptions to the pattern and the extra values outside it, so it is exact, not a summary.
"""

from __future__ import annotations

from archspec.symbolic.axis import AxisSet, Progression

SHOWN = 6  # values listed before "… (N more)"


def eventual_pattern(axis: AxisSet) -> tuple[int, frozenset[int]]:
    """(p, residues mod p): the smallest period p dividing P that the eventually-valid
    classes repeat with, and those classes as residues mod p."""
    classes = {r % axis.period for r in axis.eventual_residues()}
    for p in _divisors(axis.period):
        reduced = frozenset(r % p for r in classes)
        if all((r in classes) == (r % p in reduced) for r in range(axis.period)):
            return p, reduced
    return axis.period, frozenset(classes)


def _divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


def _pattern_start(axis: AxisSet, step: int, residues: frozenset[int]) -> int | None:
    """The smallest valid value that matches the pattern."""
    starts = [axis.class_start(r) for r in range(1, axis.period + 1)
              if r % step in residues and axis.intervals[r - 1] is not None]
    return min((s for s in starts if s is not None), default=None)


def _exceptions(axis: AxisSet, step: int, residues: frozenset[int], start: int) -> list[range]:
    """Values ≥ start that match the pattern but are invalid, as one range per class."""
    found: list[range] = []
    for r in range(1, axis.period + 1):
        first_valid = axis.class_start(r)
        if r % step in residues and first_valid is not None:
            first = start + (r - start) % axis.period
            found.append(range(first, first_valid, axis.period))
    return [run for run in found if run]


def _listing_runs(runs: list[range]) -> str:
    total = sum(len(run) for run in runs)
    first = sorted(v for run in runs for v in run[:SHOWN])[:SHOWN]
    text = ", ".join(str(v) for v in first)
    return text + (f", … ({total - SHOWN} more)" if total > SHOWN else "")


def as_progression(axis: AxisSet) -> Progression | None:
    step, residues = eventual_pattern(axis)
    start = _pattern_start(axis, step, residues)
    if start is None or len(residues) != 1 or axis.finite_values():
        return None
    if _exceptions(axis, step, residues, start):
        return None
    return Progression(start, step)


def describe_axis(axis: AxisSet, names: str) -> str:
    """The statement for one symbol, written with `names` ("H" or "H, W")."""
    step, residues = eventual_pattern(axis)
    extras = axis.finite_values()
    if not residues:
        return _describe_finite(axis, names, extras)
    start = _pattern_start(axis, step, residues)
    parts = []
    if step > 1:
        shown = ", ".join(str(r) for r in sorted(residues))
        parts.append(f"{names} ≡ {shown} (mod {step})")
    smallest_match = min((r or step) for r in residues)
    if step == 1 or start > smallest_match:
        parts.append(f"{names} ≥ {start}")
    text = ", ".join(parts)
    exceptions = _exceptions(axis, step, residues, start)
    if exceptions:
        text += f" except {_listing_runs(exceptions)}"
    if extras:
        text += f", or {names} ∈ {{{_listing(extras)}}}"
    return text


def _describe_finite(axis: AxisSet, names: str, values: list[int]) -> str:
    """A finite set: a bounded progression when it is one ("32 ≤ H ≤ 4096"), else listed."""
    if not values:
        return f"no valid {names}"
    low, high = values[0], values[-1]
    step = values[1] - low if len(values) > 2 else 0
    if step and values == list(range(low, high + 1, step)):
        congruence = f"{names} ≡ {low % step} (mod {step}), " if step > 1 else ""
        return f"{congruence}{low} ≤ {names} ≤ {high}"
    return f"{names} ∈ {{{_listing(values)}}}"


def _listing(values: list[int]) -> str:
    text = ", ".join(str(v) for v in values[:SHOWN])
    return text + (f", … ({len(values) - SHOWN} more)" if len(values) > SHOWN else "")


def describe_axes(axes: list[AxisSet]) -> str:
    """Statements for independent symbols, symbols with the same set sharing one."""
    groups: dict[tuple, list[str]] = {}
    for axis in axes:
        groups.setdefault((axis.period, axis.intervals), []).append(axis.name)
    by_name = {axis.name: axis for axis in axes}
    return "; ".join(describe_axis(by_name[names[0]], ", ".join(names))
                     for names in groups.values())
