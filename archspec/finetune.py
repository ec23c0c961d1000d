"""What users do with a CNN first: freeze part of it, or take its multi-scale features.

Both are transformations of the elaborated graph, made before audit and build, so that the
audit reports what the built module does: ``freeze_matching`` marks layers ``frozen`` exactly as
``@frozen`` does; ``feature_graph`` keeps only what the chosen feature maps need (the unused
head is not built) and makes those maps the outputs, following timm's ``features_only``
convention (``feature_info``: name, channels, reduction).
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from archspec.errors import did_you_mean
from archspec.ir.graph import (
    GraphMeta,
    OpGraph,
    OpNode,
    OutputInfo,
    Ref,
    add_node,
    ancestors,
    blocks,
    node,
    nodes,
)


class FeatureError(ValueError):
    """A freeze pattern or feature name that does not name anything in the network."""


def freeze_matching(ir: OpGraph, patterns: Iterable[str]) -> list[str]:
    """Mark every stateful layer whose path matches one of ``patterns`` frozen; returns them.
    ``layer1`` matches ``layer1`` and everything inside it; ``layer1.*`` and ``*.bn?`` are
    shell-style patterns over the dotted module path."""
    stateful = [n for n in nodes(ir) if n.module]
    frozen: dict[str, OpNode] = {}
    for pattern in patterns:
        hits = [n for n in stateful if _matches(n.name, pattern)]
        if not hits:
            names = {p for n in stateful for p in _prefixes(n.name)}
            hint = did_you_mean(pattern, names) or "patterns match dotted module paths"
            raise FeatureError(f"freeze pattern {pattern!r} matches no layer; {hint}")
        frozen.update((n.name, n) for n in hits)
    for n in frozen.values():
        n.attrs["frozen"] = True
    return list(frozen)


def _matches(path: str, pattern: str) -> bool:
    return any(fnmatch.fnmatchcase(p, pattern) for p in _prefixes(path))


def _prefixes(path: str) -> list[str]:
    parts = path.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


@dataclass(frozen=True)
class FeatureInfo:
    """One feature map: where it is taken, its channels and its reduction (input / map size)."""

    name: str
    ref: Ref
    channels: int
    reduction: int

    def as_dict(self) -> dict[str, object]:
        return {"module": self.name, "num_chs": self.channels, "reduction": self.reduction}


def feature_points(ir: OpGraph) -> list[FeatureInfo]:
    """The default feature maps: for each reduction of the input, the last top-level stage
    (block, group or labelled layer) producing it, before the first layer that mixes all
    positions. A stage spanning several reductions (VGG's ``features``) is looked into."""
    size = _input_size(ir)
    if size is None:
        return []
    chosen: dict[int, FeatureInfo] = {}
    for path, ref in _stages(ir, "", 1, size):
        shape = node(ir, ref.node).port_shape(ref.port)
        chosen[_reduction(size, shape[1])] = FeatureInfo(path, ref, shape[0],
                                                         _reduction(size, shape[1]))
    return sorted(chosen.values(), key=lambda f: f.reduction)


def _input_size(ir: OpGraph) -> int | None:
    first = next((n for n in nodes(ir) if n.op == "input"), None)
    return first.shape[1] if first is not None and len(first.shape) == 3 else None


def _reduction(size: int, height: int) -> int:
    """Input height over map height, as the power of two nearest in ratio (299 -> 35 is 8)."""
    return 2 ** max(0, round(math.log2(size / height)))


def _stages(ir: OpGraph, prefix: str, at: int, size: int) -> list[tuple[str, Ref]]:
    out = []
    for path, ref in _children(ir, prefix):
        shape = node(ir, ref.node).port_shape(ref.port)
        if len(shape) != 3:
            continue
        if shape[1] == 1 and shape[2] == 1 and size > 1:
            break  # a global pool: everything after it mixes all positions
        reduction = _reduction(size, shape[1])
        if reduction < at:
            break  # maps grow again: a decoder, past the features
        if reduction >= 4 * at and _children(ir, path):
            out += _stages(ir, path, at, size)
        else:
            out.append((path, ref))
        at = reduction
    return out


def _children(ir: OpGraph, prefix: str) -> list[tuple[str, Ref]]:
    """The items directly inside ``prefix`` in the order they start, each with its output."""
    infos = blocks(ir)
    depth = prefix.count(".") + 1 if prefix else 0
    items: dict[str, Ref] = {}
    for n in nodes(ir):
        if n.op == "input" or (prefix and not n.name.startswith(prefix + ".")):
            continue
        path = ".".join(n.name.split(".")[: depth + 1])
        info = infos.get(path)
        items[path] = info.output if info is not None and info.output else Ref(n.name)
    return list(items.items())


def select_features(ir: OpGraph, wanted: Sequence[str | int] | None) -> list[FeatureInfo]:
    """The feature points named in ``wanted`` (stage names or indices into the default list,
    timm's ``out_indices``); all default points when ``wanted`` is None."""
    points = feature_points(ir)
    if wanted is None:
        return points
    by_name = {f.name: f for f in points}
    out = []
    for w in wanted:
        if isinstance(w, int):
            if not -len(points) <= w < len(points):
                raise FeatureError(f"feature index {w} is out of range: the network has "
                                   f"{len(points)} feature maps ({', '.join(by_name)})")
            out.append(points[w])
        else:
            out.append(by_name.get(w) or _named_stage(ir, w, points))
    return out


def _named_stage(ir: OpGraph, name: str, points: list[FeatureInfo]) -> FeatureInfo:
    info = blocks(ir).get(name)
    ref = info.output if info is not None and info.output else (Ref(name) if name in ir else None)
    shape = node(ir, ref.node).port_shape(ref.port) if ref is not None else ()
    if ref is None or len(shape) != 3:
        hint = did_you_mean(name, [f.name for f in points]) or "feature maps: " + ", ".join(
            f.name for f in points)
        raise FeatureError(f"{name!r} is not a feature map of this network; {hint}")
    size = _input_size(ir) or shape[1]
    return FeatureInfo(name, ref, shape[0], _reduction(size, shape[1]))


def feature_graph(ir: OpGraph, features: Sequence[FeatureInfo]) -> OpGraph:
    """A copy of ``ir`` computing only ``features``, which become its outputs (main, in the
    order given): every node they do not need, the classifier head included, is left out."""
    keep = ancestors(ir, [f.ref.node for f in features])
    meta = ir.meta
    out = OpGraph(GraphMeta(meta.name, meta.params, span=meta.span))
    for n in nodes(ir):
        if n.name in keep:
            add_node(out, n)
    out.meta.blocks = {path: b for path, b in meta.blocks.items()
                       if path == "" or (b.output is not None and b.output.node in keep)}
    out.meta.outputs = {f.name: OutputInfo(f.name, f.ref, span=meta.span) for f in features}
    return out


class FeatureInfoList(list):
    """``model.feature_info``: one dict per feature map (``module``, ``num_chs``,
    ``reduction``), with timm's accessors."""

    def channels(self) -> list[int]:
        return [f["num_chs"] for f in self]

    def reduction(self) -> list[int]:
        return [f["reduction"] for f in self]

    def module_name(self) -> list[str]:
        return [f["module"] for f in self]


def build_finetuned(net: Any, *, weights: Any = None, partial: bool = False,
                    features: Sequence[str | int] | None = None, all_features: bool = False,
                    freeze: Iterable[str] = (), **build_options: Any) -> Any:
    """``net`` built for fine-tuning: layers matching ``freeze`` frozen, only the feature maps
    ``features`` computed (``all_features``: every default one), ``weights`` loaded. The
    network's own IR is not changed: the frozen marks go on a copy."""
    from archspec.backends.torch import build_module
    from archspec.backends.torch.weights import head_modules, load_weights
    ir = _copy_for_marks(net.ir) if freeze else net.ir
    freeze_matching(ir, freeze)
    chosen = select_features(ir, features) if features is not None or all_features else None
    graph = feature_graph(ir, chosen) if chosen is not None else ir
    model = build_module(graph, **build_options)
    if chosen is not None:
        model.feature_info = FeatureInfoList(f.as_dict() for f in chosen)
    if weights is not None:
        head = () if chosen is not None else head_modules(ir)
        model.weights_report = load_weights(model, weights, head=head,
                                            partial=partial or chosen is not None)
    return model


def _copy_for_marks(ir: OpGraph) -> OpGraph:
    """``ir`` with copies of its stateful nodes' attrs, so marking them leaves ``ir`` as it is."""
    import copy
    import dataclasses
    out = OpGraph(dataclasses.replace(ir.meta, inputs=[]))
    for n in nodes(ir):
        add_node(out, copy.copy(n) if not n.module else _with_own_attrs(n))
    return out


def _with_own_attrs(n: OpNode) -> OpNode:
    import copy
    c = copy.copy(n)
    c.attrs = dict(n.attrs)
    return c
