"""Receptive fields from the graph alone: per node and spatial axis (H, W), the field size in
input pixels, the effective stride (``jump``) and the centre of the first output unit
(``start``, in input pixel coordinates where pixel ``i`` is centred at ``i``).

Every op's geometry comes from its primitive's declared rule (``archspec/ops/geometry.py``);
this pass never looks at op or parameter names. Rules (Araujo et al. 2019, "Computing
receptive fields of convolutional neural networks"):

- :class:`Window` (conv, deform_conv — nominal, offsets ignored —, pools, pad, slice): with
  ``k' = d·(k−1)+1``: ``size += (k'−1)·jump``, ``start += ((k'−1)/2 − pad)·jump``,
  ``jump *= stride``;
- :class:`Transposed` (conv_transpose, max-unpool) and :class:`Scale` (upsampling):
  ``jump /= factor``; each output sees ``ceil(k'/s)`` input units, or ``taps`` (nominal);
- :class:`Adaptive`: bins of torch's adaptive pooling; one bin is global pooling;
- :class:`Mix` and any change of rank: the output depends on the whole input (``global_``)
  and loses its spatial geometry (``spatial`` false). After pooling (``Mix(pooled=True)``),
  ``size`` keeps the field of one pooled unit (the output is a bag of local features: what
  the coverage lint checks); after flatten/reshape/dense layers, which keep positions apart,
  ``size`` is the union of all positions' fields;
- merges (add, concat, mul, ...): the largest field wins; operands with different ``jump`` or
  ``start`` mark the node ``misaligned``. A broadcast (non-spatial) operand such as an SE gate
  only sets ``global_``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from archspec.ir.graph import OpNode, Shape
from archspec.ops.geometry import Adaptive, AxisRule, Keep, Mix, Scale, Transposed, Window
from archspec.ops.registry import get

if TYPE_CHECKING:
    from archspec.ir.graph import Graph

EPS = 1e-9
Pair = tuple[float, float]


@dataclass(frozen=True, slots=True)
class RF:
    """Receptive field of one node's output unit, per spatial axis (H, W)."""

    size: Pair
    jump: Pair = (1.0, 1.0)
    start: Pair = (0.0, 0.0)
    spatial: bool = True      # size/jump/start describe a spatial map
    global_: bool = False     # some path into this node aggregated the whole input
    misaligned: bool = False  # operands of this merge had different jump or start
    why: str = ""             # how they differed ('stride 16 vs 32')

    def describe(self) -> str:
        """``427×427``, with ``(global)`` when the output sees the whole input."""
        text = "×".join(fmt_num(s) for s in self.size)
        return text + " (global)" if self.global_ else text


ORIGIN = RF((1.0, 1.0))
NON_SPATIAL = RF((1.0, 1.0), spatial=False)


def fmt_num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.2f}".rstrip("0")


def op_table(graph: Graph) -> dict[str, OpNode]:
    """``name -> OpNode`` in insertion (topological) order: one pass, then plain dict lookups
    (networkx's node views cost a function call per lookup)."""
    return {name: a["data"] for name, a in graph.nodes(data=True)}


def in_shapes(ops: dict[str, OpNode], n: OpNode) -> list[Shape]:
    return [ops[r.node].port_shape(r.port) for r in n.inputs]


def receptive_field(graph: Graph) -> Graph:
    """Write ``graph.nodes[n]['rf']`` (an :class:`RF`, or None for nodes that depend on no
    input, e.g. constants) for every node, in one pass in insertion (topological) order."""
    ops = op_table(graph)
    out: dict[str, RF | None] = {}
    for name, n in ops.items():
        out[name] = node_rf(n, [out[r.node] for r in n.inputs], in_shapes(ops, n))
    for name, a in graph.nodes(data=True):
        a["rf"] = out[name]
    return graph


def node_rf(n: OpNode, ins: list[RF | None], in_shapes: list[Shape]) -> RF | None:
    """The receptive field of ``n`` from its operands' fields."""
    if not n.inputs:  # a graph input
        return ORIGIN if is_spatial(n.shape) else NON_SPATIAL
    live = [i for i, rf in enumerate(ins) if rf is not None]
    if not live:
        return None
    first = live[0]
    out = transform(n, ins[first], in_shapes[first])
    # operands shaped like the primary one (max_unpool's indices) go through the same geometry;
    # others (deform_conv's offsets, at the output size) are merged as they are
    others = [transform(n, ins[i], in_shapes[i]) if in_shapes[i] == in_shapes[first] else ins[i]
              for i in live[1:]]
    return merge([out, *others]) if others else out


