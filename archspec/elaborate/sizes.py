"""Sizes that spec code reads (``x.h``, ``x.w``, ``x.shape``) remember where they came from.

A read gives a ``SizeValue``: an int that also holds itself as a SizeExpr in a placeholder
symbol ``node:port:axis``. ``+ - * // %`` with integers keep that formula; a comparison in
the spec is logged (``SizeLog.tests``). The symbolic pass (archspec/symbolic/spec_sizes.py)
puts each placeholder's own formula in, so ``upsample(size=[in.h, in.w])`` follows the
input's size and ``if in.h > 7`` becomes a condition on H, decided from the constraints or
split into cases. A use it cannot follow (a channel count, a float division) leaves the read
*opaque*, and the answer says so (docs/symbolic.md, "Spec code that reads sizes").
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from archspec.source import Span


@dataclass(eq=False)
class Read:
    """One ``x.h``-style read: where, and every value spec code computed from it."""

    node: str
    attr: str
    span: Span
    log: SizeLog
    values: list[SizeValue] = field(default_factory=list)


@dataclass(eq=False)
class Test:
    """A comparison in spec code on read sizes, and its outcome at the reference."""

    left: Any   # SizeExpr in placeholders
    op: str
    right: Any
    result: bool
    span: Span
    reads: tuple[Read, ...]


@dataclass
class SizeLog:
    """What elaboration saw of sizes read by spec code (GraphMeta.size_log)."""

    reads: list[Read] = field(default_factory=list)
    tests: list[Test] = field(default_factory=list)
    compared: set[int] = field(default_factory=set)  # ids of SizeValues a test used
    in_spec: bool = False  # spec arithmetic is running (not a primitive's own rules)


def both_ways(op: Callable[[Any, Any], Any]) -> tuple[Callable, Callable]:
    """``op`` as a SizeValue's method and as its reflected method."""
    def forward(self: Any, other: Any) -> Any:
        return combine(op, self, other)

    def reflected(self: Any, other: Any) -> Any:
        return combine(op, other, self)
    return forward, reflected


class SizeValue(int):
    """An int read from a tensor's size, or computed from such ints (see module docstring).
    ``parents``: the SizeValues it was computed from; ``derived``: a value was computed
    from it."""

    def __new__(cls, value: int, expr: Any, reads: tuple[Read, ...],
                parents: tuple[SizeValue, ...] = ()) -> SizeValue:
        self = int.__new__(cls, value)
        self.expr, self.reads, self.parents, self.derived = expr, reads, parents, False
        if not parents or reads[0].log.in_spec:
            for read in reads:
                read.values.append(self)
        return self

    def __reduce__(self) -> tuple[type, tuple[int]]:  # copies and pickles are plain ints
        return (int, (int(self),))

    __add__, __radd__ = both_ways(operator.add)
    __sub__, __rsub__ = both_ways(operator.sub)
    __mul__, __rmul__ = both_ways(operator.mul)
    __floordiv__, __rfloordiv__ = both_ways(operator.floordiv)
    __mod__, __rmod__ = both_ways(operator.mod)

    def __neg__(self) -> Any:
        return combine(operator.mul, self, -1)

    def __pos__(self) -> Any:
        return self


def expr_of(value: Any) -> Any:
    return value.expr if isinstance(value, SizeValue) else value


def combine(op: Callable[[Any, Any], Any], a: Any, b: Any) -> Any:
    """``op`` on the ints, and on the formulas when both are affine (else a plain int:
    the reads stay unfollowed, hence opaque)."""
    value = op(int(a) if isinstance(a, SizeValue) else a, int(b) if isinstance(b, SizeValue)
               else b)
    if not isinstance(value, int) or isinstance(value, bool):
        return value
    tainted = tuple(v for v in (a, b) if isinstance(v, SizeValue))
    try:
        expr = op(expr_of(a), expr_of(b))
    except (TypeError, ValueError, ZeroDivisionError):
        return value
    reads_of = tainted[0].reads
    if reads_of and reads_of[0].log.in_spec:
        for parent in tainted:
            parent.derived = True
    reads = tuple(dict.fromkeys(r for v in tainted for r in v.reads))
    return SizeValue(value, expr, reads, tainted)


def read_size(log: SizeLog, value: int, node: str, port: int, axis: int, attr: str,
              span: Span) -> SizeValue:
    """``value``, the size of axis ``axis`` of ``node:port``, as read at ``span``."""
    from archspec.symbolic.expr import sym
    read = Read(node, attr, span, log)
    log.reads.append(read)
    return SizeValue(value, sym(placeholder(node, port, axis)), (read,))


def placeholder(node: str, port: int, axis: int) -> str:
    return f"{node}:{port}:{axis}"


def spec_binop(log: SizeLog, op: str, a: Any, b: Any, span: Span) -> Any:
    """``a op b`` in spec code: arithmetic on read sizes is followed, comparisons logged."""
    from archspec.elaborate.arith import COMPARE, scalar_binop
    log.in_spec = True
    try:
        result = scalar_binop(op, a, b, span)
    finally:
        log.in_spec = False
    if op in COMPARE:
        record_test(log, op, a, b, result, span)
    return result


def record_test(log: SizeLog, op: str, a: Any, b: Any, result: Any, span: Span) -> None:
    """A spec comparison with a read size on either side."""
    if not isinstance(result, bool) or isinstance(a, bool) or isinstance(b, bool) or not (
            isinstance(a, int) and isinstance(b, int)):
        return
    tainted = [v for v in (a, b) if isinstance(v, SizeValue)]
    log.compared.update(id(v) for v in tainted)
    reads = tuple(dict.fromkeys(r for v in tainted for r in v.reads))
    log.tests.append(Test(expr_of(a), op, expr_of(b), result, span, reads))
