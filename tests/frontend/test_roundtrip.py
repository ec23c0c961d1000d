"""fmt is canonical and idempotent; .arch -> YAML -> graph gives the identical graph, comments
and all (test_fmt_properties.py checks the AST)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import archspec
from archspec.elaborate.loader import STD_DIR, parse_source
from archspec.frontend.fmt import format_module
from archspec.frontend.formatting import format_source
from archspec.frontend.yaml_out import to_yaml
from archspec.ir import nodes
from archspec.source import SourceFile

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted((ROOT / "specs").glob("*.arch"))
LIBRARY = sorted(STD_DIR.glob("*.arch"))


def signature(graph) -> list:
    return [(n.name, n.op, n.params, n.shape, [(r.node, r.port) for r in n.inputs], n.block,
             n.attrs) for n in nodes(graph)] + [sorted(graph.graph["outputs"])]


def reparse(text: str, name: str):
    return parse_source(SourceFile(name, text))


@pytest.mark.parametrize("path", SPECS + LIBRARY, ids=lambda p: p.name)
def test_fmt_is_idempotent_and_yaml_roundtrips(path: Path) -> None:
    module = parse_source(SourceFile.read(path))
    canonical = format_module(module)
    assert format_module(reparse(canonical, "a.arch")) == canonical
    via_yaml = reparse(to_yaml(module), "a.yaml")
    assert format_module(via_yaml) == canonical


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.name)
def test_yaml_form_elaborates_to_the_identical_graph(path: Path, tmp_path: Path) -> None:
    work = tmp_path / "specs"
    shutil.copytree(path.parent, work)
    source = SourceFile.read(path)  # formatted with its comments, as `archspec fmt` does
    (work / f"{path.stem}.yaml").write_text(format_source(source, "yaml"))
    (work / f"{path.stem}.fmt.arch").write_text(format_source(source))
    original = signature(archspec.load(path).graph)
    assert signature(archspec.load(work / f"{path.stem}.yaml").graph) == original
    assert signature(archspec.load(work / f"{path.stem}.fmt.arch").graph) == original
