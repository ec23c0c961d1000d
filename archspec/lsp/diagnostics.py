"""SpecErrors -> LSP diagnostics on one document.

An error in another file (an imported file, a std block called with bad arguments) is shown
on this document: on the import line that brought the file in (its "imported here" note), else
on the first call here of a block defined in that file, else on the import of that file; its
own location comes along as related information.
"""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types as T

from archspec.elaborate import Namespace
from archspec.errors import SpecError
from archspec.frontend import ast as A
from archspec.lsp.analysis import Analysis
from archspec.lsp.positions import same_file, to_range, uri_of
from archspec.lsp.syntax import called_name, walk
from archspec.source import Span

SEVERITY = {"error": T.DiagnosticSeverity.Error, "warning": T.DiagnosticSeverity.Warning}


def diagnostics(analysis: Analysis) -> list[T.Diagnostic]:
    errors = [*analysis.errors, *analysis.warnings]
    return [to_diagnostic(err, analysis) for err in errors]


def to_diagnostic(err: SpecError, analysis: Analysis) -> T.Diagnostic:
    here = same_file(err.span, analysis.path)
    span = err.span if here else anchor(err, analysis)
    message = err.message if here else f"{Path(err.span.file).name}:{err.span.line}: " \
                                       f"{err.message}"
    if err.hint:
        message += f"\nhint: {err.hint}"
    related = [related_info(n.message, n.span) for n in err.notes if n.span.source]
    if not here and err.span.source:
        related.insert(0, related_info(err.message, err.span))
    return T.Diagnostic(range=to_range(span), message=message,
                        severity=SEVERITY.get(err.severity, T.DiagnosticSeverity.Error),
                        source="archspec", code=err.kind, related_information=related or None,
                        data={"hint": err.hint} if err.hint and here else None)


def related_info(message: str, span: Span) -> T.DiagnosticRelatedInformation:
    return T.DiagnosticRelatedInformation(T.Location(uri_of(span.file), to_range(span)), message)


def anchor(err: SpecError, analysis: Analysis) -> Span:
    """Where on this document to show an error that happened in another file."""
    for note in err.notes:
        if same_file(note.span, analysis.path):
            return note.span
    module = analysis.module
    if module is None:
        return Span(analysis.source, 1, 1)
    for call in (n for n in walk(module) if isinstance(n, A.Call)):
        if defined_in(analysis, called_name(call), err.span.file):
            return call.span
    for imp in module.imports:
        return imp.span
    return module.blocks[0].name_span if module.blocks else Span(analysis.source, 1, 1)


def defined_in(analysis: Analysis, name: str | None, file: str) -> bool:
    """Whether block ``name`` comes from ``file`` or from a file that reaches it by imports."""
    found = analysis.ns.lookup_block(name) if analysis.ns and name else None
    return found is not None and reaches(found[1], file, set())


def reaches(ns: Namespace, file: str, seen: set[int]) -> bool:
    if ns.source.name == file:
        return True
    seen.add(id(ns))
    others = [*ns.imported.values(), *ns.aliases.values()]
    return any(reaches(o, file, seen) for o in others if id(o) not in seen)
