"""Diagnostics through the protocol: exact ranges, hints, notes as related information,
errors in imported files on the import line, dependents refreshed, quick fixes."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types as T
from pytest_lsp import LanguageClient

from tests.lsp.conftest import (
    TINY,
    close_doc,
    next_diagnostics,
    open_doc,
    published,
    replace_text,
    span,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

MISMATCH = """\
network m {
  input x: [3, 32, 32]
  y = x -> conv(8, 3)
  out (y + x) -> relu
}
"""


async def test_clean_file_has_no_diagnostics(client: LanguageClient, workdir: Path):
    path = workdir / "tiny.arch"
    assert await open_doc(client, path, TINY) == []
    close_doc(client, path)


async def test_shape_mismatch_range_hint_and_notes(client: LanguageClient, workdir: Path):
    path = workdir / "mismatch.arch"
    [d] = await open_doc(client, path, MISMATCH)
    assert span(d.range) == (3, 7, 3, 12)
    assert d.severity == T.DiagnosticSeverity.Error
    assert d.code == "ShapeError"
    assert d.message == ("add: shapes do not match: [8×30×30, 3×32×32]\n"
                         "hint: each dim must be equal, or 1 in all operands but one")
    notes = [(r.location.uri, span(r.location.range), r.message)
             for r in d.related_information]
    assert notes == [
        (path.as_uri(), (2, 11, 2, 21),
         "operand 1 is 8×30×30, from 'conv' (conv out=8, kernel=3 at line 3)"),
        (path.as_uri(), (1, 2, 1, 22), "operand 2 is 3×32×32, from 'x' (input at line 2)")]
    close_doc(client, path)


async def test_syntax_error_while_typing(client: LanguageClient, workdir: Path):
    path = workdir / "typing.arch"
    await open_doc(client, path, TINY)
    broken = TINY.replace("-> fc: linear(10)", "-> fc: linear(10")
    [d] = await replace_text(client, path, broken, 2)
    assert d.code == "SpecSyntaxError"
    assert span(d.range)[0] == 9
    assert await replace_text(client, path, TINY, 3) == []
    close_doc(client, path)


async def test_error_in_imported_file_is_on_the_import_line(client: LanguageClient,
                                                            workdir: Path):
    (workdir / "broken_lib.arch").write_text("block cc(c) {\n  out in -> conv(c, 3 ->\n}\n")
    path = workdir / "uses_broken.arch"
    text = 'import std.resnet\nimport "broken_lib.arch"\n\n' + TINY
    [d] = await open_doc(client, path, text)
    assert span(d.range) == (1, 0, 1, 24)
    assert d.message.startswith("broken_lib.arch:3: unexpected '}'")
    first = d.related_information[0]
    assert first.location.uri == (workdir / "broken_lib.arch").as_uri()
    assert span(first.location.range) == (2, 0, 2, 1)
    close_doc(client, path)


async def test_error_inside_an_imported_block_is_on_its_call(client: LanguageClient,
                                                             workdir: Path):
    (workdir / "lib.arch").write_text("block cc(c) {\n  out in -> conv(c, 3)\n}\n")
    path = workdir / "calls_lib.arch"
    text = 'import "lib.arch"\n\nnetwork n {\n  input x: [3, 8, 8]\n  out x -> cc(0)\n}\n'
    [d] = await open_doc(client, path, text)
    assert span(d.range) == (4, 11, 4, 16)
    assert d.message == "lib.arch:2: out must be positive, got 0"
    assert span(d.related_information[0].location.range) == (1, 12, 1, 22)
    close_doc(client, path)


async def test_dependent_document_is_refreshed(client: LanguageClient, workdir: Path):
    lib = workdir / "shared.arch"
    user = workdir / "user.arch"
    lib_text = "block widen(c) {\n  out in -> conv(c, 3, p=1)\n}\n"
    await open_doc(client, lib, lib_text)
    user_text = ('import "shared.arch"\n\nnetwork n {\n  input x: [3, 3, 3]\n'
                 '  out x -> widen(4)\n}\n')
    assert await open_doc(client, user, user_text) == []
    before = published(client, user.as_uri())
    await replace_text(client, lib, lib_text.replace("widen", "wider"), 2)
    [d] = await next_diagnostics(client, user.as_uri(), before)
    assert d.message == "unknown name 'widen'\nhint: did you mean 'wider' or 'identity'?"
    assert span(d.range) == (4, 11, 4, 16)
    close_doc(client, user)
    close_doc(client, lib)


async def test_did_you_mean_quick_fix(client: LanguageClient, workdir: Path):
    path = workdir / "typo.arch"
    text = TINY.replace("-> gap ->", "-> gapp ->")
    [d] = await open_doc(client, path, text)
    assert span(d.range) == (8, 11, 8, 15)
    actions = await client.text_document_code_action_async(T.CodeActionParams(
        T.TextDocumentIdentifier(path.as_uri()), d.range, T.CodeActionContext([d])))
    first = actions[0]
    assert first.title == "Replace with 'gap'"
    [edit] = first.edit.changes[path.as_uri()]
    assert (span(edit.range), edit.new_text) == ((8, 11, 8, 15), "gap")
    close_doc(client, path)


async def test_false_quick_fix(client: LanguageClient, workdir: Path):
    path = workdir / "pybool.arch"
    text = TINY.replace("conv(16, 3, s=2, p=1)", "conv(16, 3, s=2, p=1, bias=False)")
    [d] = await open_doc(client, path, text)
    assert span(d.range) == (7, 44, 7, 49)
    actions = await client.text_document_code_action_async(T.CodeActionParams(
        T.TextDocumentIdentifier(path.as_uri()), d.range, T.CodeActionContext([d])))
    assert actions[0].title == "Replace with 'false'"
    close_doc(client, path)
