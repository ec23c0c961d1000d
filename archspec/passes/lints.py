"""Lints: legal but suspicious structure, reported as warnings (SpecError, severity='warning').

- gridding in stacks of dilated convolutions (Hybrid Dilated Convolution, Wang et al. 2018);
- channels not divisible by groups (normally already an error) and stacked group
  convolutions with no channel mixing between them (the ShuffleNet observation);
- squeeze-and-excitation bottlenecks narrower than ``MIN_SE_CHANNELS``;
- dead nodes (their output reaches no output) and unused inputs;
- a main output whose receptive field does not cover the input;
- merges whose operands have misaligned receptive fields.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from archspec.errors import SpecError
from archspec.ir.graph import OpNode, Shape, outputs
from archspec.ops.geometry import Keep, Window
from archspec.ops.registry import get
from archspec.passes.receptive_field import fmt_num, is_spatial, op_table
from archspec.passes.roles import DEAD, main_rf

if TYPE_CHECKING:
    from archspec.ir.graph import Graph

Ops = dict[str, OpNode]

MIN_SE_CHANNELS = 4
HDC_HINT = ("choose rates without a common factor whose gaps the kernel can bridge, "
            "e.g. [1, 2, 5] (Hybrid Dilated Convolution, Wang et al. 2018)")


def warning(message: str, n: OpNode | None = None, hint: str | None = None) -> SpecError:
    """A lint finding at ``n``'s span."""
    if n is None:
        return SpecError(message, hint=hint, severity="warning")
    return SpecError(message, span=n.span, hint=hint, severity="warning")


def lint(graph: Graph) -> list[SpecError]:
    """The ``lints`` pass: every lint over ``graph`` (``role`` and ``rf`` written), in a stable
    order: by check, then by graph order. The findings also join ``graph.meta.warnings``."""
    found: list[SpecError] = []
    for check in CHECKS:
        found += check(graph)
    graph.meta.warnings.extend(found)
    return found


# -- dilated stacks ---------------------------------------------------------------------------

def hdc_check(rates: list[int] | tuple[int, ...], kernel: int = 3) -> str | None:
    """Why a consecutive stack of dilated ``kernel``-sized convolutions with these ``rates``
    grids (leaves input pixels unseen), or None if it satisfies the HDC rule: no common factor
    > 1, and with ``M_n = r_n``, ``M_i = max(M_{i+1} − 2r_i, M_{i+1} − 2(M_{i+1} − r_i), r_i)``,
    ``M_2 ≤ kernel``."""
    rates = [int(r) for r in rates]
    if len(rates) < 2:
        return None
    common = math.gcd(*rates)
    if common > 1:
        return (f"dilation rates {rates} share the common factor {common}: the stack "
                f"samples only one pixel in {common} along each axis (gridding)")
    m = rates[-1]
    for r in reversed(rates[1:-1]):
        m = max(m - 2 * r, m - 2 * (m - r), r)
    if m > kernel:
        return (f"dilation rates {rates} leave holes: M_2 = {m} exceeds the kernel size "
                f"{kernel} (HDC rule M_2 ≤ K)")
    return None


def _window(n: OpNode) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]] | None:
    """(kernel, stride, dilation) of a convolution (a sliding window that mixes channels),
    from its primitive's declared geometry, else None."""
    if not n.inputs:
        return None
    key = (n.op, tuple(n.params.items()))
    try:
        return _conv_window(key)
    except TypeError:  # an unhashable parameter value (a table): compute it directly
        return _conv_window.__wrapped__(key)


@functools.lru_cache(maxsize=4096)
def _conv_window(key: tuple[str, tuple[tuple[str, Any], ...]]) -> Any:
    """A pure function of (op, params): the lints ask it several times per node."""
    prim, params = get(key[0]), dict(key[1])
    if prim.channels(params, None) is None:
        return None
    geometry = prim.geometry(params, None)
    if geometry is None or not all(isinstance(w, Window) for w in geometry):
        return None
    h, w = geometry
    assert isinstance(h, Window) and isinstance(w, Window)
    return (h.kernel, w.kernel), (h.stride, w.stride), (h.dilation, w.dilation)


def _groups(n: OpNode) -> int | None:
    """Groups of channel mixing declared by the primitive (1: dense), None: channel-local."""
    return get(n.op).channels(n.params, None)


