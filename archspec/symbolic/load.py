"""``archspec.load(spec, input_shape=(3, "H", "W"))``: a network whose input sizes are symbols.

The spec is elaborated concretely at its declared size (the reference), then the symbolic
pass (symbolic/network.py) turns every shape into a formula and collects the valid set.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from archspec.errors import SpecTypeError
from archspec.ir.graph import Shape
from archspec.source import Span
from archspec.symbolic.expr import sym
from archspec.symbolic.network import NetworkShapes, analyse

InputDims = tuple[int | str, ...]
Loader = Callable[..., Any]  # archspec.api.load, passed in (the api sits above this package)


def has_symbols(shape: Iterable[Any]) -> bool:
    return any(isinstance(d, str) for d in shape)


def caveats(shapes: NetworkShapes) -> list[str]:
    """Where the answer is not unconditional: spec code that reads symbolic sizes."""
    reads = {str(r.span): r for r in shapes.size_reads}
    if not reads:
        return list(shapes.notes)
    where = ", ".join(f"{r.attr} at {span}" for span, r in list(reads.items())[:3])
    more = f" and {len(reads) - 3} more" if len(reads) > 3 else ""
    return [f"the spec reads sizes that depend on {', '.join(shapes.symbols)} "
            f"({where}{more}): this answer holds only at sizes where it takes the same "
            f"branches and values as at {fmt_reference(shapes.reference)}", *shapes.notes]


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


def load_symbolic(load: Loader, args: dict[str, Any], input_shape: InputDims
                  ) -> tuple[Any, NetworkShapes]:
    """The network elaborated at the declared size (the reference) and its symbolic shapes
    (see module docstring); ``args`` are ``load``'s arguments but the input shape."""
    declared_net = load(**args)
    declared = next(iter(declared_net.inputs.values()))
    reference = reference_sizes(input_shape, declared, declared_net)
    concrete = tuple(reference[d] if isinstance(d, str) else d for d in input_shape)
    net = declared_net if concrete == tuple(declared) else load(**args, input_shape=concrete)
    dims = tuple(sym(d) if isinstance(d, str) else d for d in input_shape)
    return net, analyse(net.ir, dims, reference)


def reference_sizes(input_shape: InputDims, declared: Shape, net: Any) -> dict[str, int]:
    """Each symbol's declared size (its first position)."""
    if len(input_shape) != len(declared):
        raise SpecTypeError(f"input shape {list(input_shape)} has {len(input_shape)} dims; the "
                            f"network declares {list(declared)}", net.ir.meta.span)
    reference: dict[str, int] = {}
    for d, size in zip(input_shape, declared):
        if isinstance(d, str):
            check_symbol(d, net.ir.meta.span)
            reference.setdefault(d, size)
    return reference


def check_symbol(name: str, span: Span) -> None:
    if not name.isidentifier():
        raise SpecTypeError(f"a size symbol is a name like H or W, not {name!r}", span)
