"""The ``audit --input 3xHxW --json`` document (cost formulas and the size table) against its
pydantic model: it round trips exactly, unknown fields fail, the JSON Schema validates it, and
the formulas audit imports neither pydantic nor torch."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from archspec.cli import main
from archspec.schema import json_schema
from archspec.schema.audit_sizes import InvalidRow, SizesAuditJson, ValidRow

ROOT = Path(__file__).resolve().parents[2]
ENV = {"PYTHONPATH": str(ROOT), "ARCHSPEC_CACHE": "off", "PATH": "/usr/bin:/bin"}


def document(capsys, spec: str, *args: str) -> str:
    assert main(["audit", str(ROOT / "specs" / spec), "--input", "3xHxW", "--json", *args]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize(("spec", "args"), [
    ("resnet50.arch", ()), ("inception_v3.arch", ("--sizes", "200,299", "--train", "zero3",
                                                  "--world", "4"))])
def test_round_trips_exactly(capsys, spec, args):
    text = document(capsys, spec, *args)
    model = SizesAuditJson.model_validate_json(text)
    assert json.dumps(model.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n" == text
    if args:
        assert [type(r) for r in model.sizes] == [InvalidRow, ValidRow]
        assert model.sizes[1].macs == 5_713_216_096 and model.training.strategy == "zero3"


def test_unknown_fields_fail_and_the_schema_validates(capsys):
    jsonschema = pytest.importorskip("jsonschema")
    data = json.loads(document(capsys, "resnet50.arch", "--sizes", "64"))
    jsonschema.validate(data, json_schema("audit-sizes"))
    data["formulas"]["macs"]["colour"] = "red"
    with pytest.raises(ValidationError, match="colour"):
        SizesAuditJson.model_validate(data)


def test_formulas_import_neither_pydantic_nor_torch():
    code = ("import sys\nfrom archspec.cli import main\n"
            "a = main(['audit', 'specs/resnet50.arch', '--input', '3xHxW'])\n"
            "print(a, 'pydantic' in sys.modules, 'torch' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=ENV,
                          capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "0 False False"