def _is_link(n: OpNode) -> bool:
    w = _window(n)
    return w is not None and max(w[0]) > 1 and w[1] == (1, 1)


def _source(ops: Ops, n: OpNode) -> Shape:
    """The shape of ``n``'s first operand."""
    return ops[n.inputs[0].node].port_shape(n.inputs[0].port)


def _passes_through(ops: Ops, n: OpNode) -> bool:
    """Ops a dilated stack continues through: one operand, same spatial size, no window
    (or a 1×1 stride-1 convolution)."""
    if len(n.inputs) != 1:
        return False
    src = _source(ops, n)
    if not (is_spatial(src) and is_spatial(n.shape) and src[1:] == n.shape[1:]):
        return False
    w = _window(n)
    if w is None:
        geometry = get(n.op).geometry(n.params, src)
        return geometry is not None and all(isinstance(r, Keep) for r in geometry)
    return max(w[0]) == 1 and w[1] == (1, 1)


def _chains(ops: Ops, is_link: Callable[[OpNode], bool],
            passes: Callable[[Ops, OpNode], bool]) -> dict[str, str | None]:
    """For every link, the previous link reached through pass-through ops (or None)."""
    above: dict[str, str | None] = {}
    prev: dict[str, str | None] = {}
    for n in ops.values():
        src = above.get(n.inputs[0].node) if n.inputs else None
        if is_link(n):
            prev[n.name] = src
            above[n.name] = n.name
        else:
            above[n.name] = src if passes(ops, n) else None
    return prev


def lint_gridding(g: Graph) -> list[SpecError]:
    """HDC check on every maximal stack of stride-1 convolutions containing a dilation > 1;
    identical rate patterns are reported once, with a count."""
    ops = op_table(g)
    prev = _chains(ops, _is_link, _passes_through)
    kids: dict[str | None, list[str]] = {}
    for name, p in prev.items():
        kids.setdefault(p, []).append(name)
    found: dict[tuple[int, ...], list[Any]] = {}
    stack, path = [(root, 0) for root in reversed(kids.get(None, []))], []
    while stack:  # depth-first over the stacks, sharing one path list (linear for a chain)
        name, depth = stack.pop()
        del path[depth:]
        path.append(name)
        more = kids.get(name, [])
        stack += [(k, depth + 1) for k in reversed(more)]
        if not more and len(path) >= 2:
            _check_stack(ops, path, found)
    return [_gridding_warning(ops, path, msg, count) for path, msg, count in found.values()]


def _check_stack(ops: Ops, path: list[str], found: dict) -> None:
    rates, kernel = [], 1
    for name in path:
        k, _, d = _window(ops[name])
        axis = 0 if k[0] > 1 else 1
        rates.append(d[axis])
        kernel = max(kernel, k[axis])
    if max(rates) == 1:
        return
    key = tuple(rates)
    if key in found:
        found[key][2] += 1
        return
    msg = hdc_check(rates, kernel)
    if msg:
        found[key] = [list(path), msg, 1]


def _gridding_warning(ops: Ops, path: list[str], msg: str, count: int) -> SpecError:
    where = f"'{path[0]}' … '{path[-1]}'"
    more = f" ({count} stacks like this)" if count > 1 else ""
    first = next(ops[p] for p in path if _window(ops[p])[2] != (1, 1))
    return warning(f"stacked dilated convolutions {where}: {msg}{more}", first, HDC_HINT)


# -- groups -----------------------------------------------------------------------------------

def lint_groups(g: Graph) -> list[SpecError]:
    """Channels not divisible by ``groups`` (where an op let it through), and two group
    convolutions with equal groups and nothing mixing channels between them."""
    found, ops = [], op_table(g)
    for n in ops.values():
        groups = _groups(n) if n.inputs else None
        if groups is None or groups <= 1:
            continue
        cin = _source(ops, n)[0]
        if cin % groups or n.shape[0] % groups:
            found.append(warning(f"{n.op} '{n.name}': channels {cin} → {n.shape[0]} are not "
                                 f"divisible by groups={groups}", n,
                                 f"use a groups value dividing {cin} and {n.shape[0]}"))
    return found + _isolated_groups(ops)


def _group_conv(n: OpNode) -> int:
    """``groups`` of a grouped, non-depthwise convolution; 0 otherwise."""
    groups = _groups(n) if _window(n) else 1
    return groups if groups is not None and 1 < groups < n.shape[0] else 0


