"""A real ``archspec lsp`` process per test module, driven by pytest-lsp."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as T
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

ROOT = Path(__file__).resolve().parents[2]
STD = ROOT / "archspec" / "std"
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "ARCHSPEC_CACHE": "off"}
CONFIG = ClientServerConfig(server_command=[sys.executable, "-m", "archspec", "lsp"],
                            server_env=ENV)

TINY = """\
## A unit: conv and relu.
block unit(c, k=3) {
  out in -> conv(c, k, p=1) -> relu
}

network tiny {
  input x: [3, 8, 8]
  y = x -> stem: conv(16, 3, s=2, p=1) -> unit(16) -> unit(32)
  out y -> gap -> flatten -> fc: linear(10)
}
"""


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("lsp")


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def client(lsp_client: LanguageClient, workdir: Path):
    params = T.InitializeParams(capabilities=client_capabilities("visual-studio-code"),
                                root_uri=workdir.as_uri(),
                                initialization_options={"debounceMs": 0})
    lsp_client.diagnostics = Published()
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()


class Published(dict):
    """The client's diagnostics by URI, counting the notifications for each."""

    def __init__(self) -> None:
        super().__init__()
        self.count: dict[str, int] = {}

    def __setitem__(self, uri: str, value: object) -> None:
        super().__setitem__(uri, value)
        self.count[uri] = self.count.get(uri, 0) + 1


def published(client: LanguageClient, uri: str) -> int:
    """How many diagnostics notifications ``uri`` has had (pass to next_diagnostics)."""
    return client.diagnostics.count.get(uri, 0)


async def next_diagnostics(client: LanguageClient, uri: str,
                           before: int) -> list[T.Diagnostic]:
    """The diagnostics published for ``uri`` after the ``before``-th notification."""
    async def changed() -> list[T.Diagnostic]:
        while published(client, uri) == before:
            await asyncio.sleep(0.005)
        return list(client.diagnostics[uri])
    return await asyncio.wait_for(changed(), 20)


async def open_doc(client: LanguageClient, path: Path, text: str) -> list[T.Diagnostic]:
    """Write ``text`` to ``path``, open it, and return its first diagnostics."""
    path.write_text(text, encoding="utf-8")
    before = published(client, path.as_uri())
    client.text_document_did_open(T.DidOpenTextDocumentParams(
        T.TextDocumentItem(path.as_uri(), "archspec", 1, text)))
    return await next_diagnostics(client, path.as_uri(), before)


def change(client: LanguageClient, path: Path, text: str, version: int) -> None:
    client.text_document_did_change(T.DidChangeTextDocumentParams(
        T.VersionedTextDocumentIdentifier(version, path.as_uri()),
        [T.TextDocumentContentChangeWholeDocument(text)]))


async def replace_text(client: LanguageClient, path: Path, text: str,
                       version: int) -> list[T.Diagnostic]:
    """Replace the whole document (unsaved) and return its next diagnostics."""
    before = published(client, path.as_uri())
    change(client, path, text, version)
    return await next_diagnostics(client, path.as_uri(), before)


def close_doc(client: LanguageClient, path: Path) -> None:
    client.text_document_did_close(T.DidCloseTextDocumentParams(
        T.TextDocumentIdentifier(path.as_uri())))


def span(r: T.Range) -> tuple[int, int, int, int]:
    return (r.start.line, r.start.character, r.end.line, r.end.character)
