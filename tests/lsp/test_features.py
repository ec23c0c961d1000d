"""Hover, inlay hints, navigation, completion, signature help and formatting through the
protocol, against a real server process."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_asyncio
from lsprotocol import types as T
from pytest_lsp import LanguageClient

from archspec.frontend.formatting import format_source
from archspec.source import SourceFile
from tests.lsp.conftest import STD, TINY, close_doc, open_doc, replace_text, span

pytestmark = pytest.mark.asyncio(loop_scope="module")


def doc(path: Path) -> T.TextDocumentIdentifier:
    return T.TextDocumentIdentifier(path.as_uri())


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def tiny(client: LanguageClient, workdir: Path) -> Path:
    path = workdir / "tiny.arch"
    assert await open_doc(client, path, TINY) == []
    return path


async def hover_text(client: LanguageClient, path: Path, line: int, char: int) -> str | None:
    h = await client.text_document_hover_async(T.HoverParams(doc(path), T.Position(line, char)))
    return h.contents.value if h else None


async def test_hover_layer_call(client: LanguageClient, tiny: Path):
    text = await hover_text(client, tiny, 7, 20)
    assert text.startswith(
        "**output** 16×4×4\n\n- `stem`: conv(out=16, kernel=3, stride=2, padding=1, dilation=1, "
        "groups=1, bias=True): 3×8×8 → 16×4×4, MACs 6,912\n\n```archspec\n"
        "conv(out, kernel, stride=1, padding=0, dilation=1, groups=1, bias=True)\n```")
    assert "- `kernel` (or k): pair — kernel size" in text


async def test_hover_block_call_signature_doc_and_instance(client: LanguageClient, tiny: Path):
    assert await hover_text(client, tiny, 7, 45) == (
        "```archspec\nblock unit(c, k=3)\n```\n\nA unit: conv and relu.\n\n"
        "- `unit` (c=16, k=3) → 16×4×4, params 2,320, MACs 36,864")


async def test_hover_values_and_shared_block_body(client: LanguageClient, tiny: Path):
    assert await hover_text(client, tiny, 7, 3) == "`y`: 32×4×4"
    assert await hover_text(client, tiny, 6, 8) == "`x`: 3×8×8"
    body = await hover_text(client, tiny, 2, 15)
    assert body.startswith("**output** 16×4×4 | 32×4×4\n\n- `unit.conv`:")
    assert "- `unit_1.conv`: conv(out=32" in body
    assert await hover_text(client, tiny, 2, 17) == "`c` = 16 | 32"
    assert await hover_text(client, tiny, 2, 20) == "`k` = 3"


async def test_hover_primitive_without_call(client: LanguageClient, tiny: Path):
    assert await hover_text(client, tiny, 8, 12) == (
        "**output** 32×1×1\n\n- `gap`: gap(): 32×4×4 → 32×1×1, MACs 0\n\n```archspec\ngap()\n"
        "```\n\nglobal average pooling to C×1×1 (F.adaptive_avg_pool2d(x, 1))")


async def test_inlay_hints_and_toggle(client: LanguageClient, tiny: Path):
    params = T.InlayHintParams(doc(tiny), T.Range(T.Position(0, 0), T.Position(10, 0)))
    hints = await client.text_document_inlay_hint_async(params)
    assert [(h.position.line, h.position.character, h.label) for h in hints] == [
        (2, 27, "‹16×4×4 | 32×4×4›"), (2, 35, "‹16×4×4 | 32×4×4›"), (7, 38, "‹16×4×4›"),
        (7, 50, "‹16×4×4›"), (7, 62, "‹32×4×4›"), (8, 14, "‹32×1×1›"), (8, 25, "‹32›"),
        (8, 43, "‹10›")]
    client.workspace_did_change_configuration(
        T.DidChangeConfigurationParams({"archspec": {"inlayHints": False}}))
    assert not await client.text_document_inlay_hint_async(params)
    client.workspace_did_change_configuration(
        T.DidChangeConfigurationParams({"archspec": {"inlayHints": True}}))
    assert len(await client.text_document_inlay_hint_async(params)) == 8


async def test_hover_survives_a_syntax_error(client: LanguageClient, workdir: Path):
    path = workdir / "halfway.arch"
    await open_doc(client, path, TINY)
    [d] = await replace_text(client, path, TINY.replace("fc: linear(10)\n", "fc: linear(\n"), 2)
    assert d.code == "SpecSyntaxError"
    assert await hover_text(client, path, 7, 3) == "`y`: 32×4×4"
    gone = TINY.replace("## A unit: conv and relu.", 'import "gone.arch"')
    [d] = await replace_text(client, path, gone, 3)  # parses, cannot load: no graph
    assert (d.code, span(d.range)) == ("SpecImportError", (0, 0, 0, 18))
    assert await hover_text(client, path, 7, 3) == "`y`: 32×4×4"
    close_doc(client, path)


async def test_definition_in_file_std_and_imported_file(client: LanguageClient, workdir: Path,
                                                        tiny: Path):
    [here] = await client.text_document_definition_async(
        T.DefinitionParams(doc(tiny), T.Position(7, 43)))
    assert (here.uri, span(here.range)) == (tiny.as_uri(), (1, 6, 1, 10))
    (workdir / "blocks.arch").write_text("block twice(c) {\n  out in -> conv(c, 3, p=1)\n}\n")
    path = workdir / "importer.arch"
    text = ('import std.resnet\nimport "blocks.arch"\n\nnetwork n {\n  input x: [64, 4, 4]\n'
            '  out x -> bottleneck(16) -> twice(8)\n}\n')
    await open_doc(client, path, text)
    [std] = await client.text_document_definition_async(
        T.DefinitionParams(doc(path), T.Position(5, 14)))
    assert (std.uri, span(std.range)) == ((STD / "resnet.arch").as_uri(), (42, 6, 42, 16))
    [lib] = await client.text_document_definition_async(
        T.DefinitionParams(doc(path), T.Position(5, 33)))
    assert (lib.uri, span(lib.range)) == ((workdir / "blocks.arch").as_uri(), (0, 6, 0, 11))
    [module] = await client.text_document_definition_async(
        T.DefinitionParams(doc(path), T.Position(0, 12)))
    assert module.uri == (STD / "resnet.arch").as_uri()
    close_doc(client, path)


async def test_references_and_symbols(client: LanguageClient, tiny: Path):
    refs = await client.text_document_references_async(T.ReferenceParams(
        context=T.ReferenceContext(include_declaration=True), text_document=doc(tiny),
        position=T.Position(1, 7)))
    assert [span(r.range) for r in refs] == [(1, 6, 1, 10), (7, 42, 7, 46), (7, 54, 7, 58)]
    symbols = await client.text_document_document_symbol_async(
        T.DocumentSymbolParams(doc(tiny)))
    assert [(s.name, s.kind, [c.name for c in s.children or []]) for s in symbols] == [
        ("unit", T.SymbolKind.Function, []), ("tiny", T.SymbolKind.Class, ["stem", "fc"])]


async def completion_labels(client: LanguageClient, path: Path, line: int,
                            char: int) -> dict[str, T.CompletionItem]:
    result = await client.text_document_completion_async(
        T.CompletionParams(doc(path), T.Position(line, char)))
    return {item.label: item for item in result.items}


async def test_completion(client: LanguageClient, workdir: Path):
    path = workdir / "completing.arch"
    text = TINY.replace("  out y -> gap", "  z = y -> conv(8, \n  out y -> gap")
    text = "import std.\n" + text
    await open_doc(client, path, text)
    std = await completion_labels(client, path, 0, 11)
    assert {"resnet", "vgg", "mobilenet"} <= set(std)
    items = await completion_labels(client, path, 9, 20)
    assert items["stride="].detail == "stride=1"
    assert items["out="].detail == "out"
    assert items["conv"].detail == (
        "conv(out, kernel, stride=1, padding=0, dilation=1, groups=1, bias=True)")
    assert items["unit"].detail == "block unit(c, k=3)"
    assert {"x", "y", "len", "range"} <= set(items)
    inside = await completion_labels(client, path, 3, 17)
    assert {"c", "k", "in"} <= set(inside)
    help_ = await client.text_document_signature_help_async(
        T.SignatureHelpParams(doc(path), T.Position(9, 20)))
    assert help_.signatures[0].label.startswith("conv(out, kernel")
    assert help_.active_parameter == 1
    assert items["s="].detail == "stride=1"
    await replace_text(client, path, text.replace("conv(8, \n", "conv(8, 3, g=\n"), 2)
    help_ = await client.text_document_signature_help_async(
        T.SignatureHelpParams(doc(path), T.Position(9, 25)))
    assert help_.active_parameter == 5  # groups, named by its alias
    close_doc(client, path)


async def test_formatting(client: LanguageClient, workdir: Path):
    path = workdir / "messy.arch"
    messy = TINY.replace("## A unit: conv and relu.\n", "").replace(
        "conv(16, 3, s=2, p=1)", "conv( 16,3,s = 2,p=1 )")
    await open_doc(client, path, messy)
    [edit] = await client.text_document_formatting_async(T.DocumentFormattingParams(
        doc(path), T.FormattingOptions(2, True)))
    assert span(edit.range) == (0, 0, 9, 0)
    assert edit.new_text == format_source(SourceFile(str(path), messy))
    assert "conv(16, 3, s=2, p=1)" in edit.new_text
    close_doc(client, path)


async def test_formatting_keeps_comments(client: LanguageClient, workdir: Path):
    path = workdir / "commented.arch"
    text = "# keep me\n" + TINY.replace("conv(16, 3, s=2, p=1)", "conv( 16,3,s = 2,p=1 )")
    await open_doc(client, path, text)
    [edit] = await client.text_document_formatting_async(T.DocumentFormattingParams(
        doc(path), T.FormattingOptions(2, True)))
    assert edit.new_text == format_source(SourceFile(str(path), text))
    assert edit.new_text.startswith("# keep me\n## A unit: conv and relu.\n")
    assert "conv(16, 3, s=2, p=1)" in edit.new_text
    close_doc(client, path)


async def test_references_across_open_files(client: LanguageClient, workdir: Path):
    lib, user = workdir / "refs_lib.arch", workdir / "refs_user.arch"
    await open_doc(client, lib, "block widen(c) {\n  out in -> conv(c, 3, p=1)\n}\n")
    await open_doc(client, user, 'import "refs_lib.arch"\n\nnetwork n {\n  input x: [3, 5, 5]\n'
                                 "  out x -> widen(4) -> widen(8)\n}\n")
    refs = await client.text_document_references_async(T.ReferenceParams(
        context=T.ReferenceContext(include_declaration=True), text_document=doc(lib),
        position=T.Position(0, 8)))
    assert [(r.uri, span(r.range)) for r in refs] == [
        (lib.as_uri(), (0, 6, 0, 11)), (user.as_uri(), (4, 11, 4, 16)),
        (user.as_uri(), (4, 23, 4, 28))]
    close_doc(client, user)
    close_doc(client, lib)
