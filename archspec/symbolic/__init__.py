"""Symbolic sizes: exact size expressions, torch's geometry rules on them, constraints and
the exact set of valid input sizes (docs/symbolic.md). Pure Python: no torch, no sympy."""

from archspec.symbolic.axis import AxisSet, PeriodTooLarge, Progression
from archspec.symbolic.constraints import AnyOf, Constraint, product_equal
from archspec.symbolic.expr import SizeExpr, as_expr, floor_div, sym
from archspec.symbolic.geometry import (
    adaptive_out,
    conv_out,
    conv_transpose_out,
    effective_kernel,
    global_pool_out,
    pool_out,
    upsample_out,
    window_out,
)
from archspec.symbolic.validset import ValidSet, negation

__all__ = [
    "AnyOf",
    "AxisSet",
    "Constraint",
    "PeriodTooLarge",
    "Progression",
    "SizeExpr",
    "ValidSet",
    "adaptive_out",
    "as_expr",
    "conv_out",
    "conv_transpose_out",
    "effective_kernel",
    "floor_div",
    "global_pool_out",
    "negation",
    "pool_out",
    "product_equal",
    "sym",
    "upsample_out",
    "window_out",
]
