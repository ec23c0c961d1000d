"""``archspec.load(spec, input_shape=(3, "H", "W"))``: a network whose input sizes are symbols.

The spec is elaborated concretely at its declared size (the reference), then the symbolic
pass (symbolic/network.py) turns every shape into a formula and collects the valid set.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from archspec.api import Network, load
from archspec.errors import SpecTypeError
from archspec.ir.graph import Shape
from archspec.source import Span
from archspec.symbolic.dims import SymShape, fmt_shape
from archspec.symbolic.expr import sym
from archspec.symbolic.network import NetworkShapes, analyse

InputDims = tuple[int | str, ...]


def has_symbols(shape: Iterable[Any]) -> bool:
    return any(isinstance(d, str) for d in shape)


@dataclass
class SymbolicNetwork(Network):
    """A Network elaborated at a reference size whose shapes are also known as formulas in
    the input's size symbols (``symbolic``). ``outputs``, ``audit()`` and ``build()`` are the
    reference network's; ``at(H=…, W=…)`` loads the concrete network at another size."""

    symbolic: NetworkShapes | None = None
    input_dims: InputDims = ()
    load_args: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def shapes(self) -> NetworkShapes:
        assert self.symbolic is not None
        return self.symbolic

    @property
    def symbolic_outputs(self) -> dict[str, SymShape]:
        """Output name -> shape formula (``[1000]``, ``[2048, ⌊(H - 1)/32⌋ + 1, …]``)."""
        return self.shapes.outputs

    def is_valid(self, **sizes: int) -> bool:
        """Whether the network elaborates at these sizes (every symbol given)."""
        return self.shapes.valid.contains(**sizes)

    def valid_sizes(self, name: str, candidates: Iterable[int], **fixed: int) -> list[int]:
        """The valid values of symbol ``name`` among ``candidates`` (others in ``fixed``)."""
        return self.shapes.valid.values(name, candidates, **fixed)

    def describe_valid(self) -> str:
        """The valid set as a short exact statement ("H, W ≥ 1"), with its caveats."""
        text = self.shapes.valid.describe()
        return "; ".join([text, *self.caveats()])

    def caveats(self) -> list[str]:
        """Where the answer is not unconditional: spec code that reads symbolic sizes."""
        reads = {str(r.span): r for r in self.shapes.size_reads}
        if not reads:
            return list(self.shapes.notes)
        where = ", ".join(f"{r.attr} at {span}" for span, r in list(reads.items())[:3])
        more = f" and {len(reads) - 3} more" if len(reads) > 3 else ""
        return [f"the spec reads sizes that depend on {', '.join(self.shapes.symbols)} "
                f"({where}{more}): this answer holds only at sizes where it takes the same "
                f"branches and values as at {fmt_reference(self.shapes.reference)}",
                *self.shapes.notes]

    def at(self, **sizes: int) -> Network:
        """The concrete network at these sizes: a concrete load (the same SpecError for an
        invalid size)."""
        missing = [s for s in self.shapes.symbols if s not in sizes]
        extra = [s for s in sizes if s not in self.shapes.symbols]
        if missing or extra:
            raise TypeError(f"at() takes the sizes {', '.join(self.shapes.symbols)}; "
                            f"missing {missing}, unknown {extra}")
        shape = tuple(sizes[d] if isinstance(d, str) else d for d in self.input_dims)
        return load(**self.load_args, input_shape=shape)

    def describe_shapes(self) -> list[str]:
        return [f"{name} {fmt_shape(shape)}" for name, shape in self.symbolic_outputs.items()]


def fmt_reference(reference: dict[str, int]) -> str:
    return ", ".join(f"{k} = {v}" for k, v in sorted(reference.items()))


def load_symbolic(spec: Any, network: str | None, input_shape: InputDims,
                  load_args: dict[str, Any]) -> SymbolicNetwork:
    """Elaborate at the declared size, then run the symbolic pass (see module docstring)."""
    args = {"spec": spec, "network": network, **load_args}
    declared_net = load(**args)
    declared = next(iter(declared_net.inputs.values()))
    reference = reference_sizes(input_shape, declared, declared_net)
    concrete = tuple(reference[d] if isinstance(d, str) else d for d in input_shape)
    net = declared_net if concrete == tuple(declared) else load(**args, input_shape=concrete)
    dims = tuple(sym(d) if isinstance(d, str) else d for d in input_shape)
    shapes = analyse(net.ir, dims, reference)
    return SymbolicNetwork(net.ir, net.source, net.warnings, symbolic=shapes,
                           input_dims=tuple(input_shape), load_args=args)


def reference_sizes(input_shape: InputDims, declared: Shape, net: Network) -> dict[str, int]:
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
