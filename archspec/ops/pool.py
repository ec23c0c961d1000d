"""Pooling over C×H×W: maxpool, avgpool, max_unpool, adaptive pools, gap, gmp, and mean."""

from __future__ import annotations

from typing import Any

from archspec.errors import ArgumentError, ShapeError
from archspec.ir.graph import OpNode, Shape
from archspec.ops.common import (
    check_pool_padding,
    check_positive,
    expect_rank,
    fmt_shape,
    norm_dims,
    numel,
    pair,
    window_sizes,
    windows,
)
from archspec.ops.contract import PRIMITIVES, Cost, Fn, In, Param, local_channels, primitive
from archspec.ops.geometry import (
    FLOAT,
    FLOAT_PORTS,
    INDEX,
    POOLED,
    Adaptive,
    Geometry,
    Keep,
    Mix,
    Ports,
    Transposed,
    Window,
    spatial_size,
)

KERNEL = Param("kernel", "pair", aliases=("k",))
STRIDE = Param("stride", "pair", None, aliases=("s",), doc="default: the kernel")
PADDING = Param("padding", "pair", 0, aliases=("p", "pad"))
CEIL = Param("ceil_mode", "bool", False, aliases=("ceil",))


def pool_geometry(op: str, p: dict[str, Any]) -> tuple:
    """kernel, stride, padding, dilation as pairs; stride None means the kernel."""
    kernel = pair(p["kernel"])
    stride = kernel if p["stride"] is None else pair(p["stride"])
    dilation = pair(p.get("dilation", 1))
    check_positive(kernel=kernel, stride=stride, dilation=dilation)
    padding = pair(p["padding"])
    check_pool_padding(op, kernel, padding)
    return kernel, stride, padding, dilation


def pool_windows(op: str) -> Any:
    def rule(p: dict[str, Any], x: Shape | None = None) -> Geometry:
        kernel, stride, (ph, pw), dilation = pool_geometry(op, p)
        return windows(kernel, stride, ((ph, ph), (pw, pw)), dilation, p["ceil_mode"])
    return rule


def pool_shape(op: str, p: dict[str, Any], x: Shape) -> Shape:
    expect_rank(op, x, 3)
    return (x[0], *window_sizes(op, x, pool_windows(op)(p)))


def window_cost(p: dict[str, Any], ins: list[Shape], out: Shape) -> Cost:
    """Pooling: one op per window element per output."""
    kh, kw = pair(p["kernel"])
    return Cost(other_flops=kh * kw * numel(out))


def lower_maxpool(node: OpNode, ins: list[Shape]) -> Fn:
    import torch
    import torch.nn.functional as F

    kernel, stride, padding, dilation = pool_geometry("maxpool", node.params)
    target = F.max_pool2d_with_indices if node.params["return_indices"] else torch.max_pool2d
    return Fn(target, (In(0), kernel, stride, padding, dilation, node.params["ceil_mode"]))


@primitive("maxpool", params=(KERNEL, STRIDE, PADDING, Param("dilation", "pair", 1,
                                                             aliases=("d",)),
                              CEIL, Param("return_indices", "bool", False)),
           cost=window_cost, lower=lower_maxpool, family="pool", channels=local_channels,
           geometry=pool_windows("maxpool"), ports=Ports((FLOAT,), (FLOAT, INDEX)))
def maxpool(p: dict[str, Any], ins: list[Shape]) -> Shape | tuple[Shape, dict[int, Shape]]:
    """2-D max pooling (F.max_pool2d); with return_indices, port 1 holds the indices."""
    out = pool_shape("maxpool", p, ins[0])
    return (out, {1: out}) if p["return_indices"] else out


def lower_avgpool(node: OpNode, ins: list[Shape]) -> Fn:
    import torch.nn.functional as F

    p = node.params
    kernel, stride, padding, _ = pool_geometry("avgpool", p)
    return Fn(F.avg_pool2d, (In(0), kernel, stride, padding, p["ceil_mode"],
                             p["count_include_pad"], p["divisor_override"]))


@primitive("avgpool", params=(KERNEL, STRIDE, PADDING, CEIL,
                              Param("count_include_pad", "bool", True),
                              Param("divisor_override", "int", None)),
           cost=window_cost, lower=lower_avgpool, family="pool", channels=local_channels,
           geometry=pool_windows("avgpool"), ports=FLOAT_PORTS)
