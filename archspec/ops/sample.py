"""Resampling: affine_grid, grid_sample (spatial transformers) and upsample."""

from __future__ import annotations

from typing import Any

from archspec.errors import ArgumentError, ShapeError
from archspec.ir.graph import OpNode, Shape
from archspec.ops.common import expect_rank, fmt_shape, numel, pair
from archspec.ops.contract import Cost, Fn, In, Param, local_channels, primitive
from archspec.ops.geometry import FLOAT, FLOAT_PORTS, MIX, Geometry, Ports, Scale, spatial_size
from archspec.ops.pool import adaptive_windows

ALIGN = Param("align_corners", "bool", False)
# Per output element: one multiply-add per tap.
TAP_FLOPS = {"nearest": 0, "nearest-exact": 0, "bilinear": 8, "bicubic": 32}
GRID_FLOPS = 12   # per grid point: (x, y) = θ·(u, v, 1), 6 multiply-adds


def grid_cost(p: dict[str, Any], ins: list[Shape], out: Shape) -> Cost:
    return Cost(other_flops=GRID_FLOPS * out[0] * out[1])


def lower_affine_grid(node: OpNode, ins: list[Shape]) -> Fn:
    from archspec.ops.torch_modules import affine_grid

    return Fn(affine_grid, (In(0), In(1), node.params["align_corners"]))


@primitive("affine_grid", params=(ALIGN,), inputs=("theta", "like"), cost=grid_cost,
           lower=lower_affine_grid, family="sample", geometry=MIX,
           ports=Ports((FLOAT, FLOAT), (FLOAT,)))
def affine_grid_op(p: dict[str, Any], ins: list[Shape]) -> Shape:
    """Sampling grid H×W×2 for the affine map ``theta`` (2×3, or 6 values) at the size of
    ``like`` (a C×H×W tensor) (F.affine_grid)."""
    theta, like = ins
    if tuple(theta) not in ((2, 3), (6,)):
        raise ShapeError(f"affine_grid: theta must be 2×3 or 6, got {fmt_shape(theta)}",
                         hint="end the localisation net with linear(6)")
    expect_rank("affine_grid (like)", like, 3)
    return (like[1], like[2], 2)


def grid_sample_cost(p: dict[str, Any], ins: list[Shape], out: Shape) -> Cost:
    return Cost(other_flops=TAP_FLOPS[p["mode"]] * numel(out))


def lower_grid_sample(node: OpNode, ins: list[Shape]) -> Fn:
    import torch.nn.functional as F

    p = node.params
    return Fn(F.grid_sample, (In(0), In(1)), {"mode": p["mode"], "padding_mode":
                                              p["padding_mode"], "align_corners":
                                              p["align_corners"]})


@primitive("grid_sample",
           params=(Param("mode", "str", "bilinear", choices=("bilinear", "nearest", "bicubic")),
                   Param("padding_mode", "str", "zeros",
                         choices=("zeros", "border", "reflection")), ALIGN),
           inputs=("x", "grid"), cost=grid_sample_cost, lower=lower_grid_sample, family="sample",
           geometry=MIX, ports=Ports((FLOAT, FLOAT), (FLOAT,)), channels=local_channels)
def grid_sample(p: dict[str, Any], ins: list[Shape]) -> Shape:
    """Sample x (C×H×W) at the grid's points (Hg×Wg×2, coordinates in [-1, 1]) -> C×Hg×Wg
    (F.grid_sample)."""
    x, grid = ins
    expect_rank("grid_sample", x, 3)
    if len(grid) != 3 or grid[2] != 2:
        raise ShapeError(f"grid_sample: grid must be H×W×2, got {fmt_shape(grid)}",
                         hint="make it with affine_grid")
    return (x[0], grid[0], grid[1])


UPSAMPLE_MODES = ("nearest", "nearest-exact", "bilinear", "bicubic", "area")


TAPS = {"nearest": 1, "nearest-exact": 1, "area": 1, "bilinear": 2, "bicubic": 4}


def upsample_geometry(p: dict[str, Any], x: Shape | None = None) -> Geometry:
    """A scale per axis, or a fixed size; ``taps`` input units feed one output unit."""
    taps = TAPS[p["mode"]]
    if p["size"] is not None:
        size = pair(p["size"])
        return Scale(size=size[0], taps=taps), Scale(size=size[1], taps=taps)
    scale = p["scale"]
    sh, sw = (scale, scale) if isinstance(scale, (int, float)) else tuple(scale)
    return Scale(float(sh), taps=taps), Scale(float(sw), taps=taps)


def upsample_size(p: dict[str, Any], x: Shape) -> tuple[int, int]:
    expect_rank("upsample", x, 3)
    if (p["scale"] is None) == (p["size"] is None):
        raise ArgumentError("upsample takes exactly one of scale and size",
                            hint="e.g. upsample(scale=2) or upsample(size=(56, 56))")
    if p["align_corners"] is not None and p["mode"] not in ("bilinear", "bicubic"):
        raise ArgumentError(f"upsample: align_corners only applies to bilinear and bicubic "
                            f"modes, not {p['mode']!r}")
    if p["scale"] is not None:
        scale = p["scale"]
        if not isinstance(scale, (int, float)) and len(scale) != 2:
            raise ArgumentError(f"upsample: scale takes 1 or 2 numbers, got {len(scale)}")
        if min((scale,) if isinstance(scale, (int, float)) else scale) <= 0:
            raise ArgumentError(f"upsample: scale must be positive, got {scale}")
    out = spatial_size(upsample_geometry(p), x[1:])
    if min(out) <= 0:
        raise ShapeError(f"upsample output would be empty ({out[0]}×{out[1]}) for input "
                         f"{fmt_shape(x)}")
    return out


def upsample_cost(p: dict[str, Any], ins: list[Shape], out: Shape) -> Cost:
    if p["mode"] == "area":
        x = ins[0]
        return Cost(other_flops=x[0] * adaptive_windows(x[1], out[1])
                    * adaptive_windows(x[2], out[2]))
    return Cost(other_flops=TAP_FLOPS[p["mode"]] * numel(out))


def lower_upsample(node: OpNode, ins: list[Shape]) -> Fn:
    import torch.nn.functional as F

    p = node.params
    kwargs: dict[str, Any] = {"mode": p["mode"]}
    if p["size"] is not None:
        kwargs["size"] = pair(p["size"])
    else:
        scale = p["scale"]
        kwargs["scale_factor"] = float(scale) if isinstance(scale, (int, float)) else \
            tuple(float(s) for s in scale)
    if p["align_corners"] is not None:
        kwargs["align_corners"] = p["align_corners"]
    return Fn(F.interpolate, (In(0),), kwargs)


@primitive("upsample", params=(Param("scale", "floats", None, aliases=("scale_factor",)),
                               Param("size", "pair", None),
                               Param("mode", "str", "nearest", choices=UPSAMPLE_MODES),
                               Param("align_corners", "bool", None)),
           cost=upsample_cost, lower=lower_upsample, family="sample",
           geometry=upsample_geometry, ports=FLOAT_PORTS, channels=local_channels)
def upsample(p: dict[str, Any], ins: list[Shape]) -> Shape:
    """Resize C×H×W by ``scale`` (H' = floor(H·scale)) or to ``size`` (F.interpolate)."""
    return (ins[0][0], *upsample_size(p, ins[0]))
