"""Completion (primitives, blocks, keyword arguments, std modules, names in scope) and
signature help, from the text before the cursor and the last analysis."""

from __future__ import annotations

import re
from typing import NamedTuple

from lsprotocol import types as T

from archspec.frontend import ast as A
from archspec.lsp.analysis import Analysis
from archspec.lsp.describe import (
    block_params,
    block_signature,
    def_param_text,
    param_text,
    primitive_signature,
    primitives,
)
from archspec.lsp.hover import lookup_block
from archspec.lsp.syntax import bound_names, definition_at

IMPORT_STD = re.compile(r"^\s*import\s+std\.(\w*)$")
IMPORT = re.compile(r"^\s*import\s+\w*$")
CLOSERS = {")": "(", "]": "[", "}": "{"}
KEYWORD = re.compile(r"\s*([A-Za-z_]\w*)\s*=(?!=)")


def line_prefix(text: str, pos: T.Position) -> str:
    lines = text.splitlines()
    return lines[pos.line][:pos.character] if pos.line < len(lines) else ""


def text_before(text: str, pos: T.Position) -> str:
    lines = text.splitlines()[:pos.line + 1]
    if lines:
        lines[-1] = lines[-1][:pos.character]
    return "\n".join(lines)


class OpenCall(NamedTuple):
    callee: str
    index: int        # of the argument being written, counting commas
    keyword: str | None  # its name when it is written as ``name=...``


def open_call(before: str) -> OpenCall | None:
    """The innermost unclosed call before the cursor."""
    depth, commas, quoted, arg_start = 0, 0, False, None
    for i in range(len(before) - 1, -1, -1):
        ch = before[i]
        if ch == '"':
            quoted = not quoted
        if quoted or ch == '"':
            continue
        if ch in CLOSERS:
            depth += 1
        elif ch in "([{" and depth:
            depth -= 1
        elif ch in "[{":
            return None
        elif ch == "(":
            name = re.search(r"([A-Za-z_][A-Za-z0-9_]*)\s*$", before[:i])
            keyword = KEYWORD.match(before[(arg_start or i) + 1:])
            return OpenCall(name.group(1), commas, keyword.group(1) if keyword else None) \
                if name else None
        elif ch == "," and depth == 0:
            commas += 1
            arg_start = i if arg_start is None else arg_start
    return None


def completions(analysis: Analysis, pos: T.Position) -> list[T.CompletionItem]:
    prefix = line_prefix(analysis.source.text, pos)
    std = IMPORT_STD.match(prefix)
    if std:
        from archspec.elaborate.loader import std_modules
        return [T.CompletionItem(m, kind=T.CompletionItemKind.Module) for m in std_modules()]
    if IMPORT.match(prefix):
        return [T.CompletionItem("std.", kind=T.CompletionItemKind.Module,
                                 command=T.Command("", "editor.action.triggerSuggest"))]
    items = []
    call = open_call(text_before(analysis.source.text, pos))
    if call:
        items += keyword_items(analysis, call.callee)
    return items + callable_items(analysis) + scope_items(analysis, pos.line + 1)


def keyword_items(analysis: Analysis, callee: str) -> list[T.CompletionItem]:
    prim = primitives().get(callee)
    if prim is not None:
        return [T.CompletionItem(f"{name}=", kind=T.CompletionItemKind.Property,
                                 detail=param_text(p), documentation=p.doc or None,
                                 sort_text=f"0{i:03}{name}")
                for i, p in enumerate(prim.params) for name in (p.name, *p.aliases)]
    block = lookup_block(analysis, callee)
    if block is None:
        return []
    return [T.CompletionItem(f"{p.name}=", kind=T.CompletionItemKind.Property,
                             detail=def_param_text(p), sort_text=f"0{i:03}")
            for i, p in enumerate(block_params(block[0]))]


def callable_items(analysis: Analysis) -> list[T.CompletionItem]:
    items = [T.CompletionItem(name, kind=T.CompletionItemKind.Function,
                              detail=primitive_signature(prim), sort_text=f"2{name}")
             for name, prim in primitives().items()]
    ns = analysis.ns
    if ns is not None:
        for name in [*ns.blocks, *ns.imported]:
            d = ns.lookup_block(name)
            if d is not None:
                items.append(T.CompletionItem(name, kind=T.CompletionItemKind.Class,
                                              detail=block_signature(d[0]), sort_text=f"1{name}"))
        items += [T.CompletionItem(a, kind=T.CompletionItemKind.Module) for a in ns.aliases]
    return items


def scope_items(analysis: Analysis, line: int) -> list[T.CompletionItem]:
    """Parameters, bound names and file-level lets visible at ``line``, and the builtins."""
    from archspec.elaborate.builtins import BUILTINS
    names: dict[str, T.CompletionItemKind] = {}
    module = analysis.module
    owner = definition_at(module, line) if module else None
    if isinstance(owner, A.BlockDef):
        names.update((p.name, T.CompletionItemKind.Variable) for p in owner.params)
        names.update((n, T.CompletionItemKind.Variable) for n, _ in bound_names(owner.body))
        if not owner.is_network:
            names["in"] = T.CompletionItemKind.Keyword
    if analysis.ns is not None:
        names.update((n, T.CompletionItemKind.Constant) for n in analysis.ns.lets)
    names.update((n, T.CompletionItemKind.Function) for n in BUILTINS if n not in names)
    return [T.CompletionItem(n, kind=k, sort_text=f"0{n}") for n, k in names.items()]


def signature_help(analysis: Analysis, pos: T.Position) -> T.SignatureHelp | None:
    call = open_call(text_before(analysis.source.text, pos))
    if call is None:
        return None
    prim = primitives().get(call.callee)
    if prim is not None:
        label, params = primitive_signature(prim), [param_text(p) for p in prim.params]
        doc, names = prim.doc, [(p.name, *p.aliases) for p in prim.params]
    else:
        block = lookup_block(analysis, call.callee)
        if block is None:
            return None
        label, doc = block_signature(block[0]), block[0].doc or ""
        params = [def_param_text(p) for p in block_params(block[0])]
        names = [(p.name,) for p in block_params(block[0])]
    active = next((i for i, n in enumerate(names) if call.keyword in n), call.index)
    info = T.SignatureInformation(label, documentation=doc or None,
                                  parameters=[T.ParameterInformation(p) for p in params])
    return T.SignatureHelp([info], active_signature=0,
                           active_parameter=min(active, max(len(params) - 1, 0)))
