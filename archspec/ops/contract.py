"""The primitive contract: what a primitive file declares, and the decorator that registers it.

Primitive files (the families under ``archspec/ops``) import this module; the rest of the
compiler looks primitives up through :mod:`archspec.ops.registry`. A primitive keeps together,
in one small file per family under ``archspec/ops``: its parameter schema, its port types, its
per-axis geometry rule (see ``ops/geometry.py``), its shape rule, its parameter/MAC rule, its
torch lowering and how the lowering uses the node's name. ``docs/primitives.md`` describes
every field. Shape and cost rules are pure Python; lowerings import torch lazily inside the
function, so ``check`` and ``audit`` never import torch.

Rules raise :class:`ShapeError` / :class:`ArgumentError` without a span; the elaborator
attaches the span of the call site.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from archspec.ir.graph import OpNode, Shape
from archspec.ops.geometry import Geometry, Ports


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()
FREE = ""   # the name, in ``param_shapes``, of a free parameter's one tensor (the layer itself)

# Parameter types understood by the elaborator's argument checker:
#   int, float (ints accepted), number, bool, str, pair (int or 2 ints -> tuple[int, int]),
#   ints (list of ints -> tuple), floats, any, padding (pair or 'same'/'valid')
PARAM_TYPES = {"int", "float", "number", "bool", "str", "pair", "ints", "floats", "any",
               "padding"}


class Param(NamedTuple):  # a named tuple: ~200 parameters are declared at every start-up
    """One parameter of a primitive's schema (types in ``PARAM_TYPES``)."""

    name: str
    type: str
    default: Any = REQUIRED
    aliases: tuple[str, ...] = ()
    choices: tuple[Any, ...] = ()
    doc: str = ""

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


@dataclass(frozen=True)
class Cost:
    """Static cost of one node. FLOPs = 2 * macs + other_flops (see docs/audit.md)."""

    params: int = 0
    buffers: int = 0
    macs: int = 0
    other_flops: int = 0   # non multiply-add work: BN, activations, pooling, softmax, ...

    @property
    def flops(self) -> int:
        return 2 * self.macs + self.other_flops


@dataclass(frozen=True, eq=False)  # a marker: compared by identity
class Fn:
    """A functional lowering: ``target(*args, **kwargs)`` where args may hold ``In(i)`` markers
    (the i-th input tensor) or ``INPUTS`` (the list of all inputs)."""

    target: Callable[..., Any]
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)  # a marker: compared by identity
class FreeParam:
    """A lowering that is a bare learnable tensor (an ``nn.Parameter``) registered on the parent
    module at the node's name, combined with the input by ``target(x, value)`` (``operator.mul``
    for a layer scale, ``operator.add`` for a position embedding)."""

    value: Any
    target: Callable[[Any, Any], Any]


@dataclass(frozen=True, eq=False)  # a marker: compared by identity
class In:
    index: int


class _AllInputs:
    def __repr__(self) -> str:
        return "INPUTS"


INPUTS: Any = _AllInputs()

ShapeRule = Callable[[dict[str, Any], list[Shape]], Shape | tuple[Shape, dict[int, Shape]]]
CostRule = Callable[[dict[str, Any], list[Shape], Shape], Cost]
Lowering = Callable[[OpNode, list[Shape]], Any]  # -> torch.nn.Module | Fn
# params, primary input shape (None when unknown, e.g. for a label) -> rule per spatial axis
GeometryRule = Callable[[dict[str, Any], Shape | None], Geometry | None]
# params, input shapes -> name -> shape of each parameter the lowering creates
ParamShapes = Callable[[dict[str, Any], list[Shape]], dict[str, Shape]]
# params, primary input shape -> groups of channel mixing (1: dense), or None: channel-local
ChannelRule = Callable[[dict[str, Any], Shape | None], int | None]


def _no_cost(params: dict[str, Any], ins: list[Shape], out: Shape) -> Cost:
    return Cost()


def dense_channels(params: dict[str, Any], x: Shape | None) -> int | None:
    """The default channel rule: every output channel may read every input channel."""
    return 1


