"""Which characters end a line: ``\\n`` (with an optional ``\\r`` before it), and nothing
else. The lexer counts lines that way, so SourceFile must too: a form feed, vertical tab,
U+0085, U+2028 or U+2029 in a comment or string does not move the line an error quotes."""

from __future__ import annotations

import pytest

from archspec.errors import SpecError
from archspec.frontend.to_ast import parse_module
from archspec.frontend.yaml import parse_yaml
from archspec.source import SourceFile

ODD = ["\x0c", "\x0b", "\x85", "\u2028", "\u2029", "\x1c", "\x1e"]


def error_of(source: SourceFile) -> SpecError:
    with pytest.raises(SpecError) as err:
        (parse_yaml if source.name.endswith(".yaml") else parse_module)(source)
    return err.value


@pytest.mark.parametrize("char", ODD, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["LF", "CRLF"])
def test_odd_characters_in_comments_and_strings_do_not_shift_errors(char: str,
                                                                    newline: str) -> None:
    text = newline.join([f"# a{char}b", f'let s = "x{char}y"  # c{char}d', "let a = )", ""])
    err = error_of(SourceFile("f.arch", text))
    assert (err.span.line, err.span.col) == (3, 9)
    assert err.span.text_line == "let a = )"
    assert "    3 | let a = )" in err.format()


@pytest.mark.parametrize("char", ["\x0b", "\x85", "\u2028", "\u2029"],
                         ids=lambda c: f"U+{ord(c):04X}")
def test_an_odd_character_outside_comments_is_an_error_where_it_stands(char: str) -> None:
    err = error_of(SourceFile("f.arch", f"let a = 1\nlet b ={char} 2\n"))
    assert (err.message, err.span.line, err.span.col) == (f"unexpected character {char!r}", 2, 8)
    assert err.span.text_line == f"let b ={char} 2"


def test_a_form_feed_is_whitespace_between_tokens() -> None:
    err = error_of(SourceFile("f.arch", "let\x0ca = 1\n\x0clet b = )\n"))
    assert (err.span.line, err.span.col, err.span.text_line) == (2, 10, "\x0clet b = )")


@pytest.mark.parametrize("char", ["\x85", "\u2028", "\u2029"], ids=lambda c: f"U+{ord(c):04X}")
def test_yaml_errors_are_located_by_the_same_lines(char: str) -> None:
    # YAML itself ends a comment at these (what follows is YAML again), but the position of
    # an error is counted from the offset in lines as above, not by YAML's count of lines.
    text = f"# a{char}b: 1\nnetworks:\n  n:\n    body:\n    - let x-y: 1\n"
    err = error_of(SourceFile("f.yaml", text))
    assert (err.message, err.span.line, err.span.col) == ("unknown top-level key 'b'", 1, 5)
    assert err.span.text_line == f"# a{char}b: 1"
    text = f"# a{char}b\nnetworks:\n  n:\n    body:\n    - let x-y: 1\n"
    err = error_of(SourceFile("f.yaml", text.replace("b\n", "\n", 1)))
    assert (err.span.line, err.span.col) == (5, 11)
    assert err.span.text_line == "    - let x-y: 1"


def test_source_lines_and_positions() -> None:
    source = SourceFile("s", "ab\r\ncd\u2028e\x0cf\n\nlast")
    assert [source.line(n) for n in range(1, 6)] == ["ab", "cd\u2028e\x0cf", "", "last", ""]
    assert [source.position(i) for i in (0, 4, 9, 10, 11, 12)] == [
        (1, 1), (2, 1), (2, 6), (2, 7), (3, 1), (4, 1)]
