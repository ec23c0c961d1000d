"""The torch backend: graph -> ``torch.nn.Module`` through torch.fx code generation.

See docs/build.md. Exports live in :mod:`archspec.backends.torch.export`.
"""

from archspec.backends.torch.build import DEFAULT_MAX_PARAM_BYTES, build_module
from archspec.backends.torch.module import ArchModule
from archspec.backends.torch.optimize import optimize_for_inference

__all__ = ["DEFAULT_MAX_PARAM_BYTES", "ArchModule", "build_module", "optimize_for_inference"]
