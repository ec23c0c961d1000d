"""Element-wise activations, prelu, softmax and log_softmax.

Each stateless activation lowers to one direct torch call (``torch.relu``, ``F.hardswish``...);
the table below names it as ``module.attribute`` so torch is imported only when lowering.
"""

from __future__ import annotations

import importlib
from typing import Any

from archspec.errors import ArgumentError, ShapeError
from archspec.ir.graph import OpNode, Shape
from archspec.ops.common import fmt_shape, norm_dim, numel
from archspec.ops.contract import Cost, Fn, In, Param, local_channels, primitive
from archspec.ops.geometry import FLOAT_PORTS, KEEP, MIX, Geometry, Keep, Mix

ACT_FLOPS = 1       # per element, whatever the nonlinearity
SOFTMAX_FLOPS = 3   # per element: exp, sum, divide (log_softmax: exp, sum, subtract)

# name -> (torch callable, params as (Param, keyword or None for positional))
ACTIVATIONS: dict[str, tuple[str, tuple[tuple[Param, str | None], ...]]] = {
    "relu": ("torch.relu", ()),
    "relu6": ("torch.nn.functional.relu6", ()),
    "leaky_relu": ("torch.nn.functional.leaky_relu",
                   ((Param("slope", "float", 0.01, aliases=("negative_slope",)), None),)),
    "elu": ("torch.nn.functional.elu", ((Param("alpha", "float", 1.0), None),)),
    "tanh": ("torch.tanh", ()),
    "sigmoid": ("torch.sigmoid", ()),
    "hardsigmoid": ("torch.nn.functional.hardsigmoid", ()),
    "hardswish": ("torch.nn.functional.hardswish", ()),
    "silu": ("torch.nn.functional.silu", ()),
    "gelu": ("torch.nn.functional.gelu",
             ((Param("approximate", "str", "none", choices=("none", "tanh")), "approximate"),)),
}


def torch_callable(path: str) -> Any:
    """``'torch.nn.functional.relu6'`` -> the function (imports torch)."""
    module, _, attr = path.rpartition(".")
    return getattr(importlib.import_module(module), attr)


def same_shape_rule(doc: str) -> Any:
    """A shape rule returning the input's shape, documented with ``doc``."""

    def rule(p: dict[str, Any], ins: list[Shape]) -> Shape:
        return ins[0]

    rule.__doc__ = doc
    return rule


def act_cost(p: dict[str, Any], ins: list[Shape], out: Shape) -> Cost:
    return Cost(other_flops=ACT_FLOPS * numel(out))


def _act_lowering(path: str, spec: tuple[tuple[Param, str | None], ...]) -> Any:
    def lower(node: OpNode, ins: list[Shape]) -> Fn:
        args = tuple(node.params[p.name] for p, kw in spec if kw is None)
        kwargs = {kw: node.params[p.name] for p, kw in spec if kw is not None}
        return Fn(torch_callable(path), (In(0), *args), kwargs)

    return lower


def _register_activations() -> None:
    for name, (path, spec) in ACTIVATIONS.items():
        doc = f"{name} activation (``{path}``); output shape = input shape."
        primitive(name, params=tuple(p for p, _ in spec), cost=act_cost, geometry=KEEP,
                  ports=FLOAT_PORTS, channels=local_channels,
                  lower=_act_lowering(path, spec), family="act")(same_shape_rule(doc))


_register_activations()


def prelu_count(p: dict[str, Any], x: Shape) -> int:
    ch = p["channels"]
    if ch == "all":
        if len(x) < 1:
            raise ShapeError("prelu channels='all' needs a C×... input, got a scalar")
        return x[0]
    if ch != 1:
        raise ArgumentError(f"prelu: channels must be 1 or 'all', got {ch!r}",
                            hint="'all' learns one slope per input channel")
    return 1


def prelu_cost(p: dict[str, Any], ins: list[Shape], out: Shape) -> Cost:
    return Cost(params=prelu_count(p, ins[0]), other_flops=ACT_FLOPS * numel(out))


def lower_prelu(node: OpNode, ins: list[Shape]) -> Any:
    from torch import nn

    p = node.params
    return nn.PReLU(prelu_count(p, ins[0]), init=p["init"])


@primitive("prelu", params=(Param("channels", "any", 1), Param("init", "float", 0.25)),
           cost=prelu_cost, lower=lower_prelu, family="act", stateful=True, geometry=KEEP,
           ports=FLOAT_PORTS, channels=local_channels,
           param_shapes=lambda p, ins: {"weight": (prelu_count(p, ins[0]),)})
def prelu(p: dict[str, Any], ins: list[Shape]) -> Shape:
    """Parametric ReLU (torch.nn.PReLU): one learned slope, or one per channel ('all')."""
    prelu_count(p, ins[0])
    return ins[0]


def softmax_cost(p: dict[str, Any], ins: list[Shape], out: Shape) -> Cost:
    return Cost(other_flops=SOFTMAX_FLOPS * numel(out))


def _softmax_rule(op: str) -> Any:
    def rule(p: dict[str, Any], ins: list[Shape]) -> Shape:
        if not ins[0]:
            raise ShapeError(f"{op} needs at least one non-batch dim, got {fmt_shape(ins[0])}")
        norm_dim(op, p["dim"], len(ins[0]))
        return ins[0]

    rule.__doc__ = (f"{op} along non-batch ``dim`` (0 = channels; -1 = last), "
                    f"``torch.{op}``; output shape = input shape.")
    return rule


def _softmax_lowering(op: str) -> Any:
    def lower(node: OpNode, ins: list[Shape]) -> Fn:
        dim = norm_dim(op, node.params["dim"], len(ins[0]))
        return Fn(torch_callable(f"torch.{op}"), (In(0), dim + 1))

    return lower


def softmax_geometry(p: dict[str, Any], x: Shape | None) -> Geometry:
    """Softmax along H or W mixes that axis; along the channels it is pointwise in space."""
    if x is None or len(x) != 3:
        return MIX if x is None or len(x) > 1 else KEEP
    dim = norm_dim("softmax", p["dim"], 3)
    return (Mix() if dim == 1 else Keep(), Mix() if dim == 2 else Keep())


def softmax_channels(p: dict[str, Any], x: Shape | None) -> int | None:
    return 1 if x is None or norm_dim("softmax", p["dim"], len(x)) == 0 else None


for _op in ("softmax", "log_softmax"):
    primitive(_op, params=(Param("dim", "int", 0),), cost=softmax_cost, geometry=softmax_geometry,
              ports=FLOAT_PORTS, channels=softmax_channels,
              lower=_softmax_lowering(_op), family="act")(_softmax_rule(_op))
