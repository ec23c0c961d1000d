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
    report = archspec.load(INCEPTION, input_shape=(3, 299, 299)).audit()
    concrete = report.inference
    assert concrete.params == 23834568 and concrete.macs == 5713216096
    assert report.peak_activation_bytes == 11_063_808  # 10.55 MiB
    from archspec.units import fmt_bytes
    training = fmt_bytes(report.training_memory.total).split()   # the same per-device setup
    assert out[3].split() == ["299", "23.83", "M", "5.71", "G", "11.48", "G", "123.18", "MiB",
                              "10.55", "MiB", *training]
    assert out[4].startswith("training: per device, single over 1 device(s), batch 1")
    assert len(out) == 5


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
    (["audit", RESNET, "--sizes", "224"], "'--sizes': needs size names: --input 3xHxW"),
    (["audit", RESNET, "--input", "3xHxW", "--sizes", "0,224"], "expected positive sizes"),
    (["audit", RESNET, "--input", "3xHxW", "--sizes", "a,b"], "expected 224,320,448"),
    # a range is counted, never listed: this one was a MemoryError (exit 1) or the OOM killer
    (["audit", RESNET, "--input", "3xHxW", "--sizes", "1:100000000000000:1"],
     "'--sizes': at most 64 sizes (100000000000000 given)"),
    (["audit", RESNET, "--input", "3xHxW", "--sizes", "224,2199023255552"],
     "'--sizes': sizes go up to the max_dim limit, 1,099,511,627,776 (got 2,199,023,255,552"),
    (["check", RESNET, "--input", "3xH-1xW"], "size names (3xHxW)"),
    (["audit", RESNET, "--input", "3xHxW", "--csv"], "'--csv': per-layer rows need concrete"),
    (["audit", RESNET, "--input", "3xHxW", "--depth", "1"], "'--depth': per-layer rows"),
    (["audit", RESNET, RESNET, "--input", "3xHxW"], "'--input': a comparison needs concrete"),
    (["audit", RESNET, "--train", "zero4"], "'--train': expected one of single, ddp"),
    (["audit", RESNET, "--world", "8"], "'--world': expected 1 for --train single"),
    (["audit", RESNET, "--batch", "0"], "'--batch': expected a positive number"),
    (["audit", RESNET, "--precision", "fp8"], "'--precision': expected one of fp32"),
])
def test_bad_options_exit_2_naming_the_option(args, message, capsys) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in " ".join(err.split())
    assert "Traceback" not in err


