"""Dimensions of a tensor whose shape depends on symbolic input sizes: an int, a SizeExpr, or
a SizeProduct (a flattened map: ``C·h·w``, which no affine SizeExpr can hold)."""

from __future__ import annotations

from dataclasses import dataclass
from math import prod

from archspec.symbolic.expr import SizeExpr


@dataclass(frozen=True)
class SizeProduct:
    """``coef · f₁ · f₂ · …``: the length of a flattened map whose sizes are the factors."""

    coef: int
    factors: tuple[SizeExpr, ...]

    @property
    def symbols(self) -> frozenset[str]:
        return frozenset().union(*(f.symbols for f in self.factors))

    def evaluate(self, env: dict[str, int]) -> int:
        return self.coef * prod(f.evaluate(env) for f in self.factors)

    def __str__(self) -> str:
        parts = [str(self.coef)] if self.coef != 1 else []
        parts += [f"({f})" if len(f.terms) + bool(f.const) > 1 else str(f) for f in self.factors]
        return "·".join(parts)


Dim = int | SizeExpr | SizeProduct
SymShape = tuple[Dim, ...]


def is_symbolic(dim: Dim) -> bool:
    return isinstance(dim, SizeProduct) or (isinstance(dim, SizeExpr) and not dim.is_constant)


def shape_is_symbolic(shape: SymShape) -> bool:
    return any(is_symbolic(d) for d in shape)


def normal(dim: Dim) -> Dim:
    """A constant SizeExpr as a plain int."""
    return int(dim) if isinstance(dim, SizeExpr) and dim.is_constant else dim


def evaluate(dim: Dim, env: dict[str, int]) -> int:
    return dim if isinstance(dim, int) else dim.evaluate(env)


def evaluate_shape(shape: SymShape, env: dict[str, int]) -> tuple[int, ...]:
    return tuple(evaluate(d, env) for d in shape)


def fmt_dim(dim: Dim) -> str:
    return str(dim)


def fmt_shape(shape: SymShape) -> str:
    """``[256, ⌊(H - 1)/32⌋ + 1, ⌊(W - 1)/32⌋ + 1]``."""
    return "[" + ", ".join(fmt_dim(d) for d in shape) + "]"


def plain_dim(dim: Dim) -> str:
    """The plain-text form (``(H - 1)//32 + 1``), for JSON and terminals without Unicode."""
    if isinstance(dim, SizeExpr):
        return dim.plain()
    if isinstance(dim, SizeProduct):
        return "*".join([str(dim.coef)] + [f"({f.plain()})" for f in dim.factors])
    return str(dim)
