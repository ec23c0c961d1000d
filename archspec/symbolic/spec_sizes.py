"""Sizes read by spec code, followed symbolically (archspec/elaborate/sizes.py).

A read value in a primitive's parameters that its geometry rule takes as a size (an
upsample's ``size``, an adaptive pool's bins, max_unpool's ``output_size``) becomes the
formula of the map it was read from. A comparison in spec code (``if in.h > 7``) becomes a
Constraint in the direction it took at the reference; the loader decides it from the
valid set or splits the answer into cases (symbolic/load.py). A read used any other way
(a channel count, a float division, a loop bound) is *opaque*: the answer holds only where
the spec takes the same values, and says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from archspec.ops.geometry import Adaptive, Scale, Transposed
from archspec.symbolic.constraints import Constraint
from archspec.symbolic.dims import Dim, normal
from archspec.symbolic.expr import SizeExpr, as_expr

SIZE_FIELDS = {Scale: "size", Adaptive: "bins", Transposed: "extra"}


@dataclass
class Tracing:
    """The pass's view of the SizeLog: formulas of placeholders, what was followed."""

    log: Any  # elaborate.sizes.SizeLog
    followed: set[int] = field(default_factory=set)  # ids of values a geometry rule took
    opaque: set[int] = field(default_factory=set)    # ids of Reads used in unfollowed ways
    constraints: list[Any] = field(default_factory=list)  # bounds of followed sizes

    def resolve(self, value: Any, shapes: dict[tuple[str, int], Any]) -> Dim:
        """A read value's formula in the input's symbols."""
        return self.resolve_expr(value.expr, shapes)

    @staticmethod
    def resolve_expr(expr: Any, shapes: dict[tuple[str, int], Any]) -> Dim:
        expr = as_expr(expr)
        env = {}
        for name in expr.symbols:
            node, port, axis = name.rsplit(":", 2)
            env[name] = shapes[(node, int(port))][int(axis)]
        return normal(expr.subs(env))

    def geometry(self, node: Any, rules: tuple, shapes: dict, reference: dict[str, int]
                 ) -> tuple:
        """``rules`` with read sizes as formulas; a read value in ``node``'s parameters that
        no rule takes as a size makes its reads opaque."""
        from archspec.elaborate.sizes import SizeValue
        taken: list[Any] = []
        out = []
        dims = input_dims(node, shapes)
        for axis, rule in enumerate(rules):
            name = SIZE_FIELDS.get(type(rule))
            value = getattr(rule, name) if name else None
            if isinstance(value, SizeValue):
                taken.append(value)
                size = self.resolve(value, shapes)
                if isinstance(rule, Transposed) and is_parameter(value, node.params):
                    size = self.output_padding(rule, size, node)
                elif isinstance(rule, Transposed):
                    size = self.unpool_extra(rule, size, dims[axis], reference, node)
                rule = rule._replace(**{name: size})  # rules are named tuples
            out.append(rule)
        self.check_params(node.params, taken)
        return tuple(out)

    def output_padding(self, rule: Transposed, extra: Dim, node: Any) -> Dim:
        """A read size that is the extra itself (conv_transpose's ``output_padding``), within
        the shape rule's bound ``0 ≤ extra < stride``."""
        from archspec.symbolic.constraints import Origin
        if not isinstance(extra, int):
            origin = Origin(node.name, node.span)
            self.constraints += [Constraint.at_least(extra, 0, origin),
                                 Constraint.at_most(extra, rule.window.stride - 1, origin)]
        return extra

    def unpool_extra(self, rule: Transposed, extra: Dim, n: Dim, reference: dict[str, int],
                     node: Any) -> Dim:
        """A transposed window's chosen size (max_unpool's ``output_size``) was taken
        relative to its default size at the reference: relative to the symbolic default
        instead, within torch's bound ``|extra| < stride``."""
        from archspec.symbolic.constraints import Origin
        at_reference = n if isinstance(n, int) else as_expr(n).evaluate(reference)
        extra = normal(as_expr(extra) + default_size(rule, at_reference) - default_size(rule, n))
        if not isinstance(extra, int):
            origin = Origin(node.name, node.span)
            stride = rule.window.stride
            self.constraints += [Constraint.at_least(extra, 1 - stride, origin),
                                 Constraint.at_most(extra, stride - 1, origin)]
        return extra

    def check_params(self, params: dict[str, Any], taken: list[Any]) -> None:
        allowed = {id(v) for v in ancestors(taken)}
        for value in traced_values(params):
            if id(value) in allowed:
                self.followed.add(id(value))
            else:
                self.opaque.update(id(r) for r in value.reads)

    def opaque_reads(self, shapes: dict) -> list[Any]:
        """Reads with a use that was not followed (symbolic formulas only)."""
        found = []
        for read in self.log.reads:
            if id(read) in self.opaque or any(self.unfollowed(v, shapes) for v in read.values):
                found.append(read)
        return found

    def unfollowed(self, value: Any, shapes: dict) -> bool:
        if value.derived or id(value) in self.followed or id(value) in self.log.compared:
            return False
        return not isinstance(self.resolve(value, shapes), int)


