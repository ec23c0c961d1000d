"""Sizes that spec code read, computed at run time (docs/symbolic.md, "Dynamic export").

``upsample(size=[in.h, in.w])`` elaborates at the reference size, so its lowering holds
``size=(224, 224)``. Each such value is a SizeValue whose formula names the map it was read
from (``node:port:axis``, archspec/elaborate/sizes.py). Built with ``runtime_sizes`` (a
symbolic network's shapes), a value whose formula depends on the input's size symbols
becomes a :class:`ReadSize`: forward reads the size from that tensor (``t.size(2)``) and
applies the spec's arithmetic, so one module is right at every valid size and
``torch.export`` sees the dynamic size itself. Values that stay constant (a channel count)
keep their int, and a build without ``runtime_sizes`` is unchanged.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Any

from archspec.ir.graph import OpGraph, Ref, nodes
from archspec.ops.registry import Fn
from archspec.symbolic.expr import Symbol
from archspec.symbolic.spec_sizes import Tracing, has_traced, nested, traced_values


@dataclass(frozen=True)
class ReadSize:
    """A size computed in forward: ``expr`` (a SizeExpr) over placeholders
    ``node:port:axis``, each the size of that map's axis (axis 0 = channels)."""

    expr: Any

    def refs(self) -> list[Ref]:
        return [placeholder_ref(name)[0] for name in sorted(self.expr.symbols)]

    def emit(self, em: Any) -> Any:
        """fx nodes computing the size in ``em``'s graph (an Emitter of codegen.py)."""
        def leaf(name: str) -> Any:
            ref, axis = placeholder_ref(name)
            return em.fx.create_node("call_method", "size", (em.value(ref), axis + 1),
                                     name=f"{ref.node}_size{axis + 1}")
        return emit_expr(em.fx, self.expr, leaf)


def placeholder_ref(name: str) -> tuple[Ref, int]:
    node, port, axis = name.rsplit(":", 2)
    return Ref(node, int(port)), int(axis)


def emit_expr(fxg: Any, expr: Any, leaf: Any) -> Any:
    """``const + Σ coeff·atom`` as fx ``operator`` calls; an atom is a placeholder or a
    floor ``⌊num/den⌋`` (emitted as ``//``, exact on ints and SymInts alike)."""
    def call(op: Any, a: Any, b: Any) -> Any:
        return fxg.create_node("call_function", op, (a, b), name="size")

    total = None
    for atom, coeff in expr.terms:
        value = leaf(atom.name) if isinstance(atom, Symbol) else \
            call(operator.floordiv, emit_expr(fxg, atom.num, leaf), atom.den)
        term = value if coeff == 1 else call(operator.mul, value, coeff)
        total = term if total is None else call(operator.add, total, term)
    if total is None:
        return expr.const
    return call(operator.add, total, expr.const) if expr.const else total


def lower_runtime_sizes(graph: OpGraph, lowered: dict[str, Any], shapes: Any) -> list[str]:
    """Replace, in each Fn lowering, the read sizes whose formula in ``shapes`` (a
    NetworkShapes) depends on the size symbols by ReadSize markers. Returns what stays fixed:
    a message per layer whose module's constructor took such a size (it keeps the
    reference's value, so the module is right at the reference's sizes only)."""
    fixed_layers = []
    for n in nodes(graph):
        if n.name not in lowered or not has_traced(n.params):
            continue
        low = lowered[n.name]
        if isinstance(low, Fn):
            args, kwargs = (with_read_sizes(a, shapes) for a in (low.args, low.kwargs))
            if markers((args, kwargs)):
                lowered[n.name] = Fn(unchecked(low.target), args, kwargs)
        elif fixed := [k for k, v in n.params.items()
                       if any(is_dynamic(r, shapes) for r in traced_values(v))]:
            fixed_layers.append(
                f"'{n.name}' ({n.op}, {n.span}) takes {', '.join(fixed)} from a size the spec "
                "read, which depends on the input's size, and its torch module holds the "
                "value as a constant")
    return fixed_layers


def max_unpool2d_to_size(x: Any, indices: Any, kernel_size: Any, stride: Any = None,
                         padding: Any = 0, output_size: Any = None) -> Any:
    """``F.max_unpool2d`` to a given size without its Python check that the size is
    reachable (``default - stride < size < default + stride``): ``check`` proved it for
    every valid size, but torch.export cannot decide it on floor divisions of a dynamic size
    and would refuse the export. The same aten kernel runs."""
    import torch
    return torch.ops.aten.max_unpool2d(x, indices, list(output_size[-2:]))


def unchecked(target: Any) -> Any:
    """The function to call when a size argument is computed in forward: the same kernel
    without Python-level checks that torch.export cannot decide."""
    import torch.nn.functional as F
    return {F.max_unpool2d: max_unpool2d_to_size}.get(target, target)


def reads_dynamic_sizes(graph: OpGraph, shapes: Any) -> list[str]:
    """The nodes whose parameters hold a read size that depends on the size symbols."""
    return [n.name for n in nodes(graph) if has_traced(n.params)
            and any(is_dynamic(v, shapes) for v in traced_values(n.params))]


def is_dynamic(value: Any, shapes: Any) -> bool:
    return not isinstance(Tracing.resolve_expr(value.expr, shapes.shapes), int)


def with_read_sizes(value: Any, shapes: Any) -> Any:
    """``value`` (Fn args: nested tuples, lists, dicts) with dynamic read sizes as
    ReadSize markers."""
    from archspec.elaborate.sizes import SizeValue
    if isinstance(value, SizeValue):
        return ReadSize(value.expr) if is_dynamic(value, shapes) else value
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(with_read_sizes(v, shapes) for v in value)
    if isinstance(value, list):
        return [with_read_sizes(v, shapes) for v in value]
    if isinstance(value, dict):
        return {k: with_read_sizes(v, shapes) for k, v in value.items()}
    return value


def size_refs(low: Any) -> list[Ref]:
    """The maps whose sizes a lowering reads in forward (beyond its inputs)."""
    if not isinstance(low, Fn):
        return []
    return [r for marker in markers((low.args, low.kwargs)) for r in marker.refs()]


def markers(value: Any) -> list[ReadSize]:
    return nested(value, ReadSize)
