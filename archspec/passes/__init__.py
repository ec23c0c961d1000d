"""Passes over the elaborated graph: each a plain function ``graph -> graph | report``.

``annotate`` writes per-node ``cost``/``rf``/``role``; ``audit`` sums them into a report;
``lint`` returns warnings; ``receptive_field`` writes ``rf`` alone. None of them import torch.
"""

from archspec.passes.audit import AuditReport, annotate, audit
from archspec.passes.lints import hdc_check, lint
from archspec.passes.receptive_field import RF, receptive_field

__all__ = ["RF", "AuditReport", "annotate", "audit", "hdc_check", "lint", "receptive_field"]
