"""Receptive fields from the graph alone: per node and spatial axis (H, W), the field size in
input pixels, the effective stride (``jump``) and the centre of the first output unit
(``start``, in input pixel coordinates where pixel ``i`` is centred at ``i``).

Rules (Araujo et al. 2019, "Computing receptive fields of convolutional neural networks"):

- sliding windows (conv, deform_conv — nominal, offsets ignored —, pools): with
  ``k' = d·(k−1)+1``: ``size += (k'−1)·jump``, ``start += ((k'−1)/2 − pad)·jump``,
  ``jump *= stride``;
- transposed windows (conv_transpose, max-unpool) and upsampling: ``jump /= factor`` and each
  output sees ``ceil(k'/s)`` input units (nominal);
- global pooling, flatten and any change of rank: the output depends on the whole input
  (``global_``) and loses its spatial geometry (``spatial`` false). After pooling, ``size``
  keeps the field of one pooled unit (the output is a bag of local features: what the coverage
  lint checks); after flatten/reshape/dense layers, which keep positions apart, ``size`` is the
  union of all positions' fields;
- merges (add, concat, mul, ...): the largest field wins; operands with different ``jump`` or
  ``start`` mark the node ``misaligned``. A broadcast (non-spatial) operand such as an SE gate
  only sets ``global_``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from archspec.ir.graph import OpNode, Shape
from archspec.ops.common import pair
from archspec.ops.registry import get

if TYPE_CHECKING:
    from archspec.ir.graph import Graph

EPS = 1e-9
GLOBAL_FAMILIES = ("linear", "attention")
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
    if n.op == "input":
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
    """Apply ``n``'s geometry to its primary operand's field."""
    if not rf.spatial:
        return rf
    out_shape, family = n.shape, get(n.op).family
    if not (is_spatial(in_shape) and is_spatial(out_shape)) or family in GLOBAL_FAMILIES:
        return globalise(rf, in_shape[1:] if is_spatial(in_shape) else None)
    hw_in, hw_out = in_shape[1:], out_shape[1:]
    p = n.params
    if tuple(hw_out) == (1, 1) and tuple(hw_in) != (1, 1) and family != "pool":
        return globalise(rf, hw_in)
    if "kernel" in p:
        kernel, stride = pair(p["kernel"]), _stride(n)
        dilation, pad = pair(p.get("dilation") or 1), _pad_lo(p)
        rule = transposed if _is_transposed(n.op) else window
        return rule(rf, kernel, stride, pad, dilation)
    if p.get("stride"):  # strided subsampling without a window: a 1×1 window
        return window(rf, (1, 1), pair(p["stride"]), (0, 0), (1, 1))
    if n.op == "pad":
        return _padded(rf, p.get("spatial", 0), hw_in, hw_out)
    return by_shape(rf, hw_in, hw_out, str(p.get("mode") or ""))


def _stride(n: OpNode) -> tuple[int, int]:
    """The stride; when absent or None it is the kernel for pools and 1 for convolutions."""
    stride = n.params.get("stride")
    if stride:
        return pair(stride)
    pool = "stride" in n.params or get(n.op).family == "pool"
    return pair(n.params["kernel"]) if pool else (1, 1)


def _is_transposed(op: str) -> bool:
    return "transpose" in op or "unpool" in op


def _pad_lo(p: dict[str, Any]) -> tuple[int, int]:
    """Low-side padding per axis from an int, a pair, 'valid' or 'same'."""
    pad = p.get("padding", 0)
    if pad == "valid" or pad is None:
        return 0, 0
    if pad == "same":
        k, d = pair(p["kernel"]), pair(p.get("dilation") or 1)
        return d[0] * (k[0] - 1) // 2, d[1] * (k[1] - 1) // 2
    return pair(pad)


def window(rf: RF, kernel: tuple[int, int], stride: tuple[int, int], pad: tuple[int, int],
           dilation: tuple[int, int]) -> RF:
    """A sliding window (conv or pool) applied to ``rf``."""
    size, jump, start = [], [], []
    for a in range(2):
        k_eff = dilation[a] * (kernel[a] - 1) + 1
        size.append(rf.size[a] + (k_eff - 1) * rf.jump[a])
        start.append(rf.start[a] + ((k_eff - 1) / 2 - pad[a]) * rf.jump[a])
        jump.append(rf.jump[a] * stride[a])
    return RF(_t(size), _t(jump), _t(start), rf.spatial, rf.global_)


def transposed(rf: RF, kernel: tuple[int, int], stride: tuple[int, int], pad: tuple[int, int],
               dilation: tuple[int, int]) -> RF:
    """A transposed window (conv_transpose, max-unpool): nominal, see the module docstring."""
    size, jump, start = [], [], []
    for a in range(2):
        k_eff = dilation[a] * (kernel[a] - 1) + 1
        size.append(rf.size[a] + (math.ceil(k_eff / stride[a]) - 1) * rf.jump[a])
        start.append(rf.start[a] + (pad[a] - (k_eff - 1) / 2) / stride[a] * rf.jump[a])
        jump.append(rf.jump[a] / stride[a])
    return RF(_t(size), _t(jump), _t(start), rf.spatial, rf.global_)


def by_shape(rf: RF, hw_in: Shape, hw_out: Shape, mode: str = "") -> RF:
    """Ops without a window: identity, global (to 1×1), adaptive pooling or upsampling."""
    if tuple(hw_in) == tuple(hw_out):
        return _aligned(rf)
    if tuple(hw_out) == (1, 1):
        return globalise(rf)
    size, jump, start = [], [], []
    for a in range(2):
        h, o = hw_in[a], hw_out[a]
        if o <= h:  # adaptive pooling: bins of width ceil((i+1)h/o) - floor(ih/o)
            width = max(-(-(i + 1) * h // o) - (i * h // o) for i in range(o))
            size.append(rf.size[a] + (width - 1) * rf.jump[a])
            start.append(rf.start[a] + (-(-h // o) - 1) / 2 * rf.jump[a])
        else:  # upsampling by o/h: nearest keeps one input unit, (bi)linear two
            grow = 1 if "linear" in mode or "cubic" in mode else 0
            size.append(rf.size[a] + grow * rf.jump[a])
            start.append(rf.start[a] + (h / o - 1) / 2 * rf.jump[a])
        jump.append(rf.jump[a] * h / o)
    return RF(_t(size), _t(jump), _t(start), rf.spatial, rf.global_)


def _padded(rf: RF, spatial: Any, hw_in: Shape, hw_out: Shape) -> RF:
    """Explicit padding (``spatial`` = n or (left, right, top, bottom), as F.pad) shifts the
    first unit by the top/left pad."""
    if isinstance(spatial, int):
        lo: tuple[int, ...] = (spatial, spatial)
    elif len(spatial) == 4:
        lo = (spatial[2], spatial[0])
    else:
        lo = tuple((hw_out[a] - hw_in[a]) // 2 for a in range(2))
    start = tuple(rf.start[a] - lo[a] * rf.jump[a] for a in range(2))
    return RF(rf.size, rf.jump, _t(start), rf.spatial, rf.global_)


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
    """Several operands: the largest spatial field, flagged when operands disagree."""
    spatial = [r for r in rfs if r.spatial]
    glob = any(r.global_ for r in rfs)
    if not spatial:
        size = _t(max(r.size[a] for r in rfs) for a in range(2))
        return RF(size, spatial=False, global_=glob)
    best = max(spatial, key=lambda r: r.size[0] * r.size[1])
    size = _t(max(r.size[a] for r in spatial) for a in range(2))
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
