"""Inlay hints: the output shape after each step of a chain (``-> conv(64, 7) ‹64×112×112›``)."""

from __future__ import annotations

from lsprotocol import types as T

from archspec.frontend import ast as A
from archspec.lsp.analysis import Analysis
from archspec.lsp.positions import same_file, to_range
from archspec.lsp.shapes import index_of, shape_text
from archspec.lsp.syntax import walk


def inlay_hints(analysis: Analysis, within: T.Range) -> list[T.InlayHint]:
    index = index_of(analysis)
    if index is None or analysis.module is None:
        return []
    hints = []
    for chain in (n for n in walk(analysis.module) if isinstance(n, A.Chain)):
        for step in chain.elements:
            if not same_file(step.span, analysis.path) or step.span.end_line is None:
                continue
            end = to_range(step.span).end
            if not within.start.line <= end.line <= within.end.line:
                continue
            shapes = index.shapes(step.span)
            if shapes:
                hints.append(T.InlayHint(end, f"‹{shape_text(shapes)}›",
                                         kind=T.InlayHintKind.Type, padding_left=True))
    return hints
