"""The analysis in process: which nodes a span made, per block instance, on ResNet-50."""

from __future__ import annotations

from pathlib import Path

from archspec.frontend import ast as A
from archspec.lsp.analysis import analyse, analyse_blanking
from archspec.lsp.shapes import index_of
from archspec.lsp.syntax import walk
from tests.lsp.conftest import STD, TINY

ROOT = Path(__file__).resolve().parents[2]


def chain_steps(analysis, path: Path) -> dict[str, A.Node]:
    module = analysis.imported[path].module
    steps = [e for c in walk(module) if isinstance(c, A.Chain) for e in c.elements]
    return {s.span.text_line[s.span.col - 1:s.span.end_col - 1]: s for s in steps
            if s.span.end_line == s.span.line}


def test_shapes_per_instance_of_a_std_block():
    spec = ROOT / "specs" / "resnet50.arch"
    analysis = analyse(spec.resolve(), spec.read_text())
    assert analysis.errors == []
    index = index_of(analysis)
    steps = chain_steps(analysis, (STD / "resnet.arch").resolve())
    conv3 = steps["conv3: conv(planes * 4, 1, bias=false)"]
    assert index.shapes(conv3.span) == [(256, 56, 56), (512, 28, 28), (1024, 14, 14),
                                        (2048, 7, 7)]
    assert len(index.results(conv3.span)) == 16  # one per bottleneck: 3 + 4 + 6 + 3
    stem = steps["conv1: conv(64, 7, s=2, p=3, bias=false)"]
    [node] = index.results(stem.span)
    assert (node.name, node.shape) == ("conv1", (64, 112, 112))


def test_a_file_that_never_parsed_is_analysed_without_its_broken_lines(tmp_path: Path):
    text = "import std.\n" + TINY.replace("  out y", "  z = y -> conv(8, \n  out y")
    path = tmp_path / "half.arch"
    assert not analyse(path, text).parsed
    repaired = analyse_blanking(path, text, {})
    assert repaired.parsed
    assert list(repaired.ns.blocks) == ["unit", "tiny"]


def test_yaml_documents_are_formatted_as_yaml():
    from archspec.frontend.formatting import format_source
    from archspec.lsp.edits import formatting_edits
    from archspec.source import SourceFile
    text = "# a net\nimports: [std.lenet]\nnetworks:\n  n: {alias: 'lenet()'}\n"
    [edit] = formatting_edits("net.yaml", text)
    assert edit.new_text == format_source(SourceFile("net.yaml", text), "yaml")
    assert "# a net\n" in edit.new_text  # (fmt puts it after `imports:`: reported)
    assert "alias: lenet()" in edit.new_text
