"""No spec text can inject code into an exported .py: network names and docs reach the file
only through repr(), and the class name is always a plain identifier."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import archspec
from tests.cli.clicases import TINY

pytest.importorskip("torch")

from archspec.backends.torch.export import export_python  # noqa: E402

MARKER = "/tmp/archspec-export-injection-pwned"
HOSTILE = {
    "triple_quotes": 'n"""\nimport os; os.system("touch ' + MARKER + '")\n"""',
    "single_quotes": "n'''\n__import__('os').system('touch " + MARKER + "')\n'''",
    "backslash_at_end": "net\\",
    "newline_and_comment": "n\n# -*- coding: rot13 -*-\nvzcbeg bf",
    "crlf_and_nul": "n\r\nimport os\x00",
    "unicode_line_separator": "n\u2028import os",
}


def hostile_graph(name: str) -> archspec.Network:
    net = archspec.load(TINY)
    net.ir.meta.name = name
    net.ir.meta.blocks[""].doc = name
    return net


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_network_name_is_only_text_in_the_export(case: str, tmp_path: Path) -> None:
    name = HOSTILE[case]
    text = export_python(hostile_graph(name).ir, tmp_path / "net.py")
    tree = ast.parse(text)
    doc = ast.get_docstring(tree)
    assert doc is not None and doc.endswith(f"from network {name!r}. Standalone: needs only "
                                            "torch.")
    classes = [n.name for n in tree.body if isinstance(n, ast.ClassDef)]
    assert len(classes) == 1 and classes[0].isidentifier()
    imports = {a.name for n in tree.body if isinstance(n, ast.Import) for a in n.names}
    assert imports <= {"collections", "math", "operator", "torch", "torch.nn.functional",
                       "torch.utils.checkpoint", "torchvision"}
    namespace: dict[str, object] = {}
    exec(compile(text, str(tmp_path / "net.py"), "exec"), namespace)
    assert not Path(MARKER).exists()
    assert (tmp_path / "net.py").read_text() == text


@pytest.mark.parametrize("network, expected", [("class", "Class"), ("none", "Net_None"),
                                               ("3d", "Net3d"), ("wide-resnet", "WideResnet")])
def test_the_class_name_is_a_usable_identifier(network: str, expected: str,
                                               tmp_path: Path) -> None:
    text = export_python(hostile_graph(network).ir, tmp_path / "net.py")
    assert f"\nclass {expected}(nn.Module):\n" in text


@pytest.mark.parametrize("class_name", ["Bad Name", "class", 'X"', "1st"])
def test_a_class_name_that_is_not_an_identifier_is_refused(class_name: str,
                                                           tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="class_name must be a Python identifier"):
        export_python(archspec.load(TINY).ir, tmp_path / "net.py", class_name=class_name)
    assert list(tmp_path.iterdir()) == []
