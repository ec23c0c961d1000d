"""The exact set of input sizes that satisfy a list of constraints.

Symbols that no constraint relates are independent: the set is the product of one
`AxisSet` per symbol. Symbols tied by a constraint (one that mentions two of them) form a
joint component: membership stays exact (every constraint is evaluated), enumeration
needs the other symbols of the component fixed, and `describe` states the tying
constraints as they are. `AnyOf` items (size products) split the set into cases
(archspec/symbolic/cases.py), each a plain ValidSet.
"""

from __future__ import annotations

from collections.abc import Iterable

from archspec.symbolic import cases
from archspec.symbolic.axis import AxisSet, Progression
from archspec.symbolic.constraints import AnyOf, Constraint
from archspec.symbolic.describe import describe_axes

DEFAULT_MAX_PERIOD = 1 << 16


class ValidSet:
    """The valid sizes: every symbol a positive integer and every constraint holding."""

    def __init__(
        self,
        constraints: Iterable[Constraint | AnyOf],
        symbols: Iterable[str] = (),
        max_period: int = DEFAULT_MAX_PERIOD,
    ) -> None:
        self.constraints = tuple(constraints)
        names = set(symbols)
        for c in self.constraints:
            names |= c.symbols
        self.symbols = tuple(sorted(names))
        self.max_period = max_period
        self._components = _components(self.symbols, self.constraints)
        self._axes: dict[str, AxisSet] = {}
        self._cases = cases.split_cases(self)

    # points -------------------------------------------------------------------------
    def failing(self, **point: int) -> Constraint | AnyOf | None:
        """The first constraint (in the order given) violated at `point`, else None.

        Every symbol must be bound to a positive int; a caller's order (topological)
        makes the answer the earliest layer where the size breaks.
        """
        env = self._environment(point)
        for constraint in self.constraints:
            if not constraint.holds_at(env):
                return constraint
        return None

    def contains(self, **point: int) -> bool:
        return self.failing(**point) is None

    def _environment(self, point: dict[str, int]) -> dict[str, int]:
        missing = [name for name in self.symbols if name not in point]
        if missing:
            raise ValueError(f"no value given for size symbol(s) {', '.join(missing)}")
        for name, value in point.items():
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"size {name} must be a positive int, not {value!r}")
        return point

    # one symbol ---------------------------------------------------------------------
    def is_independent(self, name: str) -> bool:
        """Whether no constraint ties `name` to another symbol."""
        return self._component_of(name) == (name,)

    def axis(self, name: str) -> AxisSet:
        """The exact valid values of an independent symbol, class by class."""
        if self._cases is not None:
            raise ValueError(f"{name} is split into cases by a size product: use values()")
        if name not in self._axes:
            self._require_independent(name)
            own = [c for c in self.constraints if c.symbols <= {name}]
            self._axes[name] = AxisSet.build(name, own, self.max_period)
        return self._axes[name]

    def values(self, name: str, candidates: Iterable[int], **fixed: int) -> list[int]:
        """The valid values of `name` among `candidates`: those for which the other
        symbols have valid values (`fixed` gives them: required for symbols tied to
        `name`, checked for any other; an independent symbol that can take no value
        empties the answer)."""
        self._component_of(name)  # an unknown name is a KeyError before any analysis
        if self._cases is not None:
            return cases.union_values(self._cases, name, candidates, fixed)
        if self._elsewhere_empty(name) or not self._others_hold(name, fixed):
            return []
        if self.is_independent(name):
            return self.axis(name).values(candidates)
        return self._slice(name, fixed).values(candidates)

    def minimum(self, name: str) -> int | None:
        """The smallest valid value of an independent symbol (torch.export's Dim min)."""
        if self._cases is not None:
            return cases.union_minimum(self._cases, name)
        return None if self._elsewhere_empty(name) else self.axis(name).minimum()

    def period(self, name: str) -> int:
        """The eventual period of the valid values (32 for a multiple of 32; 1 if none)."""
        from archspec.symbolic.describe import eventual_pattern

        return eventual_pattern(self.axis(name))[0]

    def progression(self, name: str) -> Progression | None:
        """The valid values as ``start + step·k`` when they are exactly that, else None."""
        from archspec.symbolic.describe import as_progression

        if self._cases is not None:
            return cases.union_progression(self._cases, name)
        return None if self._elsewhere_empty(name) else as_progression(self.axis(name))

    def describe(self) -> str:
        """A short exact statement of the set: "H, W ≥ 32", "H ≡ 0 (mod 32), H ≥ 64"."""
        if self._cases is not None:
            return cases.union_describe(self._cases)
        broken = self._constant_failure()
        if broken is not None:
            return f"no valid size: {broken} never holds"
        independent = [c[0] for c in self._components if len(c) == 1]
        parts = [describe_axes([self.axis(name) for name in independent])] if independent else []
        parts += [self._describe_joint(c) for c in self._components if len(c) > 1]
        return "; ".join(p for p in parts if p)

    def is_empty(self) -> bool:
        """Whether no size is valid: exact for independent symbols; a tied component is
        empty here only when one member's own constraints are (deciding more needs the
        joint polyhedra)."""
        if self._cases is not None:
            return not cases.nonempty(self._cases)
        return self._constant_failure() is not None or any(
            self._own_axis(name).minimum() is None for c in self._components for name in c)

    def _own_axis(self, name: str) -> AxisSet:
        if self.is_independent(name):
            return self.axis(name)
        own = [c for c in self.constraints if c.symbols == {name}]
        return AxisSet.build(name, own, self.max_period)

    def decide(self, condition: Constraint) -> bool | None:
        """Whether `condition` (spec code such as ``if in.h > 7``) holds at every valid
        size (True), at none (False), or splits the set (None: the caller makes cases
        with `restricted`). Exact when the symbols involved are independent; a tied
        component counts as non-empty, so the answer is then None rather than a guess."""
        if self.restricted(negation(condition)).is_empty():
            return True
        if self.restricted(condition).is_empty():
            return False
        return None

    def restricted(self, *extra: Constraint | AnyOf) -> ValidSet:
        """This set with more constraints (one case of a split)."""
        return ValidSet(self.constraints + extra, self.symbols, self.max_period)

    # internals ----------------------------------------------------------------------
    def _component_of(self, name: str) -> tuple[str, ...]:
        for component in self._components:
            if name in component:
                return component
        raise KeyError(f"unknown size symbol {name!r} (known: {', '.join(self.symbols)})")

    def _require_independent(self, name: str) -> None:
        component = self._component_of(name)
        if len(component) > 1:
            others = ", ".join(n for n in component if n != name)
            raise ValueError(f"{name} is constrained jointly with {others}: fix {others}")

    def _elsewhere_empty(self, name: str) -> bool:
        if self._constant_failure() is not None:
            return True
        return any(self.axis(c[0]).minimum() is None for c in self._components
                   if len(c) == 1 and c[0] != name)

    def _others_hold(self, name: str, fixed: dict[str, int]) -> bool:
        bound = fixed.keys()
        return all(c.holds_at(fixed) for c in self.constraints
                   if name not in c.symbols and c.symbols and c.symbols <= bound)

    def _slice(self, name: str, fixed: dict[str, int]) -> AxisSet:
        others = [n for n in self._component_of(name) if n != name]
        missing = [n for n in others if n not in fixed]
        if missing:
            raise ValueError(f"{name} is tied to {', '.join(missing)}: give their values")
        values = {n: fixed[n] for n in others}
        tied = [c for c in self.constraints if name in c.symbols]
        local = [Constraint(c.lhs.subs(values), c.rhs.subs(values), c.kind, c.origin)
                 for c in tied]
        if any(not c.symbols and not c.holds_at({}) for c in local):
            return AxisSet(name, 1, [None])
        return AxisSet.build(name, local, self.max_period)

    def _constant_failure(self) -> Constraint | None:
        for c in self.constraints:
            if not c.symbols and not c.holds_at({}):
                return c
        return None

    def _describe_joint(self, component: tuple[str, ...]) -> str:
        members = set(component)
        single = [c for c in self.constraints if len(c.symbols) == 1 and c.symbols <= members]
        sub = ValidSet(single, component, self.max_period)
        mixed = dict.fromkeys(str(c) for c in self.constraints if len(c.symbols) > 1)
        return f"{sub.describe()}, and jointly {' and '.join(mixed)}"


def _components(names: tuple[str, ...], constraints: tuple[Constraint, ...]) -> list:
    """Groups of symbols tied together by constraints (union-find)."""
    parent = {name: name for name in names}

    def root(name: str) -> str:
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    for c in constraints:
        first, *rest = sorted(c.symbols) or [None]
        for other in rest:
            parent[root(other)] = root(first)
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(root(name), []).append(name)
    return [tuple(group) for group in groups.values()]


def negation(condition: Constraint) -> Constraint | AnyOf:
    """The complement of a constraint: ``a ≥ b`` becomes ``a ≤ b - 1``; ``a = b`` becomes
    ``a ≥ b + 1`` or ``a ≤ b - 1``."""
    lhs, rhs, origin = condition.lhs, condition.rhs, condition.origin
    if condition.kind == "≥":
        return Constraint.at_most(lhs, rhs - 1, origin)
    return AnyOf(((Constraint.at_least(lhs, rhs + 1, origin),),
                  (Constraint.at_most(lhs, rhs - 1, origin),)), origin)
