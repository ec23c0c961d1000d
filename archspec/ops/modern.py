"""Pieces of post-2018 CNNs: stochastic depth and the channels-first layer norm (ConvNeXt)."""

from __future__ import annotations

from typing import Any

from archspec.errors import ShapeError
from archspec.ir.graph import OpNode, Shape
from archspec.ops.common import fmt_shape, numel
from archspec.ops.contract import Cost, Param, local_channels, primitive
from archspec.ops.dropout import check_p
from archspec.ops.geometry import FLOAT_PORTS, KEEP
from archspec.ops.norm import AFFINE, _stats_flops, channel_affine


def lower_drop_path(node: OpNode, ins: list[Shape]) -> Any:
    from archspec.ops.torch_modern import DropPath

    return DropPath(node.params["p"])


@primitive("drop_path", params=(Param("p", "float", 0.0, doc="probability of dropping a "
                                      "sample's whole branch"),),
           lower=lower_drop_path, family="dropout", geometry=KEEP, ports=FLOAT_PORTS,
           channels=local_channels)
def drop_path(p: dict[str, Any], ins: list[Shape]) -> Shape:
    """Stochastic depth: in training, each sample's input is zeroed with probability p and the
    kept ones scaled by 1/(1-p); identity in eval (torchvision's StochasticDepth(p, "row")).
    Put it at the end of a residual branch, before the add."""
    check_p("drop_path", p["p"])
    return ins[0]


def ln2d_cost(p: dict[str, Any], ins: list[Shape], out: Shape) -> Cost:
    return Cost(params=2 * ins[0][0] if p["affine"] else 0,
                other_flops=_stats_flops(p["affine"]) * numel(out))


def lower_ln2d(node: OpNode, ins: list[Shape]) -> Any:
    from archspec.ops.torch_modern import LayerNorm2d

    return LayerNorm2d(ins[0][0], node.params["eps"], elementwise_affine=node.params["affine"])


@primitive("layer_norm2d", params=(Param("eps", "float", 1e-6), AFFINE),
           cost=ln2d_cost, lower=lower_ln2d, family="norm", stateful=True, geometry=KEEP,
           ports=FLOAT_PORTS, channels=local_channels, param_shapes=channel_affine)
def layer_norm2d(p: dict[str, Any], ins: list[Shape]) -> Shape:
    """Layer normalisation over the channels of a C×H×W map, at every position (ConvNeXt's
    LayerNorm2d in torchvision and timm): weight and bias have shape (C,). eps defaults to
    1e-6, as in ConvNeXt."""
    if len(ins[0]) != 3:
        raise ShapeError(f"layer_norm2d expects a C×H×W input, got {fmt_shape(ins[0])}",
                         hint="use layer_norm for vectors")
    return ins[0]


