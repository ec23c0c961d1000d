"""Runtime values of elaboration: numbers, tensors (graph references) and layers (callables)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from archspec.frontend import ast as A
from archspec.ir.graph import Ref, Shape
from archspec.ops.binding import describe_value
from archspec.ops.common import fmt_shape
from archspec.ops.registry import Primitive
from archspec.source import UNKNOWN, Span


@dataclass(frozen=True)
class Tensor:
    """A reference to one output of a graph node, with its inferred shape."""

    ref: Ref
    shape: Shape

    def describe(self) -> str:
        return f"a tensor {fmt_shape(self.shape)}"


class Poison:
    """The value of something whose evaluation already failed: it silences follow-on errors."""

    def describe(self) -> str:
        return "an erroneous value"


POISON = Poison()


class Layer:
    """Something a chain can apply to a tensor: ``x -> layer``."""

    span: Span = UNKNOWN

    def describe(self) -> str:
        return "a layer"


@dataclass(eq=False)
class PrimLayer(Layer):
    prim: Primitive
    args: list[Any]
    kwargs: dict[str, Any]
    tensors: list[Tensor] = field(default_factory=list)   # operands given in the call
    tensor_kwargs: dict[str, Tensor] = field(default_factory=dict)
    span: Span = UNKNOWN

    def describe(self) -> str:
        return f"the layer '{self.prim.name}'"


@dataclass(eq=False)
class BlockLayer(Layer):
    block: A.BlockDef
    args: list[Any]
    kwargs: dict[str, Any]
    namespace: Any          # the Namespace the block was defined in
    span: Span = UNKNOWN
    arg_spans: dict[str, Span] = field(default_factory=dict)

    def describe(self) -> str:
        return f"the block '{self.block.name}'"


@dataclass(eq=False)
class GroupLayer(Layer):
    """``[a, b, c]``: applied in sequence; children numbered like nn.Sequential when labelled."""

    items: list[Layer]
    span: Span = UNKNOWN
    numbered: bool = True   # False for chains of layers composed with `->`

    def describe(self) -> str:
        return f"a group of {len(self.items)} layers"


@dataclass(eq=False)
class RepeatLayer(Layer):
    layer: Layer
    count: int
    span: Span = UNKNOWN

    def describe(self) -> str:
        return f"{self.layer.describe()} repeated {self.count} times"


@dataclass(eq=False)
class LabeledLayer(Layer):
    label: str
    layer: Layer
    span: Span = UNKNOWN
    label_span: Span = UNKNOWN


@dataclass(eq=False)
class AnnotatedLayer(Layer):
    layer: Layer
    attrs: dict[str, Any]
    span: Span = UNKNOWN


@dataclass(eq=False)
class Builtin:
    name: str
    fn: Any

    def describe(self) -> str:
        return f"the function '{self.name}'"


def describe(value: Any) -> str:
    """'a tensor 64×56×56', 'the number 3', ... for error messages."""
    return describe_value(value)
