"""The VS Code extension: its TextMate grammar on every zoo and std spec (through
vscode-textmate, when node and the npm packages are there), and its manifest."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXT = ROOT / "editors" / "vscode"
SPECS = sorted((ROOT / "specs").glob("*.arch")) + sorted((ROOT / "archspec/std").glob("*.arch"))
SNIPPET = ('## doc\nblock unit(c, k=3) {\n  y = in -> conv1: conv(c, 3, s=2) @init("zeros")'
           ' -> relu  # note\n  out if true { y } else { y -> flatten }\n}\n')


def tokenize(files: list[Path]) -> dict:
    if shutil.which("node") is None or not (EXT / "node_modules" / "vscode-textmate").is_dir():
        pytest.skip("needs node and `npm install` in editors/vscode")
    done = subprocess.run(["node", "test/tokenize.js", *map(str, files)], cwd=EXT,
                          capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout)


def test_every_spec_is_fully_scoped():
    reports = tokenize(SPECS)
    assert len(reports) == len(SPECS)
    bad = {Path(f).name: (r["unscoped"][:3], r["invalid"][:3])
           for f, r in reports.items() if r["unscoped"] or r["invalid"] or not r["closed"]}
    assert bad == {}


def test_token_scopes(tmp_path: Path):
    path = tmp_path / "snippet.arch"
    path.write_text(SNIPPET)
    tokens = dict(tokenize([path])[str(path)]["tokens"])
    assert tokens["## doc"] == "comment.line.documentation.archspec"
    assert tokens["# note"] == "comment.line.number-sign.archspec"
    assert tokens["block"] == "storage.type.archspec"
    assert tokens["unit"] == "entity.name.function.archspec"
    assert tokens["conv1"] == "entity.name.label.archspec"
    assert tokens["conv"] == "support.function.primitive.archspec"
    assert tokens["flatten"] == "support.function.primitive.archspec"
    assert tokens["init"] == "entity.name.decorator.archspec"
    assert tokens['"zeros"'] == "string.quoted.double.archspec"
    assert tokens["->"] == "keyword.operator.chain.archspec"
    assert tokens["true"] == "constant.language.boolean.archspec"
    assert tokens["3"] == "constant.numeric.integer.archspec"
    assert tokens["y"] == "variable.other.archspec"


def test_grammar_is_generated_from_the_primitives():
    spec = importlib.util.spec_from_file_location("grammar", EXT / "grammar.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (EXT / "syntaxes" / "archspec.tmLanguage.json").read_text() == module.text(), \
        "run: python editors/vscode/grammar.py"


def test_manifest():
    manifest = json.loads((EXT / "package.json").read_text())
    [language] = manifest["contributes"]["languages"]
    assert (language["id"], language["extensions"]) == ("archspec", [".arch"])
    [grammar] = manifest["contributes"]["grammars"]
    assert (EXT / grammar["path"]).is_file()
    assert (EXT / manifest["main"]).is_file()
    config = json.loads((EXT / language["configuration"]).read_text())
    assert config["comments"] == {"lineComment": "#"}
    assert ["{", "}"] in config["brackets"]
    props = manifest["contributes"]["configuration"]["properties"]
    assert props["archspec.server.command"]["default"] == ["archspec", "lsp"]
