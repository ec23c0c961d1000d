"""Formatting through ``fmt`` and quick fixes for the suggestions errors carry."""

from __future__ import annotations

import re

from lsprotocol import types as T

from archspec.errors import SpecError
from archspec.source import SourceFile

SUGGESTED = re.compile(r"'([^']+)'")
LOWERCASE_LITERALS = {"True": "true", "False": "false", "None": "none"}


def format_text(name: str, text: str) -> str:
    """The canonical text of a document (.arch, or YAML by its name), comments kept: fmt's
    ``format_source`` (SpecError when it does not parse)."""
    from archspec.frontend.formatting import format_source
    to = "yaml" if name.endswith((".yaml", ".yml")) else "arch"
    return format_source(SourceFile(name, text), to)


def formatting_edits(name: str, text: str) -> list[T.TextEdit]:
    """One edit replacing the whole document, or none when it is canonical already."""
    try:
        formatted = format_text(name, text)
    except SpecError:
        return []
    if formatted == text:
        return []
    lines = text.split("\n")
    end = T.Position(len(lines) - 1, len(lines[-1]))
    return [T.TextEdit(T.Range(T.Position(0, 0), end), formatted)]


def quick_fixes(uri: str, text: str, diagnostics: list[T.Diagnostic]) -> list[T.CodeAction]:
    """A replacement per name a diagnostic's hint suggests (``did you mean 'x'?``), and
    ``False`` -> ``false``."""
    actions = []
    for d in diagnostics:
        target = name_range(text, d)
        for replacement in suggestions(d) if target else []:
            edit = T.WorkspaceEdit(changes={uri: [T.TextEdit(target, replacement)]})
            actions.append(T.CodeAction(f"Replace with '{replacement}'",
                                        kind=T.CodeActionKind.QuickFix, diagnostics=[d],
                                        edit=edit, is_preferred=len(actions) == 0))
    return actions


def name_range(text: str, d: T.Diagnostic) -> T.Range | None:
    """The range of the unknown name the diagnostic is about (its range may be a whole call)."""
    quoted = SUGGESTED.search(d.message)
    lines = text.split("\n")
    start = d.range.start
    if quoted is None or start.line >= len(lines):
        return None
    name = quoted.group(1)
    if not lines[start.line].startswith(name, start.character):
        return None
    return T.Range(start, T.Position(start.line, start.character + len(name)))


def suggestions(d: T.Diagnostic) -> list[str]:
    hint = d.data.get("hint") if isinstance(d.data, dict) else None
    unknown = re.match(r"unknown name '([^']+)'", d.message)
    out = []
    if unknown and unknown.group(1) in LOWERCASE_LITERALS:
        out.append(LOWERCASE_LITERALS[unknown.group(1)])
    if hint and hint.startswith("did you mean"):
        out += [s for s in SUGGESTED.findall(hint) if s not in out]
    return out
