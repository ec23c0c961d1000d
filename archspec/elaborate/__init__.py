"""Elaboration: AST -> OpGraph of primitive ops, shapes inferred as nodes are created."""

from archspec.elaborate.loader import Loader, Namespace
from archspec.elaborate.network import elaborate

__all__ = ["Loader", "Namespace", "elaborate"]
