"""The graph input. ``GraphBuilder.input`` creates these nodes directly; the registry entry
lets every pass look the op up like any other (the backend maps it to a forward argument)."""

from __future__ import annotations

from typing import Any

from archspec.errors import ShapeError
from archspec.ir.graph import Shape
from archspec.ops.common import fmt_shape
from archspec.ops.contract import Param, primitive
from archspec.ops.geometry import FLOAT, KEEP, Ports


@primitive("input", params=(Param("shape", "ints"),), inputs=(), family="io", geometry=KEEP,
           ports=Ports((), (FLOAT,)))
def input_op(p: dict[str, Any], ins: list[Shape]) -> Shape:
    """A network input of ``shape`` (without the batch dim), e.g. 3×224×224."""
    shape = (p["shape"],) if isinstance(p["shape"], int) else tuple(p["shape"])
    if not shape or min(shape) <= 0:
        raise ShapeError(f"input shape must have positive sizes, got {fmt_shape(shape)}",
                         hint="write e.g. [3, 224, 224]; the batch dim is implicit")
    return shape
