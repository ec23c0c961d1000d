"""The surface AST. Every node carries the Span it was written at.

The .arch text and the YAML form both produce these nodes; the elaborator consumes them and
``fmt`` prints them back canonically.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Union

from archspec.source import UNKNOWN, Span


# Nodes compare by identity, and share one __repr__: generating __eq__ and __repr__ for each of
# the 33 node classes cost 2 ms of every run's start-up (python -X importtime, 2-core CI box).
@dataclass(eq=False, repr=False)
class Node:
    span: Span = field(default=UNKNOWN, kw_only=True, compare=False)

    def __repr__(self) -> str:
        shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self)
                          if f.name != "span")
        return f"{type(self).__name__}({shown})"


# ---- expressions -------------------------------------------------------------------------

@dataclass(eq=False, repr=False)
class Num(Node):
    value: int | float


@dataclass(eq=False, repr=False)
class Str(Node):
    value: str


@dataclass(eq=False, repr=False)
class Bool(Node):
    value: bool


@dataclass(eq=False, repr=False)
class NoneLit(Node):
    """``none``: no value (an optional argument left out), and, where a layer is expected, the
    empty layer (a chain step that passes its input on, a group item that takes no index)."""


@dataclass(eq=False, repr=False)
class Name(Node):
    id: str


@dataclass(eq=False, repr=False)
class InRef(Node):
    """``in``: a block's chained input."""


@dataclass(eq=False, repr=False)
class Group(Node):
    """``[a, b, ...]``: a sequential group of layers, or a list of numbers."""

    items: list[Expr]


@dataclass(eq=False, repr=False)
class GroupFor(Node):
    """``for i in range(n) { items }`` inside a group."""

    var: str
    iter: Expr
    items: list[Expr]


@dataclass(eq=False, repr=False)
class Label(Node):
    """A module label: plain (``conv1``) or templated (``"denselayer{i + 1}"``)."""

    parts: list[str | Expr]

    @property
    def plain(self) -> str | None:
        return self.parts[0] if len(self.parts) == 1 and isinstance(self.parts[0], str) else None


@dataclass(eq=False, repr=False)
class Labeled(Node):
    label: Label
    value: Expr


@dataclass(eq=False, repr=False)
class Kwarg(Node):
    name: str
    value: Expr


@dataclass(eq=False, repr=False)
class Call(Node):
    func: Expr
    args: list[Expr]
    kwargs: list[Kwarg]


@dataclass(eq=False, repr=False)
class Attr(Node):
    value: Expr
    name: str


@dataclass(eq=False, repr=False)
class Index(Node):
    """``x[i]`` (``stop`` unused, ``is_slice`` false) or ``x[a:b:c]``."""

    value: Expr
    start: Expr | None
    stop: Expr | None = None
    step: Expr | None = None
    is_slice: bool = False


@dataclass(eq=False, repr=False)
class Annotate(Node):
    """``layer @name(args)``: an attribute for the lowering (init, checkpoint)."""

    value: Expr
    name: str
    args: list[Expr]
    kwargs: list[Kwarg]


@dataclass(eq=False, repr=False)
class BinOp(Node):
    op: str   # + - * / // % ** == != < <= > >= and or
    left: Expr
    right: Expr


@dataclass(eq=False, repr=False)
class UnaryOp(Node):
    op: str   # - + not
    operand: Expr


@dataclass(eq=False, repr=False)
class IfExpr(Node):
    """``if cond { then } else { orelse }``; without ``else``, ``orelse`` is None and the
    expression yields nothing (``none``) when ``cond`` is false."""

    cond: Expr
    then: Expr
    orelse: Expr | None = None


@dataclass(eq=False, repr=False)
class Chain(Node):
    """``head -> e1 -> e2``: apply each element to the running value."""

    head: Expr
    elements: list[Expr]


Expr = Union[Num, Str, Bool, NoneLit, Name, InRef, Group, GroupFor, Labeled, Call, Attr, Index,
             Annotate, BinOp, UnaryOp, IfExpr, Chain]


# ---- statements ----------------------------------------------------------------------------

@dataclass(eq=False, repr=False)
class Let(Node):
    name: str
    value: Expr


@dataclass(eq=False, repr=False)
class Assign(Node):
    targets: list[str]
    value: Expr


@dataclass(eq=False, repr=False)
class Input(Node):
    name: str
    shape: Expr
    bounds: list[Expr] = field(default_factory=list)  # `where H >= 32, W >= 32`


@dataclass(eq=False, repr=False)
class Out(Node):
    name: str | None
    value: Expr


@dataclass(eq=False, repr=False)
class Aux(Node):
    name: str
    value: Expr
    args: list[Expr] = field(default_factory=list)
    kwargs: list[Kwarg] = field(default_factory=list)


@dataclass(eq=False, repr=False)
class For(Node):
    var: str
    iter: Expr
    body: list[Stmt]


@dataclass(eq=False, repr=False)
class Assert(Node):
    cond: Expr
    message: Expr | None = None


@dataclass(eq=False, repr=False)
class ExprStmt(Node):
    value: Expr


Stmt = Union[Let, Assign, Input, Out, Aux, For, Assert, ExprStmt]


# ---- definitions ---------------------------------------------------------------------------

@dataclass(eq=False, repr=False)
class ParamDef(Node):
    name: str
    type: str | None = None
    default: Expr | None = None


@dataclass(eq=False, repr=False)
class BlockDef(Node):
    """``block name(params) { body }``, or with ``is_network`` a ``network``."""

    name: str
    params: list[ParamDef]
    body: list[Stmt]
    is_network: bool = False
    doc: str | None = None
    name_span: Span = UNKNOWN


@dataclass(eq=False, repr=False)
class NetworkAlias(Node):
    """``network resnet50 = resnet(depth=50)``: a network defined by another's parameters."""

    name: str
    target: str
    args: list[Expr]
    kwargs: list[Kwarg]
    is_network: bool = True
    doc: str | None = None
    name_span: Span = UNKNOWN


@dataclass(eq=False, repr=False)
class Import(Node):
    """``import "file.arch"`` (``path``) or ``import std.resnet`` (``dotted``)."""

    path: str | None = None
    dotted: list[str] | None = None
    alias: str | None = None


@dataclass(eq=False, repr=False)
class Module(Node):
    """One spec file."""

    imports: list[Import]
    lets: list[Let]
    blocks: list[BlockDef | NetworkAlias]
    order: list[Node] = field(default_factory=list)  # items in source order, for fmt

    @property
    def networks(self) -> list[BlockDef]:
        return [b for b in self.blocks if b.is_network]
