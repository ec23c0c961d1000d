"""``check --input 3xHxW`` and ``audit --input 3xHxW --sizes``: formulas, the valid set, and a
table of concrete audits (docs/cli.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import archspec
from archspec.cli import main

ROOT = Path(__file__).resolve().parents[2]
RESNET = str(ROOT / "specs" / "resnet50.arch")
INCEPTION = str(ROOT / "specs" / "inception_v3.arch")


def test_check_prints_formulas_and_the_valid_set(capsys: pytest.CaptureFixture) -> None:
    assert main(["check", str(ROOT / "specs" / "swwae.arch"), "--input", "1xHxW"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith("swwae -> logits 10, reconstruction [1, H, W] (20 nodes)")
    assert out[1:] == ["  valid sizes: H, W ≥ 8"]  # the unpool sizes read are followed


def test_check_resnet50_is_valid_at_every_size(capsys: pytest.CaptureFixture) -> None:
    assert main(["check", RESNET, "--input", "3xHxW"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == ["  valid sizes: H, W ≥ 1"]


def test_audit_table_at_sizes(capsys: pytest.CaptureFixture) -> None:
    assert main(["audit", INCEPTION, "--input", "3xHxW", "--sizes", "200,299"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "inception_v3: logits 1000, aux_logits 1000; valid sizes: H, W ≥ 299"
    assert out[2].startswith("   200  invalid: (H - 11)//48 - 5 >= 1 (AuxLogits.conv1.conv")
    concrete = archspec.load(INCEPTION, input_shape=(3, 299, 299)).audit().inference
    assert concrete.params == 23834568 and concrete.macs == 5713216096
    assert out[3].split() == ["299", "23.83", "M", "5.71", "G", "11.48", "G", "123.18", "MiB"]
    assert len(out) == 4


def test_audit_json_rows_equal_concrete_audits(capsys: pytest.CaptureFixture) -> None:
    assert main(["audit", RESNET, "--input", "3xHxW", "--sizes", "160:224:64", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["valid"] == "H, W ≥ 1" and report["symbols"] == ["H", "W"]
    assert [row["size"] for row in report["sizes"]] == [160, 224]
    for row in report["sizes"]:
        concrete = archspec.load(RESNET, input_shape=(3, row["size"], row["size"])).audit()
        assert (row["params"], row["macs"], row["activation_bytes"]) == (
            concrete.inference.params, concrete.inference.macs,
            concrete.inference.activation_bytes)


@pytest.mark.parametrize(("args", "message"), [
    (["audit", RESNET, "--sizes", "224"], "needs size names in --input"),
    (["audit", RESNET, "--input", "3xHxW", "--sizes", "0,224"], "expected positive sizes"),
    (["audit", RESNET, "--input", "3xHxW", "--sizes", "a,b"], "expected 224,320,448"),
    (["check", RESNET, "--input", "3xH-1xW"], "size names (3xHxW)"),
])
def test_bad_options_exit_2_naming_the_option(args, message, capsys) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in " ".join(err.split())
    assert "Traceback" not in err