def is_parameter(value: Any, params: dict[str, Any]) -> bool:
    """Whether ``value`` is one of the parameters' values (not computed from one by the
    geometry rule, as max_unpool's extra is from its ``output_size``)."""
    return any(v is value for v in traced_values(params))


def input_dims(node: Any, shapes: dict) -> tuple:
    first = node.inputs[0] if node.inputs else None
    shape = shapes.get((first.node, first.port), ()) if first else ()
    return tuple(shape[1:]) + (None, None)


def default_size(rule: Transposed, n: Any) -> Any:
    w = rule.window
    return (n - 1) * w.stride - w.pad_lo - w.pad_hi + w.extent


def ancestors(values: list[Any]) -> list[Any]:
    found, stack = [], list(values)
    while stack:
        v = stack.pop()
        found.append(v)
        stack.extend(getattr(v, "parents", ()))
    return found


def traced_values(value: Any) -> list[Any]:
    """The SizeValues inside a parameter value (nested lists, tuples, dicts)."""
    from archspec.elaborate.sizes import SizeValue
    return nested(value, SizeValue)


def nested(value: Any, kind: type) -> list[Any]:
    """The instances of ``kind`` inside ``value`` (nested lists, tuples, dicts)."""
    if isinstance(value, kind):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return [v for item in value for v in nested(item, kind)]
    return []


def has_traced(params: dict[str, Any]) -> bool:
    return bool(traced_values(params))


@dataclass(frozen=True)
class SizeTest:
    """A spec comparison on sizes: ``taken`` held at the reference (``if in.h > 7`` taken:
    ``h ≥ 8``), ``other`` is its complement; ``text`` the comparison in formulas."""

    taken: Any      # Constraint or AnyOf
    other: Any
    text: str
    where: Any


def size_tests(tracing: Tracing, shapes: dict) -> list[SizeTest]:
    """Each spec comparison whose sides have symbolic formulas, as the constraint it
    satisfied at the reference and its complement."""
    found = []
    for test in tracing.log.tests:
        left, right = (tracing.resolve_expr(side, shapes) if isinstance(side, SizeExpr)
                       else int(side) for side in (test.left, test.right))
        if isinstance(left, int) and isinstance(right, int):
            continue
        taken, other = constraints(left, test.op, right, test.result, test.span)
        found.append(SizeTest(taken, other, f"{left} {test.op} {right}", test.span))
    return found


def constraints(left: Dim, op: str, right: Dim, result: bool, where: Any) -> tuple[Any, Any]:
    """``left op right`` if it held, else its negation, and the complement of that."""
    from archspec.symbolic.constraints import Origin
    from archspec.symbolic.validset import negation
    origin = Origin("spec code", where)
    if op in ("==", "!="):
        equal = Constraint.equal(left, right, origin)
        return (equal, negation(equal)) if (op == "==") == result else (negation(equal), equal)
    strict = op in (">", "<")
    greater = op in (">", ">=")
    if not result:  # the comparison failed: the opposite one held
        greater, strict = not greater, not strict
    big, small = (left, right) if greater else (right, left)
    taken = Constraint.at_least(big, as_expr(small) + (1 if strict else 0), origin)
    return taken, negation(taken)
