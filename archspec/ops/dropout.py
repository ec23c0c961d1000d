"""Dropout. Lowered to parameter-free modules (nn.Dropout, nn.Dropout2d) because the behaviour
follows the parent module's train/eval mode, which a plain function call cannot see."""

from __future__ import annotations

from typing import Any

from archspec.errors import ArgumentError, ShapeError
from archspec.ir.graph import OpNode, Shape
from archspec.ops.common import fmt_shape
from archspec.ops.contract import Param, local_channels, primitive
from archspec.ops.geometry import FLOAT_PORTS, KEEP

P = Param("p", "float", 0.5, doc="drop probability")


def check_p(op: str, p: float) -> None:
    if not 0.0 <= p <= 1.0:
        raise ArgumentError(f"{op}: p must be between 0 and 1, got {p}")


def lower_dropout(node: OpNode, ins: list[Shape]) -> Any:
    from torch import nn

    return nn.Dropout(node.params["p"])


@primitive("dropout", params=(P,), lower=lower_dropout, family="dropout", geometry=KEEP,
           ports=FLOAT_PORTS, channels=local_channels)
def dropout(p: dict[str, Any], ins: list[Shape]) -> Shape:
    """Element-wise dropout in training, identity in eval (torch.nn.Dropout)."""
    check_p("dropout", p["p"])
    return ins[0]


def lower_dropout2d(node: OpNode, ins: list[Shape]) -> Any:
    from torch import nn

    return nn.Dropout2d(node.params["p"])


@primitive("dropout2d", params=(P,), lower=lower_dropout2d, family="dropout", geometry=KEEP,
           ports=FLOAT_PORTS, channels=local_channels)
def dropout2d(p: dict[str, Any], ins: list[Shape]) -> Shape:
    """Drops whole channels of a C×H×W input (torch.nn.Dropout2d)."""
    check_p("dropout2d", p["p"])
    if len(ins[0]) != 3:
        raise ShapeError(f"dropout2d expects a C×H×W input, got {fmt_shape(ins[0])}",
                         hint="use dropout for vectors")
    return ins[0]
