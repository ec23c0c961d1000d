"""Polynomials over size expressions: ``Σ coefficient · f₁ · f₂ · …`` whose factors are
SizeExprs (``118,013,952·(⌊(H - 1)/2⌋ + 1)·(⌊(W - 1)/2⌋ + 1)``). A cost (MACs, FLOPs, bytes)
is a sum of products of a map's sizes, which no affine SizeExpr can hold; factors are kept
whole, so the terms of a network group by resolution level (docs/symbolic.md, "Cost
formulas"). Pure Python; evaluation is exact integer arithmetic.
"""

from __future__ import annotations

from collections.abc import Iterable
from math import prod
from typing import Any

from archspec.symbolic.expr import SizeExpr

Monomial = tuple[SizeExpr, ...]  # sorted factors; () is the constant term


class SizePoly:
    """Canonical: factors sorted, constant factors folded into the coefficient, like terms
    merged, zero terms dropped. Immutable; equal polys compare and hash equal."""

    __slots__ = ("terms",)

    def __init__(self, terms: dict[Monomial, int] | None = None) -> None:
        self.terms: dict[Monomial, int] = {m: c for m, c in (terms or {}).items() if c}

    @staticmethod
    def of(value: Any) -> SizePoly:
        """An int, a SizeExpr, a SizeProduct (``coef·f₁·f₂``) or a SizePoly, as a SizePoly."""
        if isinstance(value, SizePoly):
            return value
        if isinstance(value, int):
            return SizePoly({(): value})
        if isinstance(value, SizeExpr):
            return SizePoly(_term((value,), 1))
        factors = getattr(value, "factors", None)
        if factors is not None:
            return SizePoly(_term(tuple(factors), value.coef))
        raise TypeError(f"not a size: {type(value).__name__}")

    @property
    def is_constant(self) -> bool:
        return all(not m for m in self.terms)

    @property
    def degree(self) -> int:
        return max((len(m) for m in self.terms), default=0)

    @property
    def symbols(self) -> frozenset[str]:
        return frozenset().union(*(f.symbols for m in self.terms for f in m))

    def evaluate(self, env: dict[str, int]) -> int:
        values: dict[SizeExpr, int] = {}
        total = 0
        for monomial, coef in self.terms.items():
            for f in monomial:
                if f not in values:
                    values[f] = f.evaluate(env)
            total += coef * prod(values[f] for f in monomial)
        return total

    def __add__(self, other: Any) -> SizePoly:
        acc = dict(self.terms)
        for m, c in SizePoly.of(other).terms.items():
            acc[m] = acc.get(m, 0) + c
        return SizePoly(acc)

    __radd__ = __add__

    def __neg__(self) -> SizePoly:
        return SizePoly({m: -c for m, c in self.terms.items()})

    def __sub__(self, other: Any) -> SizePoly:
        return self + (-SizePoly.of(other))

    def __rsub__(self, other: Any) -> SizePoly:
        return SizePoly.of(other) - self

    def __mul__(self, other: Any) -> SizePoly:
        acc: dict[Monomial, int] = {}
        for m1, c1 in self.terms.items():
            for m2, c2 in SizePoly.of(other).terms.items():
                for m, c in _term(m1 + m2, c1 * c2).items():
                    acc[m] = acc.get(m, 0) + c
        return SizePoly(acc)

    __rmul__ = __mul__

    def __floordiv__(self, divisor: int) -> SizePoly:
        """Exact for an affine poly (a SizeExpr floor) or a constant divisor 1."""
        if divisor == 1:
            return self
        return SizePoly.of(self.as_expr() // divisor)

    def exact_div(self, divisor: int) -> SizePoly:
        """Every coefficient divided by ``divisor`` (each must be a multiple of it)."""
        if any(c % divisor for c in self.terms.values()):
            raise ValueError(f"{self} is not a multiple of {divisor}")
        return SizePoly({m: c // divisor for m, c in self.terms.items()})

    def as_expr(self) -> SizeExpr | int:
        """A poly of degree ≤ 1 as a SizeExpr (or an int); TypeError otherwise."""
        if self.degree > 1:
            raise TypeError(f"{self} is not an affine size")
        total: SizeExpr | int = 0
        for m, c in self.terms.items():
            total = total + (c * m[0] if m else c)
        return total

    def __int__(self) -> int:
        if not self.is_constant:
            raise TypeError(f"{self} depends on {', '.join(sorted(self.symbols))}")
        return self.terms.get((), 0)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (int, SizePoly)):
            return self.terms == SizePoly.of(other).terms
        return NotImplemented

    def __hash__(self) -> int:  # a constant hashes like its int, which it equals
        return hash(int(self)) if self.is_constant else hash(frozenset(self.terms.items()))

    def ordered(self) -> list[tuple[Monomial, int]]:
        """Terms by degree (highest first), then largest maps first (each factor at a size
        of 2²⁰): by resolution level."""
        big = {name: 1 << 20 for name in self.symbols}
        return sorted(self.terms.items(), key=lambda t: (
            -len(t[0]), -prod(f.evaluate(big) for f in t[0]), [str(f) for f in t[0]]))

    def __str__(self) -> str:
        return _join((f"{abs(c):,}", c < 0, _factors(m, str, _superscript, c == 1))
                     for m, c in self.ordered())

    def __repr__(self) -> str:
        return f"SizePoly({self})"

    def plain(self) -> str:
        """``118013952*((H - 1)//2 + 1)*((W - 1)//2 + 1) + 2049000``: Python syntax."""
        return _join((str(abs(c)), c < 0, _factors(m, SizeExpr.plain, "{}**{}".format,
                                                   c == 1))
                     for m, c in self.ordered()).replace("·", "*")

    def dominates(self, other: SizePoly) -> bool:
        """True when ``self - other`` has no negative coefficient, so ``self ≥ other`` at every
        size where each factor is ≥ 0 (every factor of a cost is a tensor's size)."""
        return all(c >= 0 for c in (self - other).terms.values())


def _term(factors: Iterable[SizeExpr], coef: int) -> dict[Monomial, int]:
    """One term, constant factors folded into the coefficient."""
    kept = []
    for f in factors:
        if f.is_constant:
            coef *= int(f)
        else:
            kept.append(f)
    return {tuple(sorted(kept, key=str)): coef} if coef else {}


SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _superscript(base: str, power: int) -> str:
    return base + str(power).translate(SUPERSCRIPT)


def _factors(monomial: Monomial, render: Any, power: Any, unit: bool) -> list[str]:
    """The factors' texts, equal (adjacent, sorted) factors as one power (``S²``), each in
    parentheses when it has several terms, unless it stands alone (coefficient 1)."""
    groups: list[list[Any]] = []
    for f in monomial:
        if groups and groups[-1][0] == f:
            groups[-1][1] += 1
        else:
            groups.append([f, 1])
    alone = unit and len(groups) == 1 and groups[0][1] == 1
    texts = []
    for f, n in groups:
        text = render(f)
        if len(f.terms) + bool(f.const) > 1 and not alone:
            text = f"({text})"
        texts.append(text if n == 1 else power(text, n))
    return texts


def _join(terms: Iterable[tuple[str, bool, list[str]]]) -> str:
    out = ""
    for coef, negative, factors in terms:
        body = "·".join(factors if coef == "1" and factors else [coef, *factors])
        out += (" - " if negative else " + ") + body if out else ("-" if negative else "") + body
    return out or "0"


def poly_shape(shape: tuple[Any, ...]) -> tuple[Any, ...]:
    """A shape whose symbolic dims are SizePolys (so a cost rule's products stay exact);
    int dims stay ints."""
    return tuple(d if isinstance(d, int) else _int_or_poly(SizePoly.of(d)) for d in shape)


def _int_or_poly(p: SizePoly) -> int | SizePoly:
    return int(p) if p.is_constant else p


def numel(shape: tuple[Any, ...]) -> SizePoly:
    """Elements of a (possibly symbolic) shape, as a SizePoly."""
    return SizePoly.of(1) * prod((SizePoly.of(d) for d in shape), start=SizePoly.of(1))
