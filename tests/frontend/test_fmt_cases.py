"""Formatting cases, each with its exact output: where comments sit (before an import, between
blocks, in a body, trailing a chain line, inside a multi-line group, after the last statement,
at the end of a file without a newline), ``##`` documentation, blank-line paragraphs, odd line
endings; and the specs the property tests found fmt turning invalid or different (fixtures)."""

from __future__ import annotations

from pathlib import Path

import pytest

from archspec.cli import main
from archspec.frontend.formatting import format_source
from archspec.frontend.to_ast import parse_module
from archspec.source import SourceFile
from tests.frontend.ast_compare import canonical

CASES = [
    ('before_import',
     '# header\n'
     'import std.resnet\n',

     '# header\n'
     'import std.resnet\n'),
    ('between_blocks',
     'block a() {\n'
     '  out in\n'
     '}\n'
     '# about b\n'
     '\n'
     'block b() {\n'
     '  out in\n'
     '}\n',

     'block a() {\n'
     '  out in\n'
     '}\n'
     '\n'
     '# about b\n'
     '\n'
     'block b() {\n'
     '  out in\n'
     '}\n'),
    ('in_body',
     'network n {\n'
     '  input x: [3]\n'
     '  # the head\n'
     '  out x -> relu\n'
     '}\n',

     'network n {\n'
     '  input x: [3]\n'
     '  # the head\n'
     '  out x -> relu\n'
     '}\n'),
    ('trailing_chain',
     'network n {\n'
     '  input x: [3, 8, 8]\n'
     '  out x -> conv(8, 3)  # stem\n'
     '    -> relu  # act\n'
     '    -> gap\n'
     '}\n',

     'network n {\n'
     '  input x: [3, 8, 8]\n'
     '  out x -> conv(8, 3)  # stem\n'
     '      -> relu  # act\n'
     '      -> gap\n'
     '}\n'),
    ('multiline_group',
     'let cfg = [  # channels\n'
     '  64,  # first\n'
     '  # wide ones\n'
     '  128,\n'
     '  256  # last\n'
     ']\n',

     'let cfg = [  # channels\n'
     '    64,  # first\n'
     '    # wide ones\n'
     '    128,\n'
     '    256,  # last\n'
     '  ]\n'),
    ('after_last_statement',
     'network n {\n'
     '  input x: [3]\n'
     '  out x\n'
     '  # done\n'
     '}\n',

     'network n {\n'
     '  input x: [3]\n'
     '  out x\n'
     '  # done\n'
     '}\n'),
    ('eof_without_newline',
     'let a = 1\n'
     '# the end',

     'let a = 1\n'
     '# the end\n'),
    ('docs',
     '##  A block.\n'
     '##\n'
     '## Second paragraph.\n'
     'block b() {\n'
     '  out in\n'
     '}\n',

     '## A block.\n'
     '##\n'
     '## Second paragraph.\n'
     'block b() {\n'
     '  out in\n'
     '}\n'),
    ('paragraphs',
     'network n {\n'
     '  input x: [3]\n'
     '\n'
     '\n'
     '\n'
     '  y = x -> relu\n'
     '\n'
     '  # tail\n'
     '\n'
     '\n'
     '  out y\n'
     '}\n',

     'network n {\n'
     '  input x: [3]\n'
     '\n'
     '  y = x -> relu\n'
     '\n'
     '  # tail\n'
     '\n'
     '  out y\n'
     '}\n'),
    ('block_header_and_close',
     'block b(c) {  # header\n'
     '  out in -> conv(c, 1)\n'
     '}  # end of b\n',

     'block b(c) {  # header\n'
     '  out in -> conv(c, 1)\n'
     '}  # end of b\n'),
    ('hash_comment_not_doc',
     '## loose note\n'
     '\n'
     'block b() {\n'
     '  out in\n'
     '}\n',

     '## loose note\n'
     '\n'
     'block b() {\n'
     '  out in\n'
     '}\n'),
    ('if_comments',
     'network n {\n'
     '  input x: [3]\n'
     '  out if true {  # then\n'
     '    x\n'
     '  } else {\n'
     '    x -> relu  # else\n'
     '  }\n'
     '}\n',

     'network n {\n'
     '  input x: [3]\n'
     '  out if true {  # then\n'
     '    x\n'
     '  } else {\n'
     '    x -> relu  # else\n'
     '  }\n'
     '}\n'),
    ('crlf_tabs_formfeed',
     'let a = 1\t# tab\r\n'
     '\x0c\r\n'
     'let b\t=\t2\r\n',

     'let a = 1  # tab\n'
     '\n'
     'let b = 2\n'),
    ('line_separator_in_comment',
     '# one\u2028two\n'
     'let a = 1  # x\x0cy\n',

     '# one\u2028two\n'
     'let a = 1  # x\x0cy\n'),
    ('comparison_in_parens',
     'let a = (1 < 2) == (3 >= 4)\n'
     'let b = (x < y) < z\n',

     'let a = (1 < 2) == (3 >= 4)\n'
     'let b = (x < y) < z\n'),
    ('chain_in_group_item',
     'network n {\n'
     '  out [(in -> relu), in]\n'
     '}\n',

     'network n {\n'
     '  out [(in -> relu), in]\n'
     '}\n'),
    ('chain_in_index',
     'let a = x[(y -> z)]\n'
     'let b = x[(l: y)]\n',

     'let a = x[(y -> z)]\n'
     'let b = x[(l: y)]\n'),
    ('statement_keyword_expression',
     'network n {\n'
     '  (input @init("zeros"))\n'
     '  (let)\n'
     '}\n',

     'network n {\n'
     '  (input @init("zeros"))\n'
     '  (let)\n'
     '}\n'),
    ('keyword_label',
     'network n {\n'
     '  out in -> "in": relu -> "for": relu\n'
     '}\n',

     'network n {\n'
     '  out in -> "in": relu -> "for": relu\n'
     '}\n'),
    ('template_quotes_braces',
     'network n {\n'
     '  out in -> "a\\{b\\}": relu -> \'q{f("\\}")}\': relu -> "l{i}_{f(\'s\')}": relu\n'
     '}\n',

     'network n {\n'
     '  out in -> "a\\{b\\}": relu -> "q{f(\'\\}\')}": relu -> "l{i}_{f(\'s\')}": relu\n'
     '}\n'),
    ('else_if_comments',
     'let a = if x {  # one\n'
     '  1\n'
     '} else if y {  # two\n'
     '  2\n'
     '} else {\n'
     '  3\n'
     '  # three\n'
     '}\n',

     'let a = if x {  # one\n'
     '  1\n'
     '} else if y {  # two\n'
     '  2\n'
     '} else {\n'
     '  3\n'
     '  # three\n'
     '}\n'),
    ('long_if_keyword_branch',
     'let a = if cccccccccccccccccccccccccccccccccccccccccc { xxxx'
     'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx } else { block }\n',

     'let a = if cccccccccccccccccccccccccccccccccccccccccc {\n'
     '  xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n'
     '} else {\n'
     '  (block)\n'
     '}\n'),
    ('pow_and_negatives',
     'let a = (-2) ** -x ** 2\n'
     'let b = -(2 ** 3)\n',

     'let a = (-2) ** -x ** 2\n'
     'let b = -2 ** 3\n'),
]


@pytest.mark.parametrize(("name", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_fmt_output(name: str, text: str, expected: str) -> None:
    source = SourceFile(f"{name}.arch", text)
    assert format_source(source) == expected
    again = SourceFile("again.arch", expected)
    assert format_source(again) == expected
    assert canonical(parse_module(again)) == canonical(parse_module(source))


def test_fmt_command_keeps_comments(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    spec = tmp_path / "n.arch"
    spec.write_text("# a net\nnetwork n {\n  input x: [3]  # rgb\n\n  out x -> relu\n}\n")
    assert main(["fmt", str(spec)]) == 0
    assert capsys.readouterr().out == spec.read_text()
    assert main(["fmt", str(spec), "--to", "yaml"]) == 0
    assert capsys.readouterr().out == ("networks:\n  # a net\n  n:\n    body:\n"
                                       "    - input x: [3]  # rgb\n\n    - out: x -> relu\n")
