"""Reusable cross-checks of an audit against torch (params, buffers, MACs), for the hand-built
graphs here and for a test parametrised over specs/ (graph from archspec.load, module from
archspec.build)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from archspec.ops.common import pair
from archspec.passes.report import MAIN, AuditReport, annotate

if TYPE_CHECKING:
    from archspec.ir.graph import Graph

# ops whose MACs torch's FlopCounterMode also counts (convolution, mm/addmm/bmm)
MAC_OPS = ("conv", "conv_transpose", "linear", "matmul")


def torch_params(module: Any) -> int:
    return sum(p.numel() for p in module.parameters())


def torch_buffers(module: Any) -> int:
    """Persistent buffers (those in the state_dict), as the audit counts them."""
    state = sum(v.numel() for v in module.state_dict(keep_vars=True).values())
    return state - torch_params(module)


def torch_macs(module: Any, *inputs: Any) -> int:
    """Multiply-accumulates of one forward pass: FlopCounterMode's total FLOPs ÷ 2."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    counter = FlopCounterMode(display=False)
    with torch.no_grad(), counter:
        module(*inputs)
    return counter.get_total_flops() // 2


def graph_macs(graph: Graph, ops: tuple[str, ...] = MAC_OPS, role: str = MAIN) -> int:
    """MACs of the nodes FlopCounterMode would see (op in ``ops``), plus table_conv as the dense
    convolution its lowering runs (the audit counts only the connected maps' MACs)."""
    annotate(graph)
    total = 0
    for _, a in graph.nodes(data=True):
        n = a["data"]
        if a["role"] != role:
            continue
        if n.op in ops:
            total += a["cost"].macs
        elif n.op == "table_conv":
            cin = graph.nodes[n.inputs[0].node]["data"].shape[0]
            kh, kw = pair(n.params["kernel"])
            total += math.prod(n.shape) * cin * kh * kw
    return total


def check_against_torch(graph: Graph, report: AuditReport, module: Any, *inputs: Any,
                        training_params: bool = True) -> None:
    """Assert params (with aux heads when ``training_params``), buffers and MACs (of the
    inference graph, eval mode) agree exactly with ``module`` run on ``inputs``."""
    totals = report.training if training_params else report.inference
    assert totals.params == torch_params(module), "parameter count differs from torch"
    assert totals.buffers == torch_buffers(module), "buffer count differs from torch"
    module.eval()
    assert graph_macs(graph) == torch_macs(module, *inputs), "MACs differ from FlopCounterMode"


def check_spec(path: Any, **params: Any) -> AuditReport:
    """Load a spec, audit it, build it on the meta device and cross-check with torch."""
    import torch

    import archspec

    net = archspec.load(path, **params)
    report = net.audit()
    module = net.build(device="meta")
    inputs = [torch.empty(1, *shape, device="meta") for shape in net.inputs.values()]
    check_against_torch(net.ir, report, module, *inputs)
    return report