def local_channels(params: dict[str, Any], x: Shape | None) -> int | None:
    """Channel-local ops (activations, norms, pools): output channel c reads input channel c."""
    return None


def default_init_check(init: str, n: OpNode) -> str | None:
    """Why ``@init(init)`` cannot apply to node ``n`` (None: it can). ``zeros``/``ones`` set
    every parameter of a stateful layer; ``identity_affine`` is linear's own."""
    if not n.module:
        return "it has no parameters"
    if init == "identity_affine":
        return "identity_affine needs a linear layer with 6 outputs and a bias"
    return None


def weight_bias(weight: Shape, bias: int | None) -> dict[str, Shape]:
    """A ``weight`` of that shape and, unless None, a ``bias`` of that many elements."""
    return {"weight": tuple(weight), **({"bias": (bias,)} if bias is not None else {})}


def constant(geometry: Geometry) -> GeometryRule:
    """A geometry rule that does not depend on parameters (pointwise ops, flatten)."""
    def rule(params: dict[str, Any], x: Shape | None) -> Geometry:
        return geometry
    return rule


@dataclass(frozen=True, eq=False, repr=False)  # an entry of the registry: identity is its equality
class Primitive:
    """A built-in op. ``inputs`` names the tensor operands; ``variadic`` allows any number of
    operands (at least ``len(inputs)``). ``geometry`` and ``ports`` are required at
    registration; ``channels`` says how channels mix (lints); ``name_use`` says what the
    lowering does with the node's name: a submodule path (``module``, the stateful ops), a
    parameter of the parent module (``parameter``, free parameters), a ``forward`` argument
    (``argument``, the graph input) or nothing (``none``). ``param_shapes`` names the
    parameters of a stateful op, with their shapes."""

    name: str
    params: tuple[Param, ...]
    infer: ShapeRule
    geometry: GeometryRule
    ports: Ports
    lower: Lowering | None = None
    cost: CostRule = _no_cost
    inputs: tuple[str, ...] = ("x",)
    variadic: bool = False
    optional_inputs: tuple[str, ...] = ()   # named operands that may be left out (mask)
    family: str = "other"   # conv | norm | act | pool | linear | merge | shape | attention | io
    stateful: bool = False  # has parameters or buffers: lowered to a named submodule
    channels: ChannelRule = dense_channels
    link: Callable[[dict[str, Any], list[Any]], None] | None = None  # checks operands' makers
    init_check: Callable[[str, OpNode], str | None] = default_init_check  # @init(...) on it
    param_shapes: ParamShapes | None = None  # the parameters @init(param=...) may name
    parameter: bool = False  # lowered to a bare nn.Parameter at the node's name (FreeParam)
    doc: str = ""

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"

    @property
    def name_use(self) -> str:
        if not self.inputs and not self.variadic:
            return "argument"
        if self.parameter:
            return "parameter"
        return "module" if self.stateful else "none"

    @property
    def all_inputs(self) -> tuple[str, ...]:
        return self.inputs + self.optional_inputs

    def param(self, name: str) -> Param | None:
        for p in self.params:
            if p.name == name or name in p.aliases:
                return p
        return None


PRIMITIVES: dict[str, Primitive] = {}


def primitive(name: str, *, params: tuple[Param, ...] = (),
              geometry: GeometryRule | Geometry | None = None, ports: Ports | None = None,
              **kw: Any) -> Callable[[ShapeRule], ShapeRule]:
    """Register the decorated shape rule as primitive ``name``; other fields as keywords.
    ``geometry`` (a rule, or a constant :data:`Geometry`) and ``ports`` are required."""
    if geometry is None or ports is None:
        missing = "geometry" if geometry is None else "ports"
        raise TypeError(f"primitive {name!r} must declare its {missing} (see docs/primitives.md)")
    rule = constant(geometry) if isinstance(geometry, tuple) else geometry

    def register(infer: ShapeRule) -> ShapeRule:
        if name in PRIMITIVES:
            raise ValueError(f"primitive {name!r} registered twice")
        PRIMITIVES[name] = Primitive(name, tuple(params), infer, rule, ports,
                                     doc=(infer.__doc__ or "").strip(), **kw)
        return infer

    return register