def test_audit_prints_formulas_without_sizes(capsys: pytest.CaptureFixture) -> None:
    assert main(["audit", RESNET, "--input", "3xHxW"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "resnet50: out 1000; valid sizes: H, W ≥ 1"
    assert out[1] == ("costs for every valid H, W (bytes at fp32, batch 1; training: Adam, "
                      "batch 1):")
    assert out[2].split() == ["params", "25,557,032"]
    macs = next(line for line in out if line.startswith("  MACs"))
    assert macs.split(None, 1)[1].startswith("9,408·(⌊(H - 1)/2⌋ + 1)·(⌊(W - 1)/2⌋ + 1) + ")
    assert out[-2].split(None, 2)[2].startswith(
        "the largest of 15 candidate live sets (after conv1, bn1, maxpool, ")
    assert out[-1].startswith("at H = 224, W = 224: params 25.56 M, MACs 4.09 G, FLOPs 8.22 G")
    assert "peak 9.19 MiB after layer1.0.downsample.1" in out[-1]


def test_audit_json_formulas_evaluate_to_the_concrete_audit(capsys) -> None:
    assert main(["audit", RESNET, "--input", "3xHxW", "--sizes", "97,128", "--json",
                 "--train", "fsdp", "--world", "8", "--batch", "16"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["training"] == {"strategy": "fsdp", "world": 8, "batch": 16,
                               "precision": "fp32"}
    assert doc["formulas"]["params"] == {"text": "25,557,032", "plain": "25557032"}
    assert len(doc["peak_activation_bytes"]) == 15
    from archspec.passes.training import TrainingSetup
    for row in doc["sizes"]:
        env = {"H": row["size"], "W": row["size"]}
        report = archspec.load(RESNET, input_shape=(3, row["size"], row["size"])).audit(
            train=TrainingSetup("fsdp", 8, 16))
        plain = doc["formulas"]["macs"]["plain"]
        assert row["macs"] == report.macs == eval(plain, {"__builtins__": {}}, env)
        assert row["flops"] == report.flops
        assert row["training_bytes"] == report.training_memory.total
        assert row["peak_activation_bytes"] == report.peak_activation_bytes


def test_budgets_with_formulas_hold_at_every_size(capsys: pytest.CaptureFixture) -> None:
    assert main(["audit", RESNET, "--input", "3xHxW", "--sizes", "224,320",
                 "--max-macs", "5G"]) == 3
    err = " ".join(capsys.readouterr().err.split())
    assert "budget exceeded: at 320: MACs 8.34 G exceed the budget 5.00 G (8,343,142,400 >" in err
    assert "at 224" not in err


def test_size_dependent_parameters_shard_per_size(capsys: pytest.CaptureFixture) -> None:
    lenet = str(ROOT / "specs" / "lenet5.arch")
    assert main(["audit", lenet, "--input", "1xHxW", "--sizes", "36,45", "--json",
                 "--train", "zero3", "--world", "3"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["formulas"]["params"]["text"] == "10,080·(⌊H/4⌋ - 7)·(⌊W/4⌋ - 7) + 49,920"
    assert doc["formulas"]["training_bytes"] is None  # ⌈Ψ/3⌉ of a size-dependent Ψ
    from archspec.passes.training import TrainingSetup
    for row in doc["sizes"]:
        report = archspec.load(lenet, input_shape=(1, row["size"], row["size"])).audit(
            train=TrainingSetup("zero3", 3))
        assert (row["params"], row["training_bytes"]) == (
            report.params, report.training_memory.total)


def test_tied_symbols_print_powers(capsys: pytest.CaptureFixture) -> None:
    assert main(["audit", str(ROOT / "specs" / "resnet18.arch"), "--input", "3xSxS"]) == 0
    out = capsys.readouterr().out.splitlines()
    macs = next(line for line in out if line.startswith("  MACs")).split(None, 1)[1]
    assert macs.startswith("9,408·(⌊(S - 1)/2⌋ + 1)² + 147,456·(⌊(S - 1)/4⌋ + 1)² + ")


AREA = """network area {
  input x: [3, 16, 16]
  out y = x -> conv(4, 3, p=1) -> upsample(scale=2, mode="area")
}
"""


def test_a_cost_rule_that_needs_concrete_sizes_falls_back_to_concrete_audits(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    spec = tmp_path / "area.arch"
    spec.write_text(AREA)
    assert main(["audit", str(spec), "--input", "3xHxW", "--sizes", "8,9", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["formulas"] is None and doc["peak_activation_bytes"] == []
    assert doc["no_formula"].startswith("upsample (upsample): its cost rule needs concrete sizes")
    for row in doc["sizes"]:
        report = archspec.load(AREA, input_shape=(3, row["size"], row["size"])).audit()
        assert (row["flops"], row["peak_activation_bytes"], row["training_bytes"]) == (
            report.flops, report.peak_activation_bytes, report.training_memory.total)


def test_the_size_table_shows_training_memory_as_the_plain_audit_does(capsys) -> None:
    setup = ["--train", "zero2", "--world", "4", "--batch", "8", "--precision", "bf16-mixed"]
    assert main(["audit", RESNET, "--input", "3x160x160", "--json", *setup]) == 0
    plain = json.loads(capsys.readouterr().out)["training_memory"]["total"]
    assert main(["audit", RESNET, "--input", "3xHxW", "--sizes", "160", "--json", *setup]) == 0
    assert json.loads(capsys.readouterr().out)["sizes"][0]["training_bytes"] == plain
    assert main(["audit", RESNET, "--input", "3xHxW", "--sizes", "160", *setup]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].split()[-1] == "training"
    assert out[-1].startswith("training: per device, zero2 over 4 device(s), batch 8 per")
