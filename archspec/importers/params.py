"""Block parameters from unification holes: equal holes share a parameter, a hole that is a
multiple of another becomes ``channels * 4``, one equal to the input's channels ``in.c``; the
most common value of a parameter becomes its default."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from archspec.frontend import ast as A
from archspec.importers.unify import Hole

NAMES = {"out": "channels", "stride": "stride", "kernel": "kernel", "groups": "groups",
         "padding": "padding", "dilation": "dilation", "p": "drop_rate",
         "repeats": "num_layers"}   # a loop's count (loops.COUNT)


@dataclass
class Param:
    name: str
    kind: str
    values: list[Any]
    default: Any = None
    has_default: bool = False


@dataclass
class Signature:
    params: list[Param] = field(default_factory=list)
    mapping: dict[str, A.Expr] = field(default_factory=dict)   # hole name -> expression

    def defs(self) -> list[A.ParamDef]:
        from archspec.importers.emit import value_ast
        ordered = sorted(self.params, key=lambda p: p.has_default)
        return [A.ParamDef(p.name, default=value_ast(p.default) if p.has_default else None)
                for p in ordered]

    def call_args(self, i: int) -> tuple[list[Any], dict[str, Any]]:
        args = [fill(p, i) for p in self.params if not p.has_default]
        kwargs = {p.name: p.values[i] for p in self.params
                  if p.has_default and p.values[i] is not None and p.values[i] != p.default}
        return args, kwargs


def fill(p: Param, i: int) -> Any:
    return p.values[i] if p.values[i] is not None else mode(p.values)


def mode(values: list[Any]) -> Any:
    counts = Counter(v for v in values if v is not None)
    return counts.most_common(1)[0][0]


def compatible(a: list[Any], b: list[Any]) -> bool:
    return all(x is None or y is None or (type(x) is type(y) and x == y) for x, y in zip(a, b))


def multiple_of(values: list[Any], base: list[Any]) -> int | None:
    pairs = [(v, b) for v, b in zip(values, base) if v is not None and b is not None]
    if not pairs or not all(isinstance(v, int) and isinstance(b, int) and b > 0
                            for v, b in pairs):
        return None
    k = pairs[0][0] // pairs[0][1]
    return k if k > 1 and all(v == k * b for v, b in pairs) else None


def divisor_of(in_channels: list[int | None], values: list[Any]) -> int | None:
    """k when every value is ``in.c // k`` exactly (a slice bound: ShuffleNet's halves)."""
    if None in in_channels or not all(isinstance(v, int) and v > 0 for v in values):
        return None
    k = in_channels[0] // values[0]   # type: ignore[operator]
    return k if k >= 1 and all(v * k == c for v, c in zip(values, in_channels)) else None


def channels_first(in_channels: list[int | None], values: list[Any]) -> bool:
    """Every value is ``[in.c, ...]`` with one same tail (ConvNeXt's ``[dim, 1, 1]`` scale)."""
    return (None not in in_channels and all(isinstance(v, (list, tuple)) and v for v in values)
            and all(v[0] == c for v, c in zip(values, in_channels))
            and len({tuple(v[1:]) for v in values}) == 1)


def signature(holes: list[Hole], in_channels: list[int | None]) -> Signature:
    sig = Signature()
    for h in holes:
        sig.mapping[h.name] = expression(sig, h, in_channels)
    taken: set[str] = set()
    for p in sig.params:
        p.name = unique_name(p.name, taken)
        set_default(p)
    return sig


def expression(sig: Signature, h: Hole, in_channels: list[int | None]) -> A.Expr:
    for p in sig.params:
        if p.kind == h.kind and compatible(p.values, h.values):
            p.values = [x if x is not None else y for x, y in zip(p.values, h.values)]
            return ParamRef(p)
    if h.kind == "out" and None not in in_channels and compatible(in_channels, h.values):
        return A.Attr(A.InRef(), "c")
    if h.kind in ("start", "stop") and (k := divisor_of(in_channels, h.values)):
        return A.Attr(A.InRef(), "c") if k == 1 else A.BinOp("//", A.Attr(A.InRef(), "c"),
                                                             A.Num(k))
    if h.kind == "shape" and channels_first(in_channels, h.values):
        rest = {tuple(v[1:]) for v in h.values}.pop()
        return A.Group([A.Attr(A.InRef(), "c"), *(A.Num(n) for n in rest)])
    for p in sig.params:
        k = multiple_of(h.values, p.values) if p.kind == h.kind == "out" else None
        if k:
            return A.BinOp("*", ParamRef(p), A.Num(k))
    name = f"with_{h.label}" if h.kind == "flag" else \
        NAMES.get(h.kind, f"{h.label}_{h.kind}" if h.label else h.kind)
    p = Param(name, h.kind, list(h.values))
    sig.params.append(p)
    return ParamRef(p)


class ParamRef(A.Name):
    """A reference to a Param whose final name is chosen after all holes are seen."""

    def __init__(self, param: Param):
        super().__init__("")
        self.param = param

    @property  # type: ignore[override]
    def id(self) -> str:
        return self.param.name

    @id.setter
    def id(self, value: str) -> None:
        pass


def unique_name(name: str, taken: set[str]) -> str:
    from archspec.importers.flat import identifier, reserved_names
    result = identifier(name, taken | reserved_names())
    taken.add(result)
    return result


def set_default(p: Param) -> None:
    values = [v for v in p.values if v is not None]
    common, count = Counter(values).most_common(1)[0]
    if p.kind == "flag" or count * 2 > len(p.values):
        p.default, p.has_default = (False if p.kind == "flag" else common), True
