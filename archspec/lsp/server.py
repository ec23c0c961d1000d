"""The language server: document state, debounced analysis, and the protocol handlers."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from lsprotocol import types as T
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from archspec.lsp import completion, edits, hover, inlay, navigation
from archspec.lsp.analysis import Analysis, analyse, analyse_blanking
from archspec.lsp.diagnostics import diagnostics

# Changes that arrive within this pause are analysed once; a change that arrives while an
# analysis runs waits for it, so a fast typist never queues more than one analysis.
DEBOUNCE_S = 0.005


class ArchServer(LanguageServer):
    """Keeps the latest analysis of each open document, the last one that parsed and the
    last one that elaborated (to a graph, maybe partial)."""

    def __init__(self) -> None:
        super().__init__("archspec", "0.1.0",
                         text_document_sync_kind=T.TextDocumentSyncKind.Incremental)
        self.latest: dict[str, Analysis] = {}
        self.parsed: dict[str, Analysis] = {}
        self.elaborated: dict[str, Analysis] = {}
        self.pending: dict[str, asyncio.Task[None]] = {}
        self.inlay_hints = True
        self.debounce_s = DEBOUNCE_S

    def path_of(self, uri: str) -> Path:
        fs = to_fs_path(uri) if uri.startswith("file:") else None
        return Path(fs).resolve() if fs else Path.cwd() / "untitled.arch"

    def open_texts(self) -> dict[Path, str]:
        docs = self.workspace.text_documents
        return {self.path_of(uri): doc.source for uri, doc in docs.items()}

    def refresh(self, uri: str) -> None:
        """Analyse ``uri`` and the open documents that import it; publish their diagnostics.
        A bug (not a SpecError) is logged and the previous analysis kept: the server lives."""
        try:
            self._refresh(uri)
        except Exception:  # noqa: BLE001  (a bug in archspec must not end the session)
            import traceback
            self.window_log_message(T.LogMessageParams(
                T.MessageType.Error, f"archspec: analysis failed\n{traceback.format_exc()}"))

    def _refresh(self, uri: str) -> None:
        texts = self.open_texts()
        path = self.path_of(uri)
        self.analyse(uri, texts)
        for other, result in list(self.latest.items()):
            if other != uri and path in result.imported:
                self.analyse(other, texts)

    def analyse(self, uri: str, texts: dict[Path, str]) -> Analysis:
        path = self.path_of(uri)
        result = analyse(path, texts.get(path, ""), texts)
        self.latest[uri] = result
        if result.parsed:
            self.parsed[uri] = result
        if result.graph is not None:
            self.elaborated[uri] = result
        self.text_document_publish_diagnostics(T.PublishDiagnosticsParams(
            uri, diagnostics(result), version=self.workspace.get_text_document(uri).version))
        return result

    def schedule(self, uri: str) -> None:
        task = self.pending.pop(uri, None)
        if task is not None:
            task.cancel()
        self.pending[uri] = asyncio.get_running_loop().create_task(self._later(uri))

    async def _later(self, uri: str) -> None:
        await asyncio.sleep(self.debounce_s)
        self.pending.pop(uri, None)
        if uri in self.workspace.text_documents:
            self.refresh(uri)

    def useful(self, uri: str) -> Analysis | None:
        """For navigation: the latest analysis if it parsed, else the last one that did."""
        latest = self.latest.get(uri)
        return latest if latest is not None and latest.parsed else self.parsed.get(uri, latest)

    def for_hover(self, uri: str) -> Analysis | None:
        """The latest analysis if it elaborated, else the last one that did (while the text
        is broken, shapes stay available), else the one for navigation."""
        latest = self.latest.get(uri)
        if latest is not None and latest.graph is not None:
            return latest
        return self.elaborated.get(uri) or self.useful(uri)

    def configure(self, settings: Any) -> None:
        if isinstance(settings, dict):
            settings = settings.get("archspec", settings)
            if isinstance(settings.get("inlayHints"), bool):
                self.inlay_hints = settings["inlayHints"]
            if isinstance(settings.get("debounceMs"), int | float):
                self.debounce_s = max(0.0, settings["debounceMs"] / 1000)


server = ArchServer()


@server.feature(T.INITIALIZE)
def initialize(ls: ArchServer, params: T.InitializeParams) -> None:
    ls.configure(params.initialization_options)


@server.feature(T.WORKSPACE_DID_CHANGE_CONFIGURATION)
def did_change_configuration(ls: ArchServer, params: T.DidChangeConfigurationParams) -> None:
    ls.configure(params.settings)


@server.feature(T.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: ArchServer, params: T.DidOpenTextDocumentParams) -> None:
    ls.refresh(params.text_document.uri)


@server.feature(T.TEXT_DOCUMENT_DID_CHANGE)
async def did_change(ls: ArchServer, params: T.DidChangeTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri)


@server.feature(T.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: ArchServer, params: T.DidSaveTextDocumentParams) -> None:
    ls.refresh(params.text_document.uri)


@server.feature(T.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: ArchServer, params: T.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.latest.pop(uri, None)
    ls.parsed.pop(uri, None)
    ls.elaborated.pop(uri, None)
    ls.text_document_publish_diagnostics(T.PublishDiagnosticsParams(uri, []))


@server.feature(T.TEXT_DOCUMENT_HOVER)
def on_hover(ls: ArchServer, params: T.HoverParams) -> T.Hover | None:
    result = ls.for_hover(params.text_document.uri)
    return hover.hover(result, params.position) if result else None


@server.feature(T.TEXT_DOCUMENT_INLAY_HINT)
def on_inlay_hint(ls: ArchServer, params: T.InlayHintParams) -> list[T.InlayHint]:
    result = ls.latest.get(params.text_document.uri)
    if not ls.inlay_hints or result is None:
        return []
    return inlay.inlay_hints(result, params.range)


@server.feature(T.TEXT_DOCUMENT_DEFINITION)
def on_definition(ls: ArchServer, params: T.DefinitionParams) -> list[T.Location]:
    result = ls.useful(params.text_document.uri)
    return navigation.definition(result, params.position) if result else []


@server.feature(T.TEXT_DOCUMENT_REFERENCES)
def on_references(ls: ArchServer, params: T.ReferenceParams) -> list[T.Location]:
    uri = params.text_document.uri
    result = ls.useful(uri)
    others = [a for u, a in ls.parsed.items() if u != uri]
    return navigation.references(result, params.position, params.context.include_declaration,
                                 others) if result else []


@server.feature(T.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def on_symbols(ls: ArchServer, params: T.DocumentSymbolParams) -> list[T.DocumentSymbol]:
    result = ls.useful(params.text_document.uri)
    return navigation.document_symbols(result) if result else []


@server.feature(T.TEXT_DOCUMENT_COMPLETION,
                T.CompletionOptions(trigger_characters=[".", "(", ","]))
def on_completion(ls: ArchServer, params: T.CompletionParams) -> T.CompletionList:
    uri = params.text_document.uri
    result = current(ls, uri)
    items = completion.completions(result, params.position) if result else []
    return T.CompletionList(is_incomplete=False, items=items)


@server.feature(T.TEXT_DOCUMENT_SIGNATURE_HELP,
                T.SignatureHelpOptions(trigger_characters=["(", ","]))
def on_signature_help(ls: ArchServer, params: T.SignatureHelpParams) -> T.SignatureHelp | None:
    result = current(ls, params.text_document.uri)
    return completion.signature_help(result, params.position) if result else None


def current(ls: ArchServer, uri: str) -> Analysis | None:
    """An analysis whose names are the document's, with its current text (completion reads
    the text up to the cursor, which the debounced analysis may not have seen yet). When the
    document has never parsed, it is analysed without the lines its syntax errors are on."""
    text = ls.workspace.get_text_document(uri).source
    result = ls.useful(uri)
    if result is None or not result.parsed:
        result = analyse_blanking(ls.path_of(uri), text, ls.open_texts())
    if text == result.source.text:
        return result
    from dataclasses import replace

    from archspec.source import SourceFile
    return replace(result, source=SourceFile(result.source.name, text))


@server.feature(T.TEXT_DOCUMENT_FORMATTING)
def on_formatting(ls: ArchServer, params: T.DocumentFormattingParams) -> list[T.TextEdit]:
    uri = params.text_document.uri
    path = ls.path_of(uri)
    return edits.formatting_edits(str(path), ls.workspace.get_text_document(uri).source)


@server.feature(T.TEXT_DOCUMENT_CODE_ACTION,
                T.CodeActionOptions(code_action_kinds=[T.CodeActionKind.QuickFix]))
def on_code_action(ls: ArchServer, params: T.CodeActionParams) -> list[T.CodeAction]:
    uri = params.text_document.uri
    text = ls.workspace.get_text_document(uri).source
    return edits.quick_fixes(uri, text, list(params.context.diagnostics))


def main() -> None:
    """Serve over stdio until the client exits."""
    server.start_io()
