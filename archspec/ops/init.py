"""``@init`` rules: the values a layer's parameters start from (the part check needs).

Rule names and arguments are those of ``torch.nn.init`` without the tensor and the trailing
``_`` (``@init("kaiming_normal", mode="fan_out", nonlinearity="relu")``), plus archspec's
``identity_affine``. Which parameters a rule sets: the one named by ``param=``; without it,
``zeros``, ``ones``, ``constant`` and ``identity_affine`` set every parameter of the layer and
the others its ``weight`` (a free parameter is its own single tensor). The torch half
(``INITS``) is in ``archspec/backends/torch/modules.py``; this module imports no torch.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from archspec.errors import ArgumentError, SpecTypeError, did_you_mean
from archspec.ir.graph import Shape
from archspec.ops.registry import FREE, Param, Primitive

NONLINEARITIES = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                  "conv_transpose2d", "conv_transpose3d", "sigmoid", "tanh", "relu",
                  "leaky_relu", "selu")
FAN_MODES = ("fan_in", "fan_out")


@dataclass(frozen=True)
class InitRule:
    """One ``@init``: ``rule`` with its bound arguments (``kwargs``, every one named), applied
    to ``param`` (None: the rule's default parameters)."""

    rule: str
    args: tuple[tuple[str, Any], ...] = ()
    param: str | None = None

    @property
    def kwargs(self) -> dict[str, Any]:
        return dict(self.args)

    def __str__(self) -> str:
        parts = [repr(self.rule), *(f"{k}={v!r}" for k, v in self.args)]
        parts += [f"param={self.param!r}"] if self.param is not None else []
        return f"@init({', '.join(parts)})"


@dataclass(frozen=True)
class RuleSpec:
    """A rule's schema: its arguments, whether it sets every parameter by default, and
    whether it needs a tensor with fan-in and fan-out (two dims or more)."""

    name: str
    params: tuple[Param, ...] = ()
    every: bool = False
    fan: bool = False

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name or name in p.aliases), None)


def _kaiming(name: str) -> RuleSpec:
    return RuleSpec(name, (Param("a", "float", 0.0), Param("mode", "str", "fan_in",
                                                           choices=FAN_MODES),
                           Param("nonlinearity", "str", "leaky_relu", choices=NONLINEARITIES)),
                    fan=True)


MEAN, STD = Param("mean", "float", 0.0), Param("std", "float", 1.0)
GAIN = Param("gain", "float", 1.0)
RULES: dict[str, RuleSpec] = {r.name: r for r in (
    RuleSpec("zeros", every=True),
    RuleSpec("ones", every=True),
    RuleSpec("constant", (Param("val", "float", aliases=("value",)),), every=True),
    RuleSpec("normal", (MEAN, STD)),
    RuleSpec("trunc_normal", (MEAN, STD, Param("a", "float", -2.0), Param("b", "float", 2.0))),
    RuleSpec("uniform", (Param("a", "float", 0.0), Param("b", "float", 1.0))),
    _kaiming("kaiming_normal"),
    _kaiming("kaiming_uniform"),
    RuleSpec("xavier_normal", (GAIN,), fan=True),
    RuleSpec("xavier_uniform", (GAIN,), fan=True),
    RuleSpec("identity_affine", every=True),
)}


def bind_init(rule: Any, args: list[Any], kwargs: dict[str, Any]) -> InitRule:
    """``@init(rule, *args, **kwargs)`` checked against the rule's schema (ArgumentError or
    SpecTypeError without a span: the elaborator adds it). ``param=`` names the target."""
    from archspec.ops.binding import bind_params
    if not isinstance(rule, str) or rule not in RULES:
        shown = repr(rule) if isinstance(rule, str) else "a rule name first"
        raise ArgumentError(f"unknown init rule {shown}",
                            hint=(did_you_mean(rule, RULES) if isinstance(rule, str) else None)
                            or f"known: {', '.join(RULES)}")
    kwargs = dict(kwargs)
    param = kwargs.pop("param", None)
    if param is not None and not isinstance(param, str):
        raise ArgumentError(f"@init param= names a parameter ('weight', 'bias'), not {param!r}")
    spec = RULES[rule]
    shown = replace(spec, name=f"@init({rule!r})")  # how messages name it
    try:
        bound = bind_params(shown, args, kwargs)  # type: ignore[arg-type]  # same schema shape
    except (ArgumentError, SpecTypeError) as err:
        err.hint = rule_signature(spec) if isinstance(err, ArgumentError) else err.hint
        raise
    if rule == "uniform" and bound["a"] > bound["b"]:
        raise ArgumentError(f"@init('uniform'): a={bound['a']} is above b={bound['b']}")
    if rule in ("normal", "trunc_normal") and bound["std"] < 0:
        raise ArgumentError(f"@init({rule!r}): std must not be negative, got {bound['std']}")
    return InitRule(rule, tuple(bound.items()), param)


def rule_signature(spec: RuleSpec) -> str:
    """``@init("kaiming_normal", a=0.0, mode='fan_in', ...)`` for hints."""
    parts = [p.name if p.required else f"{p.name}={p.default!r}" for p in spec.params]
    return f'@init("{spec.name}"{"".join(", " + p for p in parts)}, param=...)'


def as_rules(value: Any) -> tuple[InitRule, ...]:
    """``attrs['init']`` as rules: graphs built in Python may give a bare rule name."""
    if isinstance(value, InitRule):
        return (value,)
    if isinstance(value, str):
        return (InitRule(value),)
    return tuple(value or ())


def targets(init: InitRule, shapes: dict[str, Shape]) -> list[str] | str:
    """The parameters ``init`` sets among ``shapes`` (name -> shape), or why it cannot."""
    spec = RULES[init.rule]
    if not shapes:
        return "it has no parameters"
    if init.param is not None:
        if FREE in shapes:
            return "a free parameter is one tensor: leave out param="
        if init.param not in shapes:
            return f"it has no parameter '{init.param}' (it has {', '.join(shapes)})"
        names = [init.param]
    elif spec.every or FREE in shapes:
        names = list(shapes)
    elif "weight" in shapes:
        names = ["weight"]
    else:
        return f"it has no weight: name a parameter with param= (it has {', '.join(shapes)})"
    for name in names if spec.fan else []:
        if len(shapes[name]) < 2:
            label = f"'{name}'" if name else "the parameter"
            return (f"{init.rule} needs a tensor of two dims or more (fan-in and fan-out); "
                    f"{label} has shape {tuple(shapes[name])}")
    return names


def init_problem(init: InitRule, prim: Primitive, params: dict[str, Any],
                 ins: list[Shape]) -> str | None:
    """Why ``init`` cannot apply to a node of ``prim`` (None: it can)."""
    shapes = prim.param_shapes(params, ins) if prim.param_shapes is not None else {}
    found = targets(init, shapes)
    return found if isinstance(found, str) else None