def _channel_local(ops: Ops, n: OpNode) -> bool:
    """One operand, same channel count, and no mixing of channels (norms, activations,
    pools, depthwise convolutions)."""
    if len(n.inputs) != 1:
        return False
    src = _source(ops, n)
    if not (is_spatial(src) and is_spatial(n.shape) and src[0] == n.shape[0]):
        return False
    groups = get(n.op).channels(n.params, src)
    return groups is None or groups == n.shape[0]


def _isolated_groups(ops: Ops) -> list[SpecError]:
    prev = _chains(ops, lambda n: _group_conv(n) > 0, _channel_local)
    found = []
    for name, p in prev.items():
        a, b = (ops[p] if p else None), ops[name]
        if a is not None and _group_conv(a) == _group_conv(b):
            found.append(warning(
                f"group convolutions '{a.name}' and '{b.name}' (groups={_group_conv(b)}) are "
                "stacked with nothing mixing channels between them: each output group sees "
                "only one input group", b, "insert a channel_shuffle or a groups=1 convolution"))
    return found


# -- squeeze-and-excitation -------------------------------------------------------------------

def lint_se(g: Graph) -> list[SpecError]:
    """A 1×1 convolution that squeezes a 1×1 (globally pooled) map to fewer than
    ``MIN_SE_CHANNELS`` channels. A reduction to 0 channels is already an error."""
    found, ops = [], op_table(g)
    for n in ops.values():
        w = _window(n)
        if w is None or w[0] != (1, 1) or not n.inputs:
            continue
        src = _source(ops, n)
        if is_spatial(src) and src[1:] == (1, 1) and n.shape[0] < min(MIN_SE_CHANNELS, src[0]):
            found.append(warning(
                f"'{n.name}' squeezes {src[0]} channels to {n.shape[0]}: an excitation "
                f"bottleneck this narrow carries almost no information", n,
                "use a smaller reduction ratio, or round the width up (timm rounds to 8)"))
    return found


# -- dead code, coverage, alignment -----------------------------------------------------------

def lint_dead(g: Graph) -> list[SpecError]:
    """Inputs no output uses, and dead ends: nodes whose output reaches no output."""
    if not outputs(g):
        return []
    found = []
    for name, a in g.nodes(data=True):
        n = a["data"]
        if a.get("role") != DEAD:
            continue
        if n.op == "input":
            found.append(warning(f"input '{n.name}' is not used by any output", n))
        elif not g.succ[name]:
            found.append(warning(f"'{n.name}' ({n.op}) is computed but reaches no output", n,
                                 "use it in an output, or remove it"))
    return found


def lint_coverage(g: Graph) -> list[SpecError]:
    """The main output's receptive field is smaller than the (first) image input: after global
    pooling, the field of one pooled unit (see receptive_field.globalise)."""
    ops = op_table(g)
    rf = main_rf(g)
    ins = [ops[name] for name in g.meta.inputs if is_spatial(ops[name].shape)]
    if rf is None or not ins:
        return []
    hw = ins[0].shape[1:]
    if all(rf.size[a] >= hw[a] for a in range(2)):
        return []
    out = next(o for o in outputs(g).values() if not o.training_only)
    src = ops[out.node.node]
    size = "×".join(fmt_num(s) for s in rf.size)
    return [warning(f"the receptive field of output '{out.name}' ({size}) does not cover the "
                    f"{hw[0]}×{hw[1]} input: no unit sees the whole image", src,
                    "add depth, stride or dilation before the head, or a global-context block")]


def lint_misaligned(g: Graph) -> list[SpecError]:
    """Merges whose spatial operands' fields have different strides or centres."""
    found = []
    for _, a in g.nodes(data=True):
        rf, n = a.get("rf"), a["data"]
        if rf is None or not rf.misaligned:
            continue
        fields = [g.nodes[r.node]["rf"] for r in n.inputs]
        sizes = ", ".join(fmt_num(f.size[0]) for f in fields if f is not None and f.spatial)
        found.append(warning(f"operands of {n.op} '{n.name}' have misaligned receptive fields "
                             f"({rf.why}; operand fields {sizes})", n,
                             "the merged features describe different image positions"))
    return found


CHECKS: tuple[Callable[[Graph], list[SpecError]], ...] = (
    lint_gridding, lint_groups, lint_se, lint_dead, lint_coverage, lint_misaligned)
