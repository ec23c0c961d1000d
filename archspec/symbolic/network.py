"""The symbolic-size pass: an elaborated network's shapes as formulas in its input sizes.

Given the concrete graph of a network elaborated at a reference size and which input axes
are symbols, every node's shape is propagated through its primitive's geometry rule
(ops/geometry.py): channels stay concrete, spatial sizes become SizeExprs, a global pool ends
the dependence, a flatten gives a SizeProduct. The constraints that keep every map valid
(each window's output ≥ 1, merge operands equal) make the ValidSet. Every formula is checked
against the concrete shape at the reference size: a mismatch is a bug (docs/symbolic.md,
"Networks").
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from fractions import Fraction

from archspec.ir.graph import OpGraph, OpNode, Shape, input_shapes, topo_nodes
from archspec.ops.geometry import Adaptive, AxisRule, Keep, Mix, Scale, Transposed, Window
from archspec.ops.registry import get
from archspec.source import Span
from archspec.symbolic import cases
from archspec.symbolic.constraints import AnyOf, Constraint, Origin
from archspec.symbolic.dims import (
    Dim,
    SizeProduct,
    SymShape,
    evaluate_shape,
    is_symbolic,
    normal,
    shape_is_symbolic,
)
from archspec.symbolic.expr import SizeExpr, as_expr
from archspec.symbolic.geometry import window_out
from archspec.symbolic.merges import merge_constraints
from archspec.symbolic.mixing import needs_fixed_size, probe_output
from archspec.symbolic.spec_sizes import SIZE_FIELDS, SizeTest, Tracing, has_traced, size_tests
from archspec.symbolic.validset import ValidSet

Item = Constraint | AnyOf


@dataclass(frozen=True)
class SizeRead:
    """Spec code read a size (``x.h``, ``x.shape``) of a map that depends on the symbols."""

    node: str
    attr: str
    span: Span


@dataclass
class NetworkShapes:
    """Every node's shape as formulas, the constraints and the valid set."""

    symbols: tuple[str, ...]
    reference: dict[str, int]
    shapes: dict[tuple[str, int], SymShape]
    outputs: dict[str, SymShape]
    constraints: list[Item]
    valid: ValidSet
    size_reads: list[SizeRead] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tests: list[SizeTest] = field(default_factory=list)  # spec code comparing sizes
    branch_conditions: list[Item] = field(default_factory=list)  # undecided outcomes kept

    def shape(self, name: str, port: int = 0) -> SymShape:
        return self.shapes[(name, port)]


class Propagation:
    """The pass's state: symbolic shapes so far and the constraints found."""

    def __init__(self, graph: OpGraph, reference: dict[str, int]) -> None:
        self.graph = graph
        self.reference = reference
        self.shapes: dict[tuple[str, int], SymShape] = {}
        self.constraints: list[Item] = []
        self._seen: set = set()
        self.axis_memo: dict[tuple[AxisRule, SizeExpr], Dim] = {}
        log = graph.meta.size_log
        self.tracing = Tracing(log) if log is not None and log.reads else None

    def require(self, item: Item) -> None:
        key = (item.kind, item.lhs, item.rhs) if isinstance(item, Constraint) else str(item)
        if key not in self._seen:
            self._seen.add(key)
            self.constraints.append(item)

    def at_least(self, size: Dim, origin: Origin) -> None:
        if is_symbolic(size):
            self.require(Constraint.at_least(size, 1, origin))


def analyse(graph: OpGraph, input_shape: SymShape, reference: dict[str, int],
            bounds: list[Item] = ()) -> NetworkShapes:  # type: ignore[assignment]
    """The symbolic shapes of ``graph`` (elaborated at ``reference``) when its first input
    has ``input_shape``; raises SpecTypeError where a size does not follow from a rule.
    ``bounds`` (the spec's `where` clause) join the constraints first."""
    with no_cyclic_gc():
        return propagate(graph, input_shape, reference, bounds)


@contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """The pass allocates many small acyclic objects (shapes, formulas): with the cyclic
    collector on, its full collections made a 30,000-layer chain 6.6x slower than a
    10,000-layer one instead of 3x (bench/symbolic_network.py --chain)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def propagate(graph: OpGraph, input_shape: SymShape, reference: dict[str, int],
              bounds: list[Item]) -> NetworkShapes:
    state = Propagation(graph, reference)
    state.constraints.extend(bounds)
    first = graph.meta.inputs[0]
    for n in topo_nodes(graph):
        if n.name == first:
            shapes = {0: tuple(normal(as_expr(d)) if isinstance(d, SizeExpr) else d
                               for d in input_shape)}
        else:
            shapes = node_shapes(state, n)
        for port, shape in shapes.items():
            check_reference(n, port, shape, reference)
            state.shapes[(n.name, port)] = shape
    symbols = tuple(sorted(reference))
    outputs = {name: state.shapes[(o.node.node, o.node.port)]
               for name, o in graph.meta.outputs.items()}
    valid, notes = valid_set(state.constraints, symbols)
    result = NetworkShapes(symbols, reference, state.shapes, outputs, state.constraints, valid,
                           notes=notes)
    result.size_reads = symbolic_reads(graph, state)
    if state.tracing is not None:
        result.tests = size_tests(state.tracing, state.shapes)
    if not valid.contains(**reference):
        raise AssertionError(f"the reference size {reference} fails {valid.failing(**reference)}")
    return result


def valid_set(constraints: list[Item], symbols: tuple[str, ...]) -> tuple[ValidSet, list[str]]:
    """The ValidSet; past the case limit, broadcasting alternatives are dropped (noted)."""
    try:
        return ValidSet(constraints, symbols), []
    except ValueError:
        strict = [c.options[0][0] if isinstance(c, AnyOf) else c for c in constraints]
        note = (f"more than {cases.MAX_CASES} cases of broadcast merges: merge operands are "
                "taken to be equal (a size-1 map that torch would broadcast counts as invalid)")
        return ValidSet(strict, symbols), [note]


def check_reference(n: OpNode, port: int, shape: SymShape, reference: dict[str, int]) -> None:
    concrete = tuple(n.port_shape(port))
    if evaluate_shape(shape, reference) != concrete:
        raise AssertionError(f"symbolic shape of {n.name}:{port} ({shape}) is "
                             f"{evaluate_shape(shape, reference)} at {reference}, "
                             f"concretely {concrete}")


def symbolic_reads(graph: OpGraph, state: Propagation) -> list[SizeRead]:
    """Reads of symbolic sizes the pass could not follow (spec_sizes.py): ``numel``, and
    ``h``/``w``/``shape`` values used other than as a size or in a comparison."""
    found = []
    for node_name, attr, span in graph.meta.size_reads:
        shape = state.shapes.get((node_name, 0), ())
        if attr == "numel" and any(is_symbolic(d) for d in shape):
            found.append(SizeRead(node_name, attr, span))
    if state.tracing is not None:
        found += [SizeRead(r.node, r.attr, r.span)
                  for r in state.tracing.opaque_reads(state.shapes)]
    return found


def node_shapes(state: Propagation, n: OpNode) -> dict[int, SymShape]:
    ins = [state.shapes[(r.node, r.port)] for r in n.inputs]
    traced = state.tracing is not None and has_traced(n.params)
    if not any(shape_is_symbolic(s) for s in ins) and not traced:
        return concrete_ports(n)
    prim = get(n.op)
    concrete_ins = input_shapes(state.graph, n)
    geometry = prim.geometry(n.params, concrete_ins[0] if concrete_ins else None)
    if traced:  # sizes read by spec code (spec_sizes.py)
        geometry = state.tracing.geometry(n, geometry or (), state.shapes,
                                          state.reference) or None
        while state.tracing.constraints:
            state.require(state.tracing.constraints.pop(0))
    origin = Origin(n.name, n.span)
    if geometry is not None and all(isinstance(g, Keep) for g in geometry) \
            and tuple(n.shape) == tuple(concrete_ins[0]) and len(ins) == 1:
        return {port: ins[0] for port in ports(n)}  # pointwise, whatever the layout
    channels_first = bool(ins) and len(ins[0]) == 3 and not is_symbolic(ins[0][0])
    if geometry is not None and channels_first and \
            spatial_rule_applies(geometry, concrete_ins, n):
        return spatial_shapes(state, n, ins, geometry, origin)
    return probe_output(n, ins, state.reference)  # mixes positions: global pool, flatten


def ports(n: OpNode) -> list[int]:
    return [0, *sorted(n.port_shapes)]


def concrete_ports(n: OpNode) -> dict[int, SymShape]:
    return {port: tuple(n.port_shape(port)) for port in ports(n)}


def spatial_rule_applies(geometry: tuple, ins: list[Shape], n: OpNode) -> bool:
    """The rule maps (H, W) of a C×H×W input to (H, W) of a C'×H'×W' output."""
    if any(isinstance(g, Mix) for g in geometry) or not ins or len(ins[0]) != 3:
        return False
    return all(len(n.port_shape(p)) == 3 for p in ports(n))