def avgpool(p: dict[str, Any], ins: list[Shape]) -> Shape:
    """2-D average pooling (F.avg_pool2d)."""
    if p["divisor_override"] is not None and p["divisor_override"] <= 0:
        raise ArgumentError(f"avgpool: divisor_override must be positive, "
                            f"got {p['divisor_override']}")
    return pool_shape("avgpool", p, ins[0])


def unpool_windows(p: dict[str, Any], x: Shape | None = None) -> Geometry:
    """The pool's windows, inverted; a chosen ``output_size`` adds to the default size."""
    kernel, stride, padding, _ = pool_geometry("max_unpool", p)
    base = tuple(Transposed(Window(kernel[a], stride[a], padding[a], padding[a]))
                 for a in range(2))
    if p["output_size"] is None or x is None:
        return base[0], base[1]
    extra = [pair(p["output_size"])[a] - (spatial_size(base, x[1:])[a] or 0) for a in range(2)]
    return Transposed(base[0].window, extra[0]), Transposed(base[1].window, extra[1])


def unpool_size(p: dict[str, Any], x: Shape) -> tuple[int, int]:
    _, stride, _, _ = pool_geometry("max_unpool", p)
    default = spatial_size(unpool_windows({**p, "output_size": None}), x[1:])
    if p["output_size"] is None:
        if min(default) <= 0:
            raise ShapeError(f"max_unpool output would be empty ({default[0]}×{default[1]})")
        return default[0], default[1]
    size = pair(p["output_size"])
    for a in range(2):
        lo, hi = default[a] - stride[a], default[a] + stride[a]
        if not lo < size[a] < hi:
            raise ShapeError(f"max_unpool: output_size {size[0]}×{size[1]} is impossible; "
                             f"{'HW'[a]} must be between {lo + 1} and {hi - 1}",
                             hint="pass the size of the tensor that was max-pooled")
    return size


def unpool_link(p: dict[str, Any], operands: list[Any]) -> None:
    """The indices must come from a pool this unpool inverts: same kernel, stride and padding,
    and an output the size of the pooled map (indices are flat positions in it)."""
    x, idx = operands
    pool = PRIMITIVES[idx.op].geometry(idx.params, idx.source)
    mine = unpool_windows({**p, "output_size": None})
    theirs = [(w.kernel, w.stride, w.pad_lo) for w in pool if isinstance(w, Window)]
    ours = [(t.window.kernel, t.window.stride, t.window.pad_lo) for t in mine
            if isinstance(t, Transposed)]
    if theirs != ours:
        raise ShapeError(f"max_unpool: kernel/stride/padding {_fmt_windows(ours)} do not invert "
                         f"the pool '{idx.name}' that made the indices "
                         f"({_fmt_windows(theirs)})",
                         hint="give max_unpool the maxpool's kernel, stride and padding")
    size = unpool_size(p, (0, *x.shape[1:])) if len(x.shape) == 3 else None
    if idx.source is not None and size is not None and size != tuple(idx.source[1:]):
        raise ShapeError(f"max_unpool: output {size[0]}×{size[1]} is not the size "
                         f"{fmt_shape(idx.source[1:])} of the map '{idx.name}' pooled",
                         hint=f"pass output_size=({idx.source[1]}, {idx.source[2]})")


def _fmt_windows(axes: list[tuple[int, int, int]]) -> str:
    if len(axes) != 2:
        return "none"
    (kh, sh, ph), (kw, sw, pw) = axes
    return f"{kh}×{kw}, {sh}×{sw}, {ph}×{pw}"


def lower_unpool(node: OpNode, ins: list[Shape]) -> Fn:
    import torch.nn.functional as F

    p = node.params
    kernel, stride, padding, _ = pool_geometry("max_unpool", p)
    size = None if p["output_size"] is None else pair(p["output_size"])
    return Fn(F.max_unpool2d, (In(0), In(1), kernel, stride, padding, size))


@primitive("max_unpool", params=(KERNEL, STRIDE, PADDING, Param("output_size", "pair", None)),
           inputs=("x", "indices"), lower=lower_unpool, family="pool", channels=local_channels,
           geometry=unpool_windows, ports=Ports((FLOAT, INDEX), (FLOAT,)), link=unpool_link)
