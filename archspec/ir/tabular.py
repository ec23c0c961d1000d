"""The IR as a table, one node a line (like ``torch.fx.Graph.print_tabular``): for bug reports,
tests and a first look at what a spec elaborated to."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from archspec.ir.graph import OpGraph, OpNode, Ref

HEADER = ("name", "op", "inputs", "shape", "params", "block")


def tabular(g: OpGraph) -> str:
    """Header, one row per node in order, then the outputs; columns padded to their widest."""
    rows = [HEADER, *(_row(n) for n in (g.nodes[k]["data"] for k in g.nodes))]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows]
    meta = g.meta
    outs = ", ".join(f"{k}={_ref(o.node)}" + ("" if o.role == "main" else f" ({o.role})")
                     for k, o in meta.outputs.items())
    return "\n".join([f"network {meta.name or '?'}", *lines, f"outputs: {outs or '-'}"])


def _row(n: OpNode) -> tuple[str, ...]:
    params = ", ".join(f"{k}={v!r}" for k, v in n.params.items() if k != "shape")
    shape = "x".join(map(str, n.shape))
    return (n.name, n.op, ", ".join(map(_ref, n.inputs)), shape, params, n.block)


def _ref(r: Ref) -> str:
    return r.node if r.port == 0 else f"{r.node}:{r.port}"
