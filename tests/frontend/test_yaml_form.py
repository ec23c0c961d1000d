"""The YAML form keeps comments (.arch -> YAML -> .arch), refuses what it cannot hold, and
takes names by the .arch identifier rule, with located errors."""

from __future__ import annotations

import pytest

from archspec.errors import SpecError
from archspec.frontend.formatting import format_source
from archspec.frontend.to_ast import parse_module
from archspec.frontend.yaml import parse_yaml
from archspec.source import SourceFile
from tests.frontend.ast_compare import canonical

ARCH = """\
# file header
import std.resnet  # trailing import

## Doc.
block b(c, k=3) {  # header
  # lead stmt
  y = in -> conv(c, k)  # inside the chain
    -> relu  # on relu
  z = [
    conv(1),  # item
  ]
  for i in range(2) {  # loop
    q = z
    # closing the loop
  }
  # closing
}

# before net
network n {
  input x: [3, 8, 8]
  out x -> b(4)
}
# end of file
"""

YAML = """\
imports:
# file header
- std.resnet  # trailing import
blocks:
  b:  # header
    doc: Doc.
    params:
    - c
    - k: 3
    body:
    # lead stmt
    # inside the chain
    - y: in -> conv(c, k) -> relu  # on relu
    # item
    - z: '[conv(1)]'
    - for i in range(2):  # loop
      - q: z
        # closing the loop
    # closing
networks:
  # before net
  n:
    body:
    - input x: [3, 8, 8]
    - out: x -> b(4)
# end of file
"""

# Comments inside an expression move above its statement: a YAML value has no room for them.
BACK = """\
# file header
import std.resnet  # trailing import

## Doc.
block b(c, k=3) {  # header
  # lead stmt
  # inside the chain
  y = in -> conv(c, k) -> relu  # on relu
  # item
  z = [conv(1)]
  for i in range(2) {  # loop
    q = z
    # closing the loop
  }
  # closing
}

# before net
network n {
  input x: [3, 8, 8]
  out x -> b(4)
}
# end of file
"""


def test_arch_to_yaml_and_back_keeps_every_comment() -> None:
    assert format_source(SourceFile("a.arch", ARCH), "yaml") == YAML
    as_yaml = SourceFile("a.yaml", YAML)
    assert format_source(as_yaml, "yaml") == YAML
    assert format_source(as_yaml, "arch") == BACK
    assert format_source(SourceFile("b.arch", BACK), "yaml") == YAML
    assert canonical(parse_yaml(as_yaml)) == canonical(parse_module(SourceFile("a.arch", ARCH)))


def test_hand_written_yaml_comments_and_paragraphs() -> None:
    text = ("# lenet-ish\n\nnetworks:\n  n:  # the net\n    body:\n    - input x: [1, 28, 28]\n"
            "\n\n    # features\n    - y: x -> conv(6, 5) -> relu  # c1\n    - out: y\n")
    assert format_source(SourceFile("n.yaml", text), "arch") == (
        "# lenet-ish\n\nnetwork n {  # the net\n  input x: [1, 28, 28]\n\n  # features\n"
        "  y = x -> conv(6, 5) -> relu  # c1\n  out y\n}\n")


def test_line_separators_survive_yaml() -> None:
    text = 'let s = "a\u2028b\x85c"  # x\u2029y\x0cz\n'
    yaml_text = format_source(SourceFile("s.arch", text), "yaml")
    assert yaml_text == 'let:\n  s: "\\"a\\Lb\\Nc\\""  # x y z\n'
    back = format_source(SourceFile("s.yaml", yaml_text), "arch")
    assert back == 'let s = "a\u2028b\x85c"  # x y z\n'


@pytest.mark.parametrize(("text", "message", "line", "col"), [
    ("let a = 1\nlet a = 2\n", "the YAML form cannot hold a second let named 'a'", 2, 1),
    ("block b() {\n  out in\n}\nblock b() {\n  out in\n}\n",
     "the YAML form cannot hold a second definition named 'b'", 4, 7),
])
def test_yaml_refuses_what_it_cannot_hold(text: str, message: str, line: int, col: int) -> None:
    with pytest.raises(SpecError) as err:
        format_source(SourceFile("d.arch", text), "yaml")
    assert (err.value.message, err.value.span.line, err.value.span.col) == (message, line, col)
    assert err.value.notes[0].message == "first defined here"


NAMES = [
    ("blocks:\n  my-block:\n    body: []\n", "block name 'my-block' is not a valid name", 2, 3),
    ("networks:\n  2net:\n    body: []\n", "network name '2net' is not a valid name", 2, 3),
    ("let:\n  3x: 1\n", "let name '3x' is not a valid name", 2, 3),
    ("networks:\n  n:\n    params: ['a b']\n    body: []\n",
     "parameter name 'a b' is not a valid name", 3, 15),
    ("networks:\n  n:\n    params: ['c: in-t']\n    body: []\n",
     "parameter type 'in-t' is not a valid name", 3, 18),
    ("networks:\n  n:\n    params:\n    - x y: 3\n    body: []\n",
     "parameter name 'x y' is not a valid name", 4, 7),
    ("networks:\n  n:\n    body:\n    - let 2y: 3\n", "let name '2y' is not a valid name", 4, 11),
    ('networks:\n  n:\n    body:\n    - "let q-q": 3\n', "let name 'q-q' is not a valid name",
     4, 12),
    ("networks:\n  n:\n    body:\n    - let : 3\n", "let name is missing", 4, 10),
    ("networks:\n  n:\n    body:\n    - input x.y: [3]\n",
     "input name 'x.y' is not a valid name", 4, 13),
    ("networks:\n  n:\n    body:\n    - out a-b: x\n", "output name 'a-b' is not a valid name",
     4, 11),
    ("networks:\n  n:\n    body:\n    - aux 1a:\n        value: x\n",
     "aux output name '1a' is not a valid name", 4, 11),
    ("networks:\n  n:\n    body:\n    - for 1i in range(2):\n      - x\n",
     "loop variable '1i' is not a valid name", 4, 11),
    ("networks:\n  n:\n    body:\n    - a-b: x\n", "'a-b' is not a statement key", 4, 7),
    ("imports:\n- std.res-net\n", "unknown module 'std.res-net'", 2, 3),
    ("imports:\n- std.resnet as 9\n", "import alias '9' is not a valid name", 2, 17),
    ("networks:\n  n:\n    body:\n    - assert: []\n",
     "assert takes a condition and an optional message", 4, 15),
    ("networks:\n  n:\n    body:\n    - assert x: y\n", "unexpected 'x' after 'assert'", 4, 7),
]


@pytest.mark.parametrize(("text", "message", "line", "col"), NAMES)
def test_yaml_names_follow_the_arch_identifier_rule(text: str, message: str, line: int,
                                                    col: int) -> None:
    with pytest.raises(SpecError) as err:
        parse_yaml(SourceFile("n.yaml", text))
    assert (err.value.message, err.value.span.line, err.value.span.col) == (message, line, col)


def test_unicode_names_are_names_in_both_forms() -> None:
    text = "networks:\n  réseau:\n    params: ['é: int']\n    body:\n    - input x: [3]\n"
    assert format_source(SourceFile("u.yaml", text), "arch") == (
        "network réseau(é: int) {\n  input x: [3]\n}\n")
