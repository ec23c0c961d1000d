"""The parser's own node positions (frontend/positions.py) equal lark's propagate_positions:
same trees, same meta on every node, for every spec file and random edits of them."""

from __future__ import annotations

import contextlib
import gc
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lark import Lark, Tree
from lark.exceptions import UnexpectedInput

from archspec.errors import SpecError
from archspec.frontend import cache as ast_cache
from archspec.frontend.parse import _Nesting, build_parser, parser
from archspec.frontend.to_ast import parse_module
from archspec.source import SourceFile
from tests.frontend.test_properties import mutate
from tests.hardening.cases import largest_file, library

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted((ROOT / "specs").glob("*.arch")) + sorted((ROOT / "archspec" / "std").glob(
    "*.arch")) + sorted((ROOT / "tests" / "fixtures").rglob("*.arch"))
FIELDS = ("empty", "line", "column", "end_line", "end_column")


@cache
def reference() -> Lark:
    return build_parser(propagate_positions=True)


def outcome(lark: Lark, text: str, start: str) -> Tree | tuple:
    try:
        return lark.parse(text, start=start)
    except UnexpectedInput as e:
        return type(e).__name__, e.line, e.column, sorted(getattr(e, "expected", ()) or ())
    except _Nesting as e:
        return "nesting", e.tok.line, e.tok.column


def assert_same_parse(text: str, start: str = "start") -> None:
    got, want = outcome(parser(), text, start), outcome(reference(), text, start)
    assert got == want
    if isinstance(got, Tree):
        for a, b in zip(got.iter_subtrees(), want.iter_subtrees(), strict=True):
            assert a.data == b.data
            assert [getattr(a.meta, f, None) for f in FIELDS] == [
                getattr(b.meta, f, None) for f in FIELDS], (a.data, a.meta.__dict__)


def test_fast_positions_are_installed() -> None:
    assert parser().options.propagate_positions is False


def test_ast_cache_key_covers_positions() -> None:
    assert {"parse.py", "positions.py", "arch.lark", "to_ast.py"} <= set(ast_cache.DIGESTED)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_positions_match_lark_on_spec_files(path: Path) -> None:
    assert_same_parse(path.read_text())


@pytest.mark.parametrize("text", [largest_file("net"), largest_file("lets"), library(0)],
                         ids=["net", "lets", "library"])
def test_positions_match_lark_on_large_files(text: str) -> None:
    assert_same_parse(text)


@pytest.mark.parametrize("text", ["(a + b) * c", "-(x)[1:2]", "f(a, b,\n)", "[relu, bn] * 2",
                                  "x -> l: conv(3) @init('zeros') -> (y)", "not (a) or ((b))",
                                  "if a { (b) } else { [c,] }"])
def test_positions_match_lark_on_expressions(text: str) -> None:
    assert_same_parse(text, start="expr")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_positions_match_lark_on_random_edits(data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(FILES))
    assert_same_parse(mutate(path.read_text(), data))


@pytest.mark.parametrize("text", ["network n {\n  input x: [3, 8, 8]\n  out x\n}\n",
                                  "network n {\n  out x ->\n}\n", "let a = 'n{(}'\n"])
def test_parsing_pauses_the_collector_and_restores_it(text: str) -> None:
    assert gc.isenabled()
    with contextlib.suppress(SpecError):
        parse_module(SourceFile("a.arch", text))
    assert gc.isenabled()
    gc.disable()
    try:
        with contextlib.suppress(SpecError):
            parse_module(SourceFile("a.arch", text))
        assert not gc.isenabled()
    finally:
        gc.enable()
