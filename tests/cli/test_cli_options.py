"""Every option value is checked before any work: a bad one exits 2 with a message naming the
option, writes nothing, and never says "internal error". One row per hostile value."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from archspec.cli import main
from tests.cli.clicases import TINY_YAML, make_spec, snapshot


@dataclass(frozen=True)
class Row:
    args: str               # split on spaces; {spec} and {dir} are filled in
    code: int
    says: tuple[str, ...]   # fragments of stderr, in order


ROWS = {
    # ---- audit ------------------------------------------------------------------------------
    "max_params_garbage": Row("audit {spec} --max-params abc", 2,
                              ("'--max-params'", "cannot read 'abc' as a quantity")),
    "max_params_nan": Row("audit {spec} --max-params nan", 2,
                          ("'--max-params'", "cannot read 'nan'")),
    "max_params_inf": Row("audit {spec} --max-params inf", 2, ("'--max-params'", "'inf'")),
    "max_params_negative": Row("audit {spec} --max-params -5", 2,
                               ("'--max-params'", "cannot read '-5'")),
    "max_params_overflow": Row("audit {spec} --max-params 1e999", 2,
                               ("'--max-params'", "'1e999' is too large")),
    "max_macs_garbage": Row("audit {spec} --max-macs 4.1Q", 2, ("'--max-macs'", "'4.1Q'")),
    "max_activation_bare_i": Row("audit {spec} --max-activation 2i", 2,
                                 ("'--max-activation'", "'i' needs a prefix")),
    "json_with_csv": Row("audit {spec} --json --csv", 2,
                         ("'--json'", "--json and --csv exclude each other")),
    "compare_with_json": Row("audit {spec} {spec} --json", 2,
                             ("'--json'", "a comparison of two specs prints a table only")),
    "audit_three_files": Row("audit {spec} {spec} {spec}", 2,
                             ("'FILES'", "audit takes one spec, or two to compare")),
    "check_stdin_twice": Row("check - {spec} -", 2, ("'FILES'", "standard input (-) can be read "
                                                              "once")),
    "audit_stdin_twice": Row("audit - -", 2, ("'FILES'", "standard input (-) can be read once")),
    "audit_depth_negative": Row("audit {spec} --depth -1", 2,
                                ("'--depth'", "expected 0 or more, got -1")),
    "audit_depth_text": Row("audit {spec} --depth deep", 2, ("'--depth'", "'deep'")),
    # ---- render -----------------------------------------------------------------------------
    "rankdir_unknown": Row("render {spec} -o {dir}/n.dot --rankdir XX", 2,
                           ("'--rankdir'", "expected one of TB, LR, BT, RL, got 'XX'")),
    "show_unknown": Row("render {spec} -o {dir}/n.dot --show shapes,colour", 2,
                        ("'--show'", "unknown field(s) 'colour'", "shapes, params, macs, rf")),
    "show_empty": Row("render {spec} -o {dir}/n.dot --show ,", 2, ("'--show'", "no field")),
    "render_depth_negative": Row("render {spec} -o {dir}/n.dot --depth -2", 2,
                                 ("'--depth'", "expected 0 or more, got -2")),
    "expand_unknown": Row("render {spec} -o {dir}/n.dot --expand fc2", 2,
                          ("'--expand'", "no block 'fc2' in this network")),
    "render_suffix": Row("render {spec} -o {dir}/n.jpeg", 2,
                         ("-o: cannot write 'n.jpeg'", "use one of .svg, .png, .pdf, .dot")),
    "render_without_output": Row("render {spec}", 2, ("Missing option", "'-o'")),
    # ---- build ------------------------------------------------------------------------------
    "seed_negative": Row("build {spec} --seed -1", 2,
                         ("'--seed'", "expected an integer from 0 to 18446744073709551615")),
    "seed_too_large": Row("build {spec} --seed 18446744073709551616", 2,
                          ("'--seed'", "got 18446744073709551616")),
    "seed_text": Row("build {spec} --seed one", 2, ("'--seed'", "'one' is not a valid integer")),
    "device_unknown": Row("build {spec} --device tpu", 2,
                          ("'--device'", "device 'tpu' is unknown; available: cpu, meta")),
    "device_absent": Row("build {spec} --device cuda:99", 2,
                         ("'--device'", "device 'cuda:99' is not available here; available: "
                                        "cpu, meta")),
    "dtype_unknown": Row("build {spec} --dtype fp8", 2,
                         ("'--dtype'", "unknown dtype 'fp8'; use fp32, fp16 or bf16")),
    "optimize_unknown": Row("build {spec} --optimize speed", 2,
                            ("'--optimize'", "unknown mode 'speed'; use inference")),
    "param_bytes_garbage": Row("build {spec} --max-param-bytes lots", 2,
                               ("'--max-param-bytes'", "cannot read 'lots'")),
    "param_bytes_negative": Row("build {spec} --max-param-bytes -1GiB", 2,
                                ("'--max-param-bytes'", "cannot read '-1GiB'")),
    "build_output_suffix": Row("build {spec} -o {dir}/model.txt", 2,
                               ("-o: cannot write 'model.txt'", "use one of .py, .pt2")),
    "onnx_suffix": Row("build {spec} --onnx {dir}/model.py", 2,
                       ("--onnx: cannot write 'model.py'", "use one of .onnx")),
    "export_on_meta": Row("build {spec} --device meta -o {dir}/m.py", 2,
                          ("'--device'", "meta device has no weights to export")),
    # ---- shared spec options ----------------------------------------------------------------
    "input_zero": Row("check {spec} --input 3x0x8", 2,
                      ("'--input'", "dimensions must be positive, got '3x0x8'")),
    "input_garbage": Row("check {spec} --input big", 2,
                         ("'--input'", "expected CxHxW with positive integers, got 'big'")),
    "allow_path_missing": Row("check {spec} --allow-path {dir}/nowhere", 2,
                              ("'--allow-path'", "nowhere' is not a directory")),
    "param_without_value": Row("check {spec} -p classes", 2,
                               ("'-p'", "expected NAME=VALUE, got 'classes'")),
    "param_without_name": Row("check {spec} -p =3", 2, ("'-p'", "expected NAME=VALUE")),
    "param_empty_value": Row("check {spec} -p classes=", 2,
                             ("<command line>:1:12: error: -p needs a value after '='",)),
    "param_huge_integer": Row("check {spec} -p classes=99999999999999999999999", 2, (
        "<command line>:1:12: error: '99999999999999999999999' is not a number archspec "
        "can hold", "    1 | -p classes=99999999999999999999999", "integers up to "
        "9223372036854775807")),
    "param_float_overflow": Row("check {spec} -p classes=1e999", 2,
                                ("<command line>:1:12: error: '1e999' is not a number",)),
    "param_hex": Row("check {spec} -p width=0x10", 2,
                     ("<command line>:1:10: error: '0x10' is not a number",)),
    "param_unknown_name": Row("check {spec} -p clases=3", 2, (
        "<command line>:1:4: error: unknown parameter 'clases'", "    1 | -p clases=3",
        "hint: did you mean 'classes'? parameters of this network: classes, width")),
    "param_wrong_kind": Row("check {spec} -p classes=ten", 2, (
        "<command line>:1:12: error: parameter 'classes' expects int, got 'ten'",
        "^^^", "declared at")),
    "param_kind_from_default": Row("check {spec} -p width=2.5", 2, (
        "<command line>:1:10: error: parameter 'width' expects int, got 2.5",)),
    "param_bad_list": Row("check {spec} -p width=[1,", 2, ("<command line>:1:",)),
    "limit_unknown": Row("--limit max_nodez=1 check {spec}", 2,
                         ("'--limit'", "got 'max_nodez=1'")),
    "limit_huge": Row("--limit max_nodes=99999999999999999999999 check {spec}", 2,
                      ("'--limit'", "up to 2**63-1")),
    "unknown_option": Row("check {spec} --bogus", 2, ("No such option", "--bogus")),
    # ---- fmt --------------------------------------------------------------------------------
    "fmt_to_unknown": Row("fmt {spec} --to json", 2, ("'--to'", "expected arch or yaml, got "
                                                               "'json'")),
    "fmt_write_and_output": Row("fmt {spec} -w -o {dir}/x.arch", 2,
                                ("'-w'", "-w rewrites FILE and -o writes another file")),
    "fmt_write_stdin": Row("fmt - -w", 2, ("'-w'", "standard input cannot be rewritten")),
    "fmt_write_converting": Row("fmt {spec} --to yaml -w", 2, (
        "'-w'", "-w keeps FILE's format (arch)", "--to yaml -o {dir}/tiny.yaml")),
    "fmt_write_converting_yaml": Row("fmt {dir}/tiny.yaml --to arch -w", 2, (
        "'-w'", "-w keeps FILE's format (yaml)", "--to arch -o {dir}/tiny.arch")),
    "fmt_to_against_suffix": Row("fmt {spec} --to arch -o {dir}/out.yaml", 2,
                                 ("'--to'", "--to arch does not match -o out.yaml (yaml)")),
    "fmt_output_suffix": Row("fmt {spec} -o {dir}/out.txt", 2,
                             ("-o: cannot write 'out.txt'", ".arch, .yaml, .yml")),
    # ---- spec inputs ------------------------------------------------------------------------
    "spec_is_directory": Row("check {dir}", 2, (
        "error: cannot read a directory: a spec must be a regular file",)),
    "spec_is_device": Row("check /dev/zero", 2, (
        "/dev/zero:1:1: error: cannot read a character device",)),
    "spec_is_fifo": Row("check {dir}/pipe.arch", 2, (
        "pipe.arch:1:1: error: cannot read a FIFO: a spec must be a regular file",
        "or - to read standard input")),
    "spec_missing": Row("check {dir}/absent.arch", 2, (
        "absent.arch:1:1: error: cannot read", "No such file or directory")),
}


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    make_spec(tmp_path)
    make_spec(tmp_path, "tiny.yaml", TINY_YAML)
    os.mkfifo(tmp_path / "pipe.arch")
    return tmp_path


@pytest.mark.parametrize("name", sorted(ROWS))
def test_bad_option_exits_2_naming_it_and_writes_nothing(
        name: str, workdir: Path, capsys: pytest.CaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    row = ROWS[name]
    fill = {"spec": str(workdir / "tiny.arch"), "dir": str(workdir)}
    monkeypatch.setattr("sys.stdin", open(os.devnull))
    before = snapshot(workdir)
    assert main([a.format(**fill) for a in row.args.split(" ")]) == row.code
    captured = capsys.readouterr()
    err = " ".join(captured.err.split())  # click wraps long messages
    at = 0
    for fragment in row.says:
        found = err.find(" ".join(fragment.format(**fill).split()), at)
        assert found >= 0, f"{fragment!r} not in:\n{captured.err}"
        at = found
    assert "internal error" not in captured.err and "Traceback" not in captured.err
    assert snapshot(workdir) == before


def test_there_are_at_least_fifty_option_rows() -> None:
    assert len(ROWS) >= 50


def test_a_spec_from_standard_input(workdir: Path, capsys: pytest.CaptureFixture,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", open(workdir / "tiny.arch"))
    assert main(["check", "-", "-p", "classes=3"]) == 0
    assert capsys.readouterr().out == "ok -: tiny -> out 3 (6 nodes)\n"


def test_a_valid_param_still_works(workdir: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["check", str(workdir / "tiny.arch"), "-p", "classes=7", "-p", "width=2"]) == 0
    assert "tiny -> out 7 (6 nodes)" in capsys.readouterr().out


def test_a_spec_error_unrelated_to_params_is_reported_as_is(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    spec = make_spec(tmp_path, text="network n(k = 2) {\n  input x: [3, 8, 8]\n  out y\n}\n")
    assert main(["check", str(spec), "-p", "k=3"]) == 2
    err = capsys.readouterr().err
    assert "tiny.arch:3:7: error: unknown name 'y'" in err and "<command line>" not in err
