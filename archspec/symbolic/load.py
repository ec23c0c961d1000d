"""``archspec.load(spec, input_shape=(3, "H", "W"))``: a network whose input sizes are symbols.

The spec is elaborated concretely at its declared size (the reference), then the symbolic
pass (symbolic/network.py) turns every shape into a formula and collects the valid set.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from archspec.errors import Note, SpecError, SpecErrors, SpecTypeError
from archspec.ir.graph import Shape
from archspec.source import Span
from archspec.symbolic.branches import fmt_condition, restrict_to_outcomes, split_cases
from archspec.symbolic.constraints import Constraint
from archspec.symbolic.expr import sym
from archspec.symbolic.network import NetworkShapes, analyse
from archspec.symbolic.validset import ValidSet

InputDims = tuple[int | str, ...]
Loader = Callable[..., Any]  # archspec.api.load, passed in (the api sits above this package)


def has_symbols(shape: Iterable[Any]) -> bool:
    return any(isinstance(d, str) for d in shape)


def caveats(shapes: NetworkShapes, decided: bool = True) -> list[str]:
    """Where the answer is not unconditional: spec code that reads symbolic sizes (and, with
    ``decided``, its size comparisons that the sizes in question decide)."""
    notes = [*(decided_notes(shapes) if decided else []), *shapes.notes]
    reads = {str(r.span): r for r in shapes.size_reads}
    if not reads:
        return notes
    where = ", ".join(f"{r.attr} at {span}" for span, r in list(reads.items())[:3])
    more = f" and {len(reads) - 3} more" if len(reads) > 3 else ""
    return [f"the spec reads sizes that depend on {', '.join(shapes.symbols)} "
            f"({where}{more}): this answer holds only at sizes where it takes the same "
            f"branches and values as at {fmt_reference(shapes.reference)}", *notes]


def decided_notes(shapes: NetworkShapes) -> list[str]:
    """Spec comparisons on sizes that hold at every size in question (no case split)."""
    kept = {id(c) for c in shapes.branch_conditions}
    return [f"spec code compares sizes at {t.where}: {fmt_condition(t.taken)} at every size "
            "in question (decided, no cases)" for t in shapes.tests if id(t.taken) not in kept]


def concrete_input(input_dims: InputDims, symbols: tuple[str, ...],
                   sizes: dict[str, int]) -> tuple[int, ...]:
    """The input shape at ``sizes`` (every symbol, nothing else)."""
    missing = [s for s in symbols if s not in sizes]
    extra = [s for s in sizes if s not in symbols]
    if missing or extra:
        raise TypeError(f"at() takes the sizes {', '.join(symbols)}; "
                        f"missing {missing}, unknown {extra}")
    return tuple(sizes[d] if isinstance(d, str) else d for d in input_dims)


def fmt_reference(reference: dict[str, int]) -> str:
    return ", ".join(f"{k} = {v}" for k, v in sorted(reference.items()))


def load_symbolic(load: Loader, args: dict[str, Any], input_shape: InputDims | None,
                  written: Any = None) -> tuple[Any, NetworkShapes, InputDims, list[Any]]:
    """The network elaborated at a reference size, its symbolic shapes (see module
    docstring), its input dims and the cases of spec code branching on sizes
    (symbolic/branches.py; [] when it does not); ``args`` are ``load``'s arguments but
    the input shape; ``written``: the elaborator's SymbolicInput when the caller has it.
    ``input_shape`` None: the sizes the spec writes (``input x: [3, H, W] where ...``)."""
    from archspec.elaborate.symbols import SymbolicInput
    declared_net = None
    if written is None:
        try:
            declared_net = load(**args)
        except SymbolicInput as found:
            written = found
    if input_shape is None:
        if written is None:
            raise TypeError("load_symbolic: the spec declares no size symbols")
        input_shape = tuple(written.dims)
    bounds = spec_bounds(written, input_shape)
    if declared_net is not None:
        declared = next(iter(declared_net.inputs.values()))
        reference = reference_sizes(input_shape, declared, declared_net)
        net = at_reference(load, args, input_shape, reference, declared_net)
    else:
        net, reference = first_reference(load, args, input_shape, bounds, written)
    dims = tuple(sym(d) if isinstance(d, str) else d for d in input_shape)
    shapes = analyse(net.ir, dims, reference, bounds)

    def analyse_at(sizes: dict[str, int], case_bounds: list[Any]) -> tuple[Any, NetworkShapes]:
        other = load(**args, input_shape=concrete_input(input_shape, tuple(sizes), sizes))
        return other, analyse(other.ir, dims, sizes, case_bounds)
    cases = split_cases(net, shapes, bounds, analyse_at) if shapes.tests else []
    return net, shapes, input_shape, cases if len(cases) > 1 else []


def at_reference(load: Loader, args: dict[str, Any], input_shape: InputDims,
                 reference: dict[str, int], declared_net: Any) -> Any:
    concrete = concrete_input(input_shape, tuple(reference), reference)
    declared = tuple(next(iter(declared_net.inputs.values())))
    return declared_net if concrete == declared else load(**args, input_shape=concrete)


def spec_bounds(written: Any, input_shape: InputDims) -> list[Any]:
    """The spec's bounds in the symbols of ``input_shape`` (matched by position: a spec
    ``[3, H, W]`` loaded with ``(3, "S", "S")`` bounds S twice)."""
    if written is None or not written.bounds:
        return []
    rename: dict[str, Any] = {}
    for spec_dim, dim in zip(written.dims, input_shape):
        if isinstance(spec_dim, str):
            rename.setdefault(spec_dim, sym(dim) if isinstance(dim, str) else dim)
    return [Constraint(c.lhs.subs(rename), c.rhs.subs(rename), c.kind, c.origin)
            for c in written.bounds]


def load_written(load: Loader, args: dict[str, Any], written: Any) -> tuple[Any, NetworkShapes]:
    """A spec whose input writes size symbols (``written``, the elaborator's SymbolicInput):
    the network at a reference size and its symbolic shapes; the LSP's entry point."""
    dims = tuple(written.dims)
    net, reference = first_reference(load, args, dims, written.bounds, written)
    symbolic = tuple(sym(d) if isinstance(d, str) else d for d in dims)
    shapes = analyse(net.ir, symbolic, reference, written.bounds)
    if shapes.tests:  # the reference's case: its outcomes become conditions
        restrict_to_outcomes(shapes, written.bounds, [])
    return net, shapes


REFERENCE_SIZES = (224, 256, 299, 320, 384, 448, 512, 640, 800, 1024)


def first_reference(load: Loader, args: dict[str, Any], input_shape: InputDims,
                    bounds: list[Any], written: Any) -> tuple[Any, dict[str, int]]:
    """A spec that writes only symbols is elaborated at the first of REFERENCE_SIZES (every
    symbol the same) within its bounds where it elaborates; if none, or when two sizes fail
    alike (an error that does not depend on the size: the editor re-checks on every key),
    the first one's error is raised, with a hint to give a size."""
    symbols = tuple(dict.fromkeys(d for d in input_shape if isinstance(d, str)))
    inside = ValidSet(bounds, symbols)
    first_error = None
    for reference in candidate_points(inside, symbols):
        try:
            return load(**args, input_shape=concrete_input(input_shape, symbols,
                                                           reference)), reference
        except SpecError as err:
            if first_error is not None and same_error(err, first_error):
                break
            first_error = first_error or err
    if first_error is None:
        raise SpecTypeError(f"the bounds of input '{written.name}' leave no size",
                            written.span, hint="check the `where` bounds")
    note = Note(f"input '{written.name}' has size symbols: it was checked at the reference "
                f"size {fmt_reference(reference_tried(inside, symbols))}; give a size it takes "
                "(--input with numbers, load(input_shape=...))", written.span)
    (first_error.errors[0] if isinstance(first_error, SpecErrors) else first_error
     ).notes.append(note)
    raise first_error


def same_error(a: SpecError, b: SpecError) -> bool:
    return (a.message, str(a.span)) == (b.message, str(b.span))


def reference_tried(inside: Any, symbols: tuple[str, ...]) -> dict[str, int]:
    return candidate_points(inside, symbols)[0]


def candidate_points(inside: Any, symbols: tuple[str, ...]) -> list[dict[str, int]]:
    """REFERENCE_SIZES within the bounds (every symbol the same size), then the first
    symbol's least size from 224 and its greatest below 224; when bounds leave no size that
    every symbol shares (``H <= 64, W >= 256``, ``H == 2 * W``), one point chosen symbol
    by symbol."""
    sizes = list(REFERENCE_SIZES)
    if symbols and inside.is_independent(symbols[0]):
        sizes += inside.values(symbols[0], range(224, 4097))[:1]
        sizes += inside.values(symbols[0], range(1, 224))[-1:]
    points = [{s: n for s in symbols} for n in dict.fromkeys(sizes)]
    points = [p for p in points if inside.contains(**p)]
    if not points:
        points += [p for p in [point_by_symbol(inside, symbols, {})] if p is not None]
    return points


POINT_TRIES = 64  # sizes tried per symbol when one is tied to a later one


def point_by_symbol(inside: Any, symbols: tuple[str, ...], point: dict[str, int]
                    ) -> dict[str, int] | None:
    if len(point) == len(symbols):
        return point if inside.contains(**point) else None
    name = symbols[len(point)]
    for size in preferred_sizes(inside, name, point)[:POINT_TRIES]:
        found = point_by_symbol(inside, symbols, {**point, name: size})
        if found is not None:
            return found
    return None


def preferred_sizes(inside: Any, name: str, fixed: dict[str, int]) -> list[int]:
    """``name``'s valid sizes from 224 up, then below 224 down, else (bounds past 4096) its
    least; every size in that order while it is tied to a symbol not fixed yet."""
    try:
        found = (inside.values(name, range(224, 4097), **fixed)
                 + inside.values(name, range(1, 224), **fixed)[::-1])
    except ValueError:
        return [*range(224, 4097), *range(223, 0, -1)]
    least = inside.minimum(name) if not found and inside.is_independent(name) else None
    return found + ([least] if least is not None else [])


def reference_sizes(input_shape: InputDims, declared: Shape, net: Any) -> dict[str, int]:
    """Each symbol's declared size (its first position)."""
    if len(input_shape) != len(declared):
        first = net.ir.meta.inputs[0]
        given = "x".join(map(str, input_shape))
        raise SpecTypeError(f"the input shape {given} has {len(input_shape)} dimensions; input "
                            f"'{first}' declares {len(declared)}: {list(declared)}",
                            net.ir.nodes[first]["data"].span, hint=f"give {len(declared)} "
                            "sizes, e.g. " + "x".join(map(str, declared)))
    reference: dict[str, int] = {}
    for d, size in zip(input_shape, declared):
        if isinstance(d, str):
            check_symbol(d, net.ir.meta.span)
            reference.setdefault(d, size)
    return reference


def check_symbol(name: str, span: Span) -> None:
    if not name.isidentifier():
        raise SpecTypeError(f"a size symbol is a name like H or W, not {name!r}", span)
