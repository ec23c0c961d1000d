"""Pretrained weights: load a state dict into a built network, keeping what fits.

The fine-tuning routine users expect: every key whose name and shape match is loaded; a key
whose shape changed only because the head changed (``num_classes=10`` on an ImageNet
checkpoint) keeps its fresh initialisation; anything else is an error unless the caller asks
for a partial load. The report says which keys went where.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn


class WeightsError(ValueError):
    """A state dict that does not fit the network (and a partial load was not asked for)."""


@dataclass
class WeightsReport:
    """What ``load_weights`` did with each key."""

    loaded: list[str] = field(default_factory=list)
    reinitialized: list[str] = field(default_factory=list)   # head keys whose shape changed
    unexpected: list[str] = field(default_factory=list)      # in the file, not in the network
    missing: list[str] = field(default_factory=list)         # in the network, not in the file

    def __repr__(self) -> str:
        return f"WeightsReport({self.summary()})"

    def summary(self) -> str:
        parts = [f"{len(self.loaded)} loaded", f"{len(self.reinitialized)} re-initialised"]
        if self.unexpected:
            parts.append(f"{len(self.unexpected)} unexpected")
        if self.missing:
            parts.append(f"{len(self.missing)} missing")
        return ", ".join(parts)


def read_state_dict(source: str | Path | Mapping[str, Any]) -> Mapping[str, Any]:
    """A state dict given directly, or read from a ``torch.save`` file with ``weights_only``
    (a checkpoint never runs code). A dict holding ``state_dict`` or ``model`` is unwrapped."""
    if isinstance(source, Mapping):
        return source
    path = Path(source)
    try:
        data = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise WeightsError(f"weights file not found: {path}") from None
    except Exception as e:  # torch raises many types for a file that is not a checkpoint
        raise WeightsError(f"cannot read weights from {path}: {e}") from None
    for key in ("state_dict", "model"):
        if isinstance(data, Mapping) and isinstance(data.get(key), Mapping):
            data = data[key]
    if not isinstance(data, Mapping):
        raise WeightsError(f"{path} holds a {type(data).__name__}, not a state dict")
    return data


def load_weights(model: nn.Module, source: str | Path | Mapping[str, Any], *,
                 head: Iterable[str] = (), partial: bool = False) -> WeightsReport:
    """Copy the matching tensors of ``source`` into ``model``.

    ``head`` names the modules (dotted paths) whose parameters may change shape: their
    mismatched keys keep the model's own initialisation. With ``partial=True`` every mismatch,
    missing and unexpected key is tolerated and reported instead of raising WeightsError.
    """
    state = read_state_dict(source)
    own = model.state_dict()
    report = _classify(own, state, tuple(head))
    problems = _problems(report, own, state, head_ok=set(report.reinitialized))
    if problems and not partial:
        raise WeightsError("the weights do not fit this network:\n  " + "\n  ".join(problems)
                           + "\n(pass partial=True / --partial to load what fits)")
    with torch.no_grad():
        for key in report.loaded:
            own[key].copy_(state[key])
    return report


def _classify(own: Mapping[str, Any], state: Mapping[str, Any],
              head: tuple[str, ...]) -> WeightsReport:
    report = WeightsReport(unexpected=[k for k in state if k not in own])
    for key, tensor in own.items():
        if key not in state:
            report.missing.append(key)
        elif tuple(state[key].shape) == tuple(tensor.shape):
            report.loaded.append(key)
        elif _in_head(key, head):
            report.reinitialized.append(key)
        else:
            report.missing.append(key)  # shape mismatch outside the head: reported below
    return report


def _in_head(key: str, head: tuple[str, ...]) -> bool:
    module = key.rsplit(".", 1)[0]
    return any(module == h or module.startswith(h + ".") for h in head)


def _problems(report: WeightsReport, own: Mapping[str, Any], state: Mapping[str, Any],
              head_ok: set[str]) -> list[str]:
    """Each key that does not fit, missing ones paired with the file's nearest unexpected key
    (a renamed module, ``block1_0`` against ``block1-0``, shows as one line)."""
    import difflib
    spare = list(report.unexpected)
    out = []
    for key in report.missing:
        if key in state:
            out.append(f"{key}: shape {tuple(state[key].shape)} in the file, "
                       f"{tuple(own[key].shape)} in the network (not a head layer)")
            continue
        near = difflib.get_close_matches(key, spare, n=1, cutoff=0.8)
        if near:
            spare.remove(near[0])
        out.append(f"{key}: missing from the file" + (f" (it has '{near[0]}')" if near else ""))
    out += [f"{key}: not in the network" for key in spare]
    shown = out[:12]
    if len(out) > len(shown):
        shown.append(f"... and {len(out) - len(shown)} more ({len(report.missing)} missing, "
                     f"{len(report.unexpected)} unexpected, {len(report.loaded)} fit)")
    return shown


def head_modules(graph: Any) -> set[str]:
    """Stateful nodes with no stateful node after them on any path: the classifier head
    (``fc``; ``classifier.6`` and nothing else of VGG's classifier). Walks the graph once,
    backwards in insertion order (which is topological)."""
    names = list(graph.nodes)
    stateful_after: dict[str, bool] = {}
    head = set()
    for name in reversed(names):
        after = False
        for succ in graph.successors(name):
            data = graph.nodes[succ]["data"]
            after = after or data.module or stateful_after[succ]
        stateful_after[name] = after
        if graph.nodes[name]["data"].module and not after:
            head.add(name)
    return head
