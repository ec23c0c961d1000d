"""Passes over the IR, one file each, listed in order in ``PASSES`` (passes/pipeline.py, with
the driver that runs each at most once per graph and records what ran):

- ``roles``: per node, 'main' | 'aux' | 'dead' (which outputs it serves);
- ``receptive_field``: per node, its receptive field (``RF`` or None);
- ``cost``: per node, parameters, buffers, MACs and FLOPs (``Cost``);
- ``lints``: warnings about legal but suspicious structure;
- ``runs``: the block tree and its runs of repeated blocks (audit and render both read it).

``audit`` (passes/report.py) sums what they wrote into a report; none of them import torch.
See docs/architecture.md for how to add a pass.
"""

from typing import Any

from archspec.passes.lints import hdc_check
from archspec.passes.pipeline import PASSES, Pass, annotate, lint, require
from archspec.passes.receptive_field import RF, receptive_field

__all__ = ["PASSES", "RF", "AuditReport", "Pass", "annotate", "audit", "hdc_check", "lint",
           "receptive_field", "require"]


def __getattr__(name: str) -> Any:
    """``audit`` and ``AuditReport`` load on first use: ``archspec check`` never needs the
    report and its rollups (2.3 ms of start-up, python -X importtime on the 2-core CI box)."""
    if name in ("audit", "AuditReport"):
        from archspec.passes import report
        return getattr(report, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
