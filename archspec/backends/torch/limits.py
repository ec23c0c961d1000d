"""Parameter-memory budget: refuse to allocate a network larger than ``max_param_bytes``."""

from __future__ import annotations

from typing import Any

from archspec.errors import SpecLimitError
from archspec.ir.graph import OpGraph, blocks, input_shapes, nodes
from archspec.ops.registry import get
from archspec.source import UNKNOWN, Span

GIB = 2**30


def count_param_elements(graph: OpGraph) -> int:
    """Parameters plus buffers over all nodes, from the ops' cost rules (no torch needed)."""
    total = 0
    for n in nodes(graph):
        if n.op == "input":
            continue
        cost = get(n.op).cost(n.params, input_shapes(graph, n), n.shape)
        total += cost.params + cost.buffers
    return total


def check_param_budget(graph: OpGraph, itemsize: int, max_param_bytes: int | None) -> int:
    """The estimated bytes of parameters and buffers; SpecLimitError above the budget."""
    size = count_param_elements(graph) * itemsize
    if max_param_bytes is not None and size > max_param_bytes:
        raise SpecLimitError(
            f"network '{graph.meta.name or '?'}' needs about {size / GIB:.2f} GiB of "
            f"parameters and buffers, over the limit of {max_param_bytes / GIB:.2f} GiB",
            span=network_span(graph),
            hint="raise the limit with build(..., max_param_bytes=N) or the CLI option "
                 "--max-param-bytes N, or build on device='meta' to allocate nothing")
    return size


def network_span(graph: OpGraph) -> Span:
    """Where the network is declared (the elaborator's ``span``, else the root block's)."""
    span = graph.meta.span
    return span if span != UNKNOWN else blocks(graph)[""].span


def dtype_itemsize(dtype: Any) -> int:
    import torch

    return torch.empty((), dtype=dtype or torch.get_default_dtype(), device="meta").element_size()
