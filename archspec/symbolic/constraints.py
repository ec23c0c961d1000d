"""Constraints on size expressions: a lower bound (a map stays positive, a window fits) or
an equality (merge operands agree). Each carries an opaque `origin` for the caller's
error (a node name, a span); the valid-set code never looks inside it."""

from __future__ import annotations

from dataclasses import dataclass, field
from math import isqrt

from archspec.source import Span
from archspec.symbolic.expr import IntOrExpr, SizeExpr, as_expr


@dataclass(frozen=True)
class Origin:
    """Where a network's constraint comes from: the node (or the bound, the spec code) and
    its span."""

    node: str
    span: Span

    def __str__(self) -> str:
        return f"{self.node} ({self.span})"


@dataclass(frozen=True)
class Constraint:
    """``lhs ≥ rhs`` (kind "≥") or ``lhs = rhs`` (kind "="); `slack` is lhs - rhs, which
    must be ≥ 0, respectively = 0."""

    lhs: SizeExpr
    rhs: SizeExpr
    kind: str
    origin: object = field(default=None, compare=False)

    @property
    def slack(self) -> SizeExpr:
        return self.lhs - self.rhs

    @property
    def symbols(self) -> frozenset[str]:
        return self.lhs.symbols | self.rhs.symbols

    @classmethod
    def at_least(cls, expr: IntOrExpr, bound: IntOrExpr = 1, origin: object = None) -> Constraint:
        """``expr ≥ bound`` (default: the map keeps at least one position)."""
        return cls(as_expr(expr), as_expr(bound), "≥", origin)

    @classmethod
    def at_most(cls, expr: IntOrExpr, bound: IntOrExpr, origin: object = None) -> Constraint:
        """``expr ≤ bound``, stored as ``bound ≥ expr``."""
        return cls(as_expr(bound), as_expr(expr), "≥", origin)

    @classmethod
    def equal(cls, left: IntOrExpr, right: IntOrExpr, origin: object = None) -> Constraint:
        """``left = right`` (the operands of an add or concat agree on this axis)."""
        return cls(as_expr(left), as_expr(right), "=", origin)

    @classmethod
    def divisible(cls, expr: IntOrExpr, divisor: int, origin: object = None) -> Constraint:
        """``expr ≡ 0 (mod divisor)`` (pixel_unshuffle, a reshape into blocks)."""
        return cls(as_expr(expr) % divisor, as_expr(0), "=", origin)

    def holds_at(self, env: dict[str, int]) -> bool:
        value = self.lhs.evaluate(env) - self.rhs.evaluate(env)
        return value >= 0 if self.kind == "≥" else value == 0

    def __str__(self) -> str:
        return f"{self.lhs} {self.kind} {self.rhs}"


@dataclass(frozen=True)
class AnyOf:
    """At least one option holds, each option a conjunction of Constraints: what a product
    of sizes needs (`product_equal`), which no single affine constraint can say."""

    options: tuple[tuple[Constraint, ...], ...]
    origin: object = field(default=None, compare=False)

    @property
    def symbols(self) -> frozenset[str]:
        return frozenset().union(*(c.symbols for option in self.options for c in option))

    def holds_at(self, env: dict[str, int]) -> bool:
        return any(all(c.holds_at(env) for c in option) for option in self.options)

    def __str__(self) -> str:
        if not self.options:
            return "false"
        return " or ".join(f"({' and '.join(str(c) for c in option)})" for option in self.options)


def product_equal(factors: list[IntOrExpr], total: int, origin: object = None) -> AnyOf:
    """``f₁·f₂·…·fₙ = total`` for positive sizes fᵢ (flatten feeding a fixed linear: the
    spatial sizes multiply to in_features / channels): one option per ordered
    factorisation of `total`, each a conjunction of per-factor equalities."""
    options = [tuple(Constraint.equal(f, d, origin) for f, d in zip(factors, split))
               for split in _factorisations(total, len(factors))]
    return AnyOf(tuple(options), origin)


def _factorisations(total: int, parts: int) -> list[tuple[int, ...]]:
    if total < 1:
        return []
    if parts == 1:
        return [(total,)]
    return [(d, *rest) for d in _divisors(total) for rest in _factorisations(total // d, parts - 1)]


def _divisors(n: int) -> list[int]:
    small = [d for d in range(1, isqrt(n) + 1) if n % d == 0]
    return small + [n // d for d in reversed(small) if d * d != n]
