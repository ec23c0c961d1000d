"""fmt's contract, as properties: over generated specs (and every file in specs/ and std/) the
output parses back to the identical AST, keeps every comment, and is a fixed point."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import assume, given

from archspec.errors import SpecError
from archspec.frontend.fmt import format_source
from archspec.frontend.to_ast import parse_module
from archspec.frontend.trivia import arch_comments
from archspec.source import SourceFile
from tests.frontend.ast_compare import canonical
from tests.frontend.fmt_strategies import spec_text
from tests.hardening.strategies import examples

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted((ROOT / "specs").glob("*.arch")) + sorted((ROOT / "archspec" / "std").glob(
    "*.arch"))


def comment_texts(source: SourceFile) -> list[str]:
    return [c.text for c in arch_comments(source, parse_module(source))]


def assert_fmt_contract(source: SourceFile) -> None:
    module = parse_module(source)
    out = format_source(source)
    again = SourceFile("formatted.arch", out)
    assert canonical(parse_module(again)) == canonical(module), out
    assert format_source(again) == out
    for text in comment_texts(source):
        assert text in out, (text, out)
    assert out.endswith("\n") or out == ""


@examples(ci=60)
@given(spec_text())
def test_fmt_of_generated_specs_parses_back_identically(text: str) -> None:
    source = SourceFile("gen.arch", text)
    try:
        parse_module(source)
    except SpecError:
        assume(False)
    assert_fmt_contract(source)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_fmt_of_every_shipped_spec_parses_back_identically(path: Path) -> None:
    assert_fmt_contract(SourceFile.read(path))
