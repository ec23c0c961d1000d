"""Reusable cross-checks of an audit against torch (params, buffers, MACs), for the hand-built
graphs here and for a test parametrised over specs/ (graph from archspec.load, module from
archspec.build)."""

from __future__ import annotations

from typing import Any

import networkx as nx

from archspec.passes.audit import MAIN, AuditReport, annotate

# ops whose MACs torch's FlopCounterMode also counts (convolution, mm/addmm/bmm)
MAC_OPS = ("conv", "conv_transpose", "linear", "matmul")


def torch_params(module: Any) -> int:
    return sum(p.numel() for p in module.parameters())


def torch_buffers(module: Any) -> int:
    return sum(b.numel() for b in module.buffers())


def torch_macs(module: Any, *inputs: Any) -> int:
    """Multiply-accumulates of one forward pass: FlopCounterMode's total FLOPs ÷ 2."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    counter = FlopCounterMode(display=False)
    with torch.no_grad(), counter:
        module(*inputs)
    return counter.get_total_flops() // 2


def graph_macs(graph: nx.DiGraph, ops: tuple[str, ...] = MAC_OPS, role: str = MAIN) -> int:
    """MACs of the nodes with op in ``ops`` that FlopCounterMode would see."""
    annotate(graph)
    return sum(a["cost"].macs for _, a in graph.nodes(data=True)
               if a["data"].op in ops and a["role"] == role)


def check_against_torch(graph: nx.DiGraph, report: AuditReport, module: Any, *inputs: Any,
                        training_params: bool = True) -> None:
    """Assert params (with aux heads when ``training_params``), buffers and MACs (of the
    inference graph, eval mode) agree exactly with ``module`` run on ``inputs``."""
    totals = report.training if training_params else report.inference
    assert totals.params == torch_params(module), "parameter count differs from torch"
    assert totals.buffers == torch_buffers(module), "buffer count differs from torch"
    module.eval()
    assert graph_macs(graph) == torch_macs(module, *inputs), "MACs differ from FlopCounterMode"
