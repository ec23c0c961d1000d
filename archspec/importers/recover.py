"""Recovery: an importer's FlatNet -> AST (``archspec.frontend.ast``) -> .arch text.
Statements come from ``emit.py``; repeated module instances become blocks (``blocks.py``)."""

from __future__ import annotations

from archspec.frontend import ast as A
from archspec.importers.blocks import recover_hierarchy
from archspec.importers.flat import FlatNet


def recover(net: FlatNet) -> A.Module:
    """The AST of a spec computing ``net``: module classes become blocks, containers
    groups, repeated calls ``* n``."""
    return recover_hierarchy(net)


def to_text(net: FlatNet) -> str:
    from archspec.frontend.fmt import format_module
    return format_module(recover(net))
