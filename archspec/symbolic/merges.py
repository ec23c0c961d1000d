"""Constraints of pointwise merges (add, mul, concat along channels) on one spatial axis.

Operands must agree; a broadcasting op (add, mul) also takes a size-1 operand, so an operand
that can be 1 gives the option ``d = 1`` next to ``d = out`` (an AnyOf). Options that can
never hold (``2·⌊H/16⌋ = 1``) are dropped, which keeps the number of cases small.
"""

from __future__ import annotations

from archspec.symbolic.constraints import AnyOf, Constraint
from archspec.symbolic.dims import Dim, is_symbolic
from archspec.symbolic.validset import ValidSet


def can_be_one(dim: Dim) -> bool:
    if not is_symbolic(dim):
        return dim == 1
    return not ValidSet([Constraint.equal(dim, 1)]).is_empty()


def merge_constraints(dims: list[Dim], broadcasts: bool, origin: object
                      ) -> tuple[Dim, list[Constraint | AnyOf]]:
    """The merged size along one axis and what the operands' sizes must satisfy."""
    if broadcasts:
        dims = [d for d in dims if is_symbolic(d) or d != 1] or [1]
    distinct: list[Dim] = []
    for d in dims:
        if d not in distinct:
            distinct.append(d)
    if len(distinct) == 1:
        return distinct[0], []
    out = chosen_size(distinct, broadcasts)
    items: list[Constraint | AnyOf] = []
    for d in distinct:
        if d is out:
            continue
        same = Constraint.equal(d, out, origin)
        if broadcasts and can_be_one(d):
            items.append(AnyOf(((same,), (Constraint.equal(d, 1, origin),)), origin))
        else:
            items.append(same)
    return out, items


def chosen_size(distinct: list[Dim], broadcasts: bool) -> Dim:
    """The operand that gives the merged size (all agree where valid, so the shortest
    formula); for a broadcasting op one that is never 1, when there is one."""
    pool = [d for d in distinct if not can_be_one(d)] if broadcasts else distinct
    return min(pool or distinct[:1], key=lambda d: len(str(d)))
