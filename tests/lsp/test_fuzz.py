"""Random edit sequences over zoo specs: the server answers every request and logs no
internal error, whatever half-typed text it is given. Seeded, bounded to a few seconds."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from lsprotocol import types as T
from pytest_lsp import LanguageClient

from tests.lsp.conftest import ROOT, STD, close_doc, next_diagnostics, open_doc, published

pytestmark = pytest.mark.asyncio(loop_scope="module")

SNIPPETS = ["(", ")", "{", "}", "[", "]", " -> ", "conv(", "64, 3", ", s=2", "\n", "x", "#",
            '"', "@init(", "in.c", "block b(", "network n {", "out ", " + ", "False", ":",
            "bottleneck(", "1e999", "for i in range(3) {", "import std.", "\t", "é", "//0"]
SPECS = sorted((ROOT / "specs").glob("*.arch")) + sorted(STD.glob("*.arch"))
EDITS_PER_SPEC = 10


def position(text: str, offset: int) -> T.Position:
    before = text[:offset]
    return T.Position(before.count("\n"), offset - (before.rfind("\n") + 1))


def random_edit(rng: random.Random, text: str) -> tuple[int, int, str]:
    """(start offset, end offset, replacement)."""
    start = rng.randrange(len(text) + 1)
    kind = rng.random()
    if kind < 0.4:
        return start, min(len(text), start + rng.randrange(1, 40)), ""
    if kind < 0.8:
        return start, start, rng.choice(SNIPPETS)
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line_end = len(text) if line_end < 0 else line_end
    return line_start, line_start, text[line_start:line_end] + "\n"


@pytest.mark.parametrize("seed", range(4))
async def test_random_edits_never_break_the_server(client: LanguageClient, workdir: Path,
                                                   seed: int):
    rng = random.Random(seed)
    spec = rng.choice(SPECS)
    path = workdir / spec.name
    text = spec.read_text(encoding="utf-8")
    await open_doc(client, path, text)
    uri = path.as_uri()
    for version in range(2, 2 + EDITS_PER_SPEC):
        start, end, new = random_edit(rng, text)
        change = T.TextDocumentContentChangePartial(
            T.Range(position(text, start), position(text, end)), new)
        before = published(client, uri)
        client.text_document_did_change(T.DidChangeTextDocumentParams(
            T.VersionedTextDocumentIdentifier(version, uri), [change]))
        text = text[:start] + new + text[end:]
        await next_diagnostics(client, uri, before)
        at = position(text, rng.randrange(len(text) + 1))
        await client.text_document_hover_async(T.HoverParams(T.TextDocumentIdentifier(uri), at))
        await client.text_document_completion_async(
            T.CompletionParams(T.TextDocumentIdentifier(uri), at))
        await client.text_document_inlay_hint_async(T.InlayHintParams(
            T.TextDocumentIdentifier(uri), T.Range(T.Position(0, 0), position(text, len(text)))))
    await client.text_document_formatting_async(T.DocumentFormattingParams(
        T.TextDocumentIdentifier(uri), T.FormattingOptions(2, True)))
    close_doc(client, path)
    errors = [m.message for m in client.log_messages if m.type == T.MessageType.Error]
    assert errors == []
