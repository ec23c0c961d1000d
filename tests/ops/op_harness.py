"""A tiny harness for primitive tests: bind, infer, cost and lower one op, then run the lowering
(an nn.Module, or an Fn with In/INPUTS markers) on tensors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from archspec.ir.graph import OpNode, Shape
from archspec.ops.binding import bind_params
from archspec.ops.registry import INPUTS, Cost, Fn, FreeParam, In, Primitive, get

BATCH = 2


@dataclass
class Built:
    prim: Primitive
    params: dict[str, Any]
    ins: list[Shape]
    shape: Shape
    ports: dict[int, Shape]
    cost: Cost

    @property
    def node(self) -> OpNode:
        return OpNode(self.prim.name, self.prim.name, self.params, [], self.shape,
                      port_shapes=self.ports)

    def lower(self) -> Any:
        return self.prim.lower(self.node, self.ins)


def build(op: str, ins: list[Shape], *args: Any, **kwargs: Any) -> Built:
    """Bind ``args``/``kwargs`` to ``op``, run its shape and cost rules on ``ins``."""
    prim = get(op)
    params = bind_params(prim, list(args), kwargs)
    result = prim.infer(params, [tuple(s) for s in ins])
    shape, ports = result if result and isinstance(result[0], tuple) else (result, {})
    return Built(prim, params, [tuple(s) for s in ins], tuple(shape), dict(ports),
                 prim.cost(params, [tuple(s) for s in ins], tuple(shape)))


def resolve(value: Any, tensors: list[torch.Tensor]) -> Any:
    """Replace In(i) / INPUTS markers (at any depth) by tensors."""
    if isinstance(value, In):
        return tensors[value.index]
    if value is INPUTS:
        return list(tensors)
    if isinstance(value, (tuple, list)):
        return type(value)(resolve(v, tensors) for v in value)
    if isinstance(value, dict):
        return {k: resolve(v, tensors) for k, v in value.items()}
    return value


def run(lowered: Any, tensors: list[torch.Tensor]) -> Any:
    """Call a lowering on batched tensors."""
    if isinstance(lowered, nn.Module):
        return lowered(*tensors)
    if isinstance(lowered, FreeParam):
        return lowered.target(*tensors, lowered.value)
    assert isinstance(lowered, Fn), lowered
    return lowered.target(*resolve(lowered.args, tensors), **resolve(lowered.kwargs, tensors))


def rand(*shapes: Shape, seed: int = 0) -> list[torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    return [torch.randn(BATCH, *s, generator=gen) for s in shapes]


def state_counts(module: Any) -> tuple[int, int]:
    """(trainable parameter count, persistent buffer element count) of a lowering."""
    if isinstance(module, FreeParam):
        return module.value.numel(), 0
    if not isinstance(module, nn.Module):
        return 0, 0
    params = sum(p.numel() for p in module.parameters() if p.requires_grad)
    names = {n for n, _ in module.named_parameters()}
    buffers = sum(t.numel() for n, t in module.state_dict().items() if n not in names)
    return params, buffers


def outputs(result: Any) -> list[torch.Tensor]:
    return list(result) if isinstance(result, (tuple, list)) else [result]