def max_unpool(p: dict[str, Any], ins: list[Shape]) -> Shape:
    """Inverse of maxpool (F.max_unpool2d); inputs (x, indices from maxpool's port 1).
    Default size ``(H-1)·s - 2p + k``; ``output_size`` picks another reachable size."""
    x, idx = ins
    expect_rank("max_unpool", x, 3)
    if tuple(idx) != tuple(x):
        raise ShapeError(f"max_unpool: indices {fmt_shape(idx)} must have the input's shape "
                         f"{fmt_shape(x)}", hint="pass port 1 of the matching maxpool "
                                                 "(return_indices=true)")
    return (x[0], *unpool_size(p, x))


def adaptive_windows(size: int, out: int) -> int:
    """Total window length along one axis of torch's adaptive pooling."""
    return sum(-(-((i + 1) * size) // out) - (i * size) // out for i in range(out))


def adaptive_cost(p: dict[str, Any], ins: list[Shape], out: Shape) -> Cost:
    x = ins[0]
    return Cost(other_flops=x[0] * adaptive_windows(x[1], out[1]) * adaptive_windows(x[2], out[2]))


def _adaptive(op: str, fn: str, fixed: int | None) -> None:
    def rule(p: dict[str, Any], ins: list[Shape]) -> Shape:
        expect_rank(op, ins[0], 3)
        size = pair(fixed if fixed is not None else p["size"])
        check_positive(size=size)
        return (ins[0][0], *size)

    def lower(node: OpNode, ins: list[Shape]) -> Fn:
        import torch.nn.functional as F

        size = fixed if fixed is not None else pair(node.params["size"])
        return Fn(getattr(F, fn), (In(0), size))

    kind = "average" if "avg" in fn else "max"
    rule.__doc__ = (f"global {kind} pooling to C×1×1 (F.{fn}(x, 1))" if fixed else
                    f"adaptive {kind} pooling to C×size (F.{fn})")
    def geometry(p: dict[str, Any], x: Shape | None = None) -> Geometry:
        size = pair(fixed if fixed is not None else p["size"])
        return (Adaptive(size[0]), Adaptive(size[1]))

    params = () if fixed else (Param("size", "pair"),)
    primitive(op, params=params, cost=adaptive_cost, lower=lower, family="pool",
              geometry=POOLED if fixed else geometry, ports=FLOAT_PORTS,
              channels=local_channels)(rule)


_adaptive("adaptive_avgpool", "adaptive_avg_pool2d", None)
_adaptive("adaptive_maxpool", "adaptive_max_pool2d", None)
_adaptive("gap", "adaptive_avg_pool2d", 1)
_adaptive("gmp", "adaptive_max_pool2d", 1)


def mean_dims(p: dict[str, Any], x: Shape) -> tuple[int, ...]:
    dims = norm_dims("mean", p["dims"], len(x))
    if not dims:
        raise ArgumentError("mean: dims is empty", hint="name the dims to average, e.g. (1, 2)")
    return dims


def mean_geometry(p: dict[str, Any], x: Shape | None) -> Geometry | None:
    """Averaging a spatial axis pools it; the others keep their positions."""
    if x is None or len(x) != 3:
        return None
    dims = mean_dims(p, x)
    h, w = (Mix(pooled=True) if a in dims else Keep() for a in (1, 2))
    return h, w


def mean_channels(p: dict[str, Any], x: Shape | None) -> int | None:
    return 1 if x is None or 0 in mean_dims(p, x) else None


def mean_cost(p: dict[str, Any], ins: list[Shape], out: Shape) -> Cost:
    return Cost(other_flops=numel(ins[0]))


def lower_mean(node: OpNode, ins: list[Shape]) -> Fn:
    import torch

    dims = mean_dims(node.params, ins[0])
    return Fn(torch.mean, (In(0), tuple(d + 1 for d in dims), node.params["keepdim"]))


@primitive("mean", params=(Param("dims", "ints", (-2, -1), aliases=("dim",)),
                           Param("keepdim", "bool", True)),
           cost=mean_cost, lower=lower_mean, family="pool", geometry=mean_geometry,
           ports=FLOAT_PORTS, channels=mean_channels)
def mean(p: dict[str, Any], ins: list[Shape]) -> Shape:
    """Mean over non-batch ``dims`` (default the last two: spatial), keeping them as size 1
    unless keepdim=false (torch.mean)."""
    dims = mean_dims(p, ins[0])
    if p["keepdim"]:
        return tuple(1 if i in dims else s for i, s in enumerate(ins[0]))
    return tuple(s for i, s in enumerate(ins[0]) if i not in dims)
