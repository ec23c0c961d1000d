"""Valid sets with case splits: a constraint list holding `AnyOf` items is the union, over
one option chosen per item, of plain valid sets (a flatten feeding a fixed linear gives
one case per divisor pair of h·w)."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import product
from typing import Any

from archspec.symbolic.axis import Progression
from archspec.symbolic.constraints import AnyOf, Constraint

ValidSet = Any  # archspec.symbolic.validset.ValidSet, which imports this module

MAX_CASES = 4096


def split_cases(valid: ValidSet) -> list[ValidSet] | None:
    """One plain ValidSet (of ``valid``'s own class) per combination of options, or None
    without any AnyOf."""
    plain = [c for c in valid.constraints if isinstance(c, Constraint)]
    choices = [c.options for c in valid.constraints if isinstance(c, AnyOf)]
    if not choices:
        return None
    count = 1
    for options in choices:
        count *= len(options)
    if count > MAX_CASES:
        raise ValueError(f"{count} cases of size products exceed the limit {MAX_CASES}")
    return [type(valid)(plain + [c for option in combo for c in option], valid.symbols,
                     valid.max_period) for combo in product(*choices)]


def union_values(cases: list[ValidSet], name: str, candidates: Iterable[int],
                 fixed: dict[str, int]) -> list[int]:
    pool = candidates if isinstance(candidates, range) else list(candidates)
    found: set[int] = set()
    for case in cases:
        found.update(case.values(name, pool, **fixed))
    return sorted(found) if isinstance(candidates, range) else [n for n in pool if n in found]


def nonempty(cases: list[ValidSet]) -> list[ValidSet]:
    return [case for case in cases if not case.is_empty()]


def union_minimum(cases: list[ValidSet], name: str) -> int | None:
    minima = [m for case in nonempty(cases) if (m := case.minimum(name)) is not None]
    return min(minima, default=None)


def union_progression(cases: list[ValidSet], name: str) -> Progression | None:
    live = nonempty(cases)
    return live[0].progression(name) if len(live) == 1 else None


def union_describe(cases: list[ValidSet]) -> str:
    live = nonempty(cases)
    if not live:
        return "no valid size: no case of the size products holds"
    if len(live) == 1:
        return live[0].describe()
    return " or ".join(f"({case.describe()})" for case in live)
