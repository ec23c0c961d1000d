"""Go to definition, find references, document symbols."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types as T

from archspec.frontend import ast as A
from archspec.lsp.analysis import Analysis
from archspec.lsp.hover import lookup_block
from archspec.lsp.positions import same_file, to_range, uri_of, word_at
from archspec.lsp.syntax import bound_names, definition_at, name_uses, walk


def definition(analysis: Analysis, pos: T.Position) -> list[T.Location]:
    """Blocks and networks (here, imported, std), imported files, names bound in a block."""
    found = word_at(analysis.source.text, pos)
    if found is None or analysis.module is None:
        return []
    imported = import_target(analysis, pos.line + 1)
    if imported is not None:
        return [T.Location(imported.as_uri(), T.Range(T.Position(0, 0), T.Position(0, 0)))]
    word = found[0]
    block = lookup_block(analysis, word)
    if block is not None:
        d, owner = block
        return [T.Location(uri_of(owner.source.name), to_range(d.name_span))]
    owner = definition_at(analysis.module, pos.line + 1)
    if owner is None or isinstance(owner, A.NetworkAlias):
        return []
    for p in owner.params:
        if p.name == word:
            return [T.Location(uri_of(str(analysis.path)), to_range(p.span))]
    bindings = [s for n, s in bound_names(owner.body) if n == word and s.span.line <= pos.line + 1]
    return [T.Location(uri_of(str(analysis.path)), to_range(bindings[0].span))] if bindings else []


def import_target(analysis: Analysis, line: int) -> Path | None:
    """The file an import on ``line`` loads."""
    assert analysis.module is not None
    for imp in analysis.module.imports:
        if imp.span.line == line:
            for path, ns in analysis.imported.items():
                if ns.module is not None and resolves_to(imp, path, analysis.path):
                    return path
    return None


def resolves_to(imp: A.Import, path: Path, here: Path) -> bool:
    if imp.dotted is not None:
        return imp.dotted[-1] == path.stem and path.parent.name == "std"
    return imp.path is not None and (here.parent / imp.path).resolve() == path


def references(analysis: Analysis, pos: T.Position, include_declaration: bool,
               others: list[Analysis]) -> list[T.Location]:
    """Uses of the block under the cursor in this document and the other open ones."""
    found = word_at(analysis.source.text, pos)
    block = lookup_block(analysis, found[0]) if found else None
    if block is None:
        return []
    d, owner = block
    out = []
    if include_declaration:
        out.append(T.Location(uri_of(owner.source.name), to_range(d.name_span)))
    home = owner.source.name
    for doc in [analysis, *others]:
        found = lookup_block(doc, d.name) if doc.module is not None else None
        if found is None or found[1].source.name != home:
            continue
        out += [T.Location(uri_of(str(doc.path)), to_range(n.span))
                for n in name_uses(doc.module, d.name) if same_file(n.span, doc.path)]
    return out


def document_symbols(analysis: Analysis) -> list[T.DocumentSymbol]:
    if analysis.module is None:
        return []
    return [definition_symbol(d) for d in analysis.module.blocks]


def definition_symbol(d: A.BlockDef | A.NetworkAlias) -> T.DocumentSymbol:
    kind = T.SymbolKind.Class if d.is_network else T.SymbolKind.Function
    labels = [label_symbol(n) for n in walk(getattr(d, "body", [])) if isinstance(n, A.Labeled)
              and n.label.plain is not None]
    detail = "network" if d.is_network else "block"
    return T.DocumentSymbol(d.name, kind, to_range(d.span), to_range(d.name_span),
                            detail=detail, children=labels or None)


def label_symbol(n: A.Labeled) -> T.DocumentSymbol:
    return T.DocumentSymbol(n.label.plain or "", T.SymbolKind.Field, to_range(n.span),
                            to_range(n.label.span))