def spatial_shapes(state: Propagation, n: OpNode, ins: list[SymShape], geometry: tuple,
                   origin: Origin) -> dict[int, SymShape]:
    concrete = n.port_shape(0)[1:]
    sizes = [axis_out(state, rule, dim, origin, n, out)
             for rule, dim, out in zip(geometry, ins[0][1:], concrete)]
    if len(ins) > 1:
        sizes = merge_spatial(state, n, ins, sizes, geometry, origin)
    return {port: (n.port_shape(port)[0], *sizes) for port in ports(n)}


def merge_spatial(state: Propagation, n: OpNode, ins: list[SymShape], sizes: list[Dim],
                  geometry: tuple, origin: Origin) -> list[Dim]:
    """Operands of a pointwise merge agree (or broadcast a size 1); the other operands of a
    windowed op (max_unpool's indices) have the primary's size."""
    others = [s for s in ins[1:] if len(s) == 3]
    if not all(isinstance(g, Keep) for g in geometry):
        for other in others:
            for mine, theirs in zip(operand_sizes(state, n, ins[0][1:], sizes, other), other[1:]):
                if mine != theirs:
                    state.require(Constraint.equal(mine, theirs, origin))
        return sizes
    merged = []
    broadcasts = accepts_size_one(n, input_shapes(state.graph, n))
    for axis in (1, 2):
        dims = [s[axis] for s in [ins[0], *others]]
        out, items = merge_constraints(dims, broadcasts, origin)
        for item in items:
            state.require(item)
        merged.append(out)
    return merged


def operand_sizes(state: Propagation, n: OpNode, inputs: SymShape, outputs: list[Dim],
                  other: SymShape) -> SymShape:
    """What a second operand of a windowed op must match: the output's size (a deformable
    conv's offsets) or the input's (max_unpool's indices), whichever it is at the reference."""
    at_reference = evaluate_shape(other[1:], state.reference)
    for candidate in (tuple(outputs), tuple(inputs)):
        if evaluate_shape(candidate, state.reference) == at_reference:
            return candidate
    raise needs_fixed_size(n, "its operands' sizes")


def accepts_size_one(n: OpNode, concrete: list[Shape]) -> bool:
    """Whether the op broadcasts: its shape rule accepts a second operand of size 1 × 1."""
    from archspec.errors import SpecError
    probe = [tuple(concrete[0]), *[(s[0], 1, 1) if len(s) == 3 else s for s in concrete[1:]]]
    try:
        get(n.op).infer(n.params, probe)
    except SpecError:
        return False
    return True


def axis_out(state: Propagation, rule: AxisRule, dim: Dim, origin: Origin, n: OpNode,
             concrete: int) -> Dim:
    """The output size on one axis; ``concrete``, the reference's, when nothing symbolic
    reaches the axis (``--input 3xHx32``: W is the same at every H)."""
    if not is_symbolic(dim):
        field_name = SIZE_FIELDS.get(type(rule))
        size = getattr(rule, field_name) if field_name else None
        return normal(symbolic_axis(rule, dim)) if is_symbolic(size) else concrete
    if isinstance(dim, SizeProduct):
        raise needs_fixed_size(n, "a flattened map")
    key = (rule, dim)
    if key in state.axis_memo:  # its constraints are already there (the earliest origin)
        return state.axis_memo[key]
    out = symbolic_axis(rule, dim)
    if out is None:
        raise needs_fixed_size(n, "its resampling factor")
    out = normal(out)
    state.at_least(out, origin)
    if isinstance(rule, Window) and rule.ceil_mode:  # ceil mode: out ≥ 1 is not enough
        state.require(Constraint.at_least(dim + rule.pad_lo + rule.pad_hi, rule.extent, origin))
    state.axis_memo[key] = out
    return out


def symbolic_axis(rule: AxisRule, n: SizeExpr) -> Dim | None:
    if isinstance(rule, Window):
        return window_out(n, rule.kernel, rule.stride, rule.pad_lo, rule.pad_hi,
                          rule.dilation, rule.ceil_mode)
    if isinstance(rule, Transposed):
        w = rule.window
        return (n - 1) * w.stride - w.pad_lo - w.pad_hi + w.extent + rule.extra
    if isinstance(rule, Scale):
        return rule.size if rule.size is not None else scaled(n, rule.factor)
    if isinstance(rule, Adaptive):
        return rule.bins
    return n


def scaled(n: SizeExpr, factor: float) -> SizeExpr | None:
    """⌊n·factor⌋ exactly, for a factor with a small exact denominator (2.0, 0.5, 1.5)."""
    exact = Fraction(factor)
    if exact.denominator > 64:
        return None
    return (n * exact.numerator) // exact.denominator
