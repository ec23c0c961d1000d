"""The torch backend: graph -> ``torch.nn.Module`` through torch.fx code generation."""

from archspec.backends.torch.build import DEFAULT_MAX_PARAM_BYTES, build_module
from archspec.backends.torch.module import ArchModule

__all__ = ["DEFAULT_MAX_PARAM_BYTES", "ArchModule", "build_module"]