def is_spatial(shape: Shape) -> bool:
    return len(shape) == 3


def transform(n: OpNode, rf: RF, in_shape: Shape) -> RF:
    """Apply ``n``'s geometry rule (declared by its primitive) to its primary operand's
    field."""
    if not rf.spatial:
        return rf
    if not (is_spatial(in_shape) and is_spatial(n.shape)):
        return globalise(rf, in_shape[1:] if is_spatial(in_shape) else None)
    geometry = get(n.op).geometry(n.params, in_shape)
    if geometry is None or any(isinstance(r, Mix) for r in geometry):
        pooled = geometry is not None and all(isinstance(r, Mix) and r.pooled for r in geometry)
        return globalise(rf, None if pooled else in_shape[1:])
    if all(isinstance(r, Adaptive) and r.bins == 1 for r in geometry):
        return globalise(rf)
    if all(isinstance(r, Keep) for r in geometry):
        return _aligned(rf)
    axes = [axis_rf(r, rf.size[a], rf.jump[a], rf.start[a], in_shape[1 + a], n.shape[1 + a])
            for a, r in enumerate(geometry)]
    return RF(_t(x[0] for x in axes), _t(x[1] for x in axes), _t(x[2] for x in axes),
              rf.spatial, rf.global_)


def axis_rf(rule: AxisRule, size: float, jump: float, start: float, n_in: int,
            n_out: int) -> tuple[float, float, float]:
    """(size, jump, start) after one axis rule."""
    if isinstance(rule, Window):
        return (size + (rule.extent - 1) * jump,
                jump * rule.stride,
                start + ((rule.extent - 1) / 2 - rule.pad_lo) * jump)
    if isinstance(rule, Transposed):  # nominal: each output sees ceil(k'/s) input units
        w = rule.window
        return (size + (math.ceil(w.extent / w.stride) - 1) * jump,
                jump / w.stride,
                start + (w.pad_lo - (w.extent - 1) / 2) / w.stride * jump)
    if isinstance(rule, Adaptive):  # bins of width ceil((i+1)h/o) - floor(ih/o)
        h, o = n_in, rule.bins
        width = max(-(-(i + 1) * h // o) - (i * h // o) for i in range(o))
        return size + (width - 1) * jump, jump * h / o, start + (-(-h // o) - 1) / 2 * jump
    if isinstance(rule, Scale):  # resampling by n_out / n_in: ``taps`` input units per output
        return (size + (rule.taps - 1) * jump,
                jump * n_in / n_out,
                start + (n_in / n_out - 1) / 2 * jump)
    return size, jump, start


def globalise(rf: RF, hw: Shape | None = None) -> RF:
    """The output sees the whole input. Pooling (``hw`` None) keeps the field of one unit: the
    output is a bag of local features. Flatten, reshape or a dense layer over a map of size
    ``hw`` keep every position apart, so the field becomes the union over all positions."""
    size = rf.size if hw is None else _t(rf.size[a] + (hw[a] - 1) * rf.jump[a] for a in range(2))
    return RF(size, rf.jump, rf.start, spatial=False, global_=True)


def _aligned(rf: RF) -> RF:
    """``rf`` without the misaligned flag (which describes only the merge that set it)."""
    return RF(rf.size, rf.jump, rf.start, rf.spatial, rf.global_) if rf.misaligned else rf


def merge(rfs: list[RF]) -> RF:
    """Several operands: the largest field, flagged when spatial operands disagree. An operand
    that left the spatial layout and came back (a channels-last detour through a permute)
    counts with its whole field: a residual around it sees at least that much."""
    spatial = [r for r in rfs if r.spatial]
    glob = any(r.global_ for r in rfs)
    size = _t(max(r.size[a] for r in rfs) for a in range(2))
    if not spatial:
        return RF(size, spatial=False, global_=glob)
    best = max(spatial, key=lambda r: r.size[0] * r.size[1])
    why = next((m for r in spatial if (m := misalignment(best, r))), "")
    return RF(size, best.jump, best.start, True, glob, bool(why), why)


def misalignment(a: RF, b: RF) -> str | None:
    """Why two spatial fields are not aligned ('stride 16 vs 32'), or None."""
    for axis in range(2):
        if abs(a.jump[axis] - b.jump[axis]) > EPS:
            return f"stride {fmt_num(a.jump[axis])} vs {fmt_num(b.jump[axis])}"
        if abs(a.start[axis] - b.start[axis]) > EPS:
            return f"centre offset {fmt_num(a.start[axis])} vs {fmt_num(b.start[axis])}"
    return None


def _t(values: Any) -> Pair:
    a, b = values
    return float(a), float(b)
