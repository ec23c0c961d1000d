"""Spec code that branches on a symbolic size (``if in.h > 7 { ... }``): never guessed.

Each comparison the spec made on a read size (spec_sizes.SizeTest) went one way at the
reference. Within the sizes in question (the spec's bounds and the case's conditions) it is
*decided* when the other way leaves no size: then it holds everywhere and nothing changes.
Otherwise the answer splits: the reference's case gets the outcome as a condition, and each
other way is a case of its own, elaborated at a size inside it and analysed the same way
(its own comparisons may split further, up to MAX_CASES). A case where no size elaborates
is reported as such, with the error; membership there falls back to a concrete load.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from archspec.errors import SpecError
from archspec.symbolic.validset import ValidSet

MAX_CASES = 8
TRIES = 4  # sizes tried per case before it is reported as failing

Analyser = Callable[[dict[str, int], list[Any]], tuple[Any, Any]]  # reference, bounds


@dataclass
class Case:
    """Sizes where the spec's size comparisons go one way (``conditions``): the network
    elaborated at a size there and its shapes, or, with ``shapes`` None, why there is
    none (``failure``)."""

    conditions: list[Any]
    shapes: Any = None
    net: Any = None
    failure: str = ""
    tried: list[int] = field(default_factory=list)

    def holds_at(self, env: dict[str, int]) -> bool:
        return all(c.holds_at(env) for c in self.conditions)

    def describe_conditions(self) -> str:
        return " and ".join(fmt_condition(c) for c in self.conditions) or "every size"


def fmt_condition(c: Any) -> str:
    """``⌊(H - 1)/2⌋ + 1 ≤ 7`` rather than ``7 ≥ ⌊(H - 1)/2⌋ + 1``."""
    if getattr(c, "kind", None) == "≥" and c.lhs.is_constant and not c.rhs.is_constant:
        return f"{c.rhs} ≤ {c.lhs}"
    return str(c)


def case_at(cases: list[Case], sizes: dict[str, int]) -> Case | None:
    """The case whose conditions hold at ``sizes``."""
    return next((case for case in cases if case.holds_at(sizes)), None)


def split_cases(net: Any, shapes: Any, bounds: list[Any], analyse_at: Analyser) -> list[Case]:
    """The cases of the answer, the reference's first (see module docstring)."""
    symbols = shapes.symbols
    cases: list[Case] = []
    pending = [(net, shapes, [])]
    while pending:
        net, shapes, conditions = pending.pop(0)
        others = restrict_to_outcomes(shapes, bounds, conditions)
        cases.append(Case(conditions + shapes.branch_conditions, shapes, net))
        for region in others:
            if len(cases) + len(pending) >= MAX_CASES:
                cases.append(Case(region, failure=f"more than {MAX_CASES} cases: not analysed"))
                continue
            found = analyse_region(region, bounds, symbols, analyse_at)
            if isinstance(found, Case):
                cases.append(found)
            else:
                pending.append((*found, region))
    return cases


def restrict_to_outcomes(shapes: Any, bounds: list[Any], conditions: list[Any]) -> list[list]:
    """Keep the undecided comparisons' outcomes as conditions of ``shapes``' valid set;
    return the regions where they go the other way."""
    taken: list[Any] = []
    others = []
    for test in shapes.tests:
        if test.taken in conditions + taken:
            continue  # the case is this outcome (the same comparison, split above)
        region = ValidSet(bounds + conditions + taken + [test.other], shapes.symbols)
        if region.is_empty():
            continue  # decided: it holds at every size in question
        others.append(conditions + taken + [test.other])
        taken.append(test.taken)
    shapes.branch_conditions = taken
    if taken:
        shapes.constraints = shapes.constraints + taken
        shapes.valid = shapes.valid.restricted(*taken)
    return others


def analyse_region(region: list[Any], bounds: list[Any], symbols: tuple[str, ...],
                   analyse_at: Analyser) -> tuple[Any, Any] | Case:
    """The network and shapes at a size inside ``region``, or a failing Case."""
    inside = ValidSet(bounds + region, symbols)
    points = region_points(inside, symbols)
    errors = []
    for point in points:
        try:
            return analyse_at(point, bounds + region)
        except SpecError as err:
            errors.append(f"{fmt_point(point)}: {err.message}")
    failure = ("no size elaborates at the sizes tried (" + "; ".join(errors) + ")"
               if errors else "no size up to 4096 found in this case")
    return Case(region, failure=failure, tried=points)


def fmt_point(point: dict[str, int]) -> str:
    values = set(point.values())
    return str(values.pop()) if len(values) == 1 else \
        ", ".join(f"{k} = {v}" for k, v in point.items())


def region_points(inside: ValidSet, symbols: tuple[str, ...]) -> list[dict[str, int]]:
    """Up to TRIES sizes inside the region: every symbol equal (the least, then spread
    out), else the first symbol one more or one less than the others."""
    if not symbols:
        return []
    for offset in (0, 1, -1):
        values = [n for n in candidates(inside, symbols[0], offset)
                  if n + offset >= 1 and inside.contains(**point(symbols, n, offset))]
        if values:
            return [point(symbols, n, offset) for n in spread(values)]
    return []


def point(symbols: tuple[str, ...], n: int, offset: int) -> dict[str, int]:
    return {s: n if i == 0 else n + offset for i, s in enumerate(symbols)}


def candidates(inside: ValidSet, name: str, offset: int) -> Any:
    try:
        return inside.values(name, range(1, 4097)) if offset == 0 else range(1, 4097)
    except ValueError:  # tied symbols (``H = W``): test every size
        return range(1, 4097)


def spread(values: list[int]) -> list[int]:
    if len(values) <= TRIES:
        return values
    picks = [values[0], values[len(values) // 3], values[2 * len(values) // 3], values[-1]]
    return list(dict.fromkeys(picks))


def is_valid(cases: list[Case], sizes: dict[str, int], concrete: Callable[[], bool]) -> bool:
    """Membership: the case holding at ``sizes`` answers; a failing case loads concretely."""
    case = case_at(cases, sizes)
    if case is None:
        return False
    return case.shapes.valid.contains(**sizes) if case.shapes else concrete()


def describe(cases: list[Case]) -> str:
    """``where H ≥ 8: H ≥ 8; where 7 ≥ H: 3 ≤ H ≤ 7``."""
    parts = []
    for case in cases:
        if case.shapes is not None:
            parts.append(f"where {case.describe_conditions()}: {case.shapes.valid.describe()}")
        else:
            parts.append(f"where {case.describe_conditions()}: {case.failure}")
    return "; ".join(parts)
