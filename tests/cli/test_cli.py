"""The command line: exit codes, located errors, never a traceback, no torch for check/audit."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from archspec.cli import main

ROOT = Path(__file__).resolve().parents[2]
BAD = ROOT / "tests" / "fixtures" / "errors"
RESNET = str(ROOT / "specs" / "resnet50.arch")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "archspec", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)


def test_check_ok_prints_outputs(capsys: pytest.CaptureFixture) -> None:
    assert main(["check", RESNET]) == 0
    assert "resnet50 -> out 1000 (176 nodes)" in capsys.readouterr().out


def test_check_with_param(capsys: pytest.CaptureFixture) -> None:
    assert main(["check", RESNET, "-p", "num_classes=10"]) == 0
    assert "out 10 " in capsys.readouterr().out


def test_spec_error_exits_2_with_excerpt() -> None:
    result = run("check", str(BAD / "merge_mismatch.arch"))
    assert result.returncode == 2
    assert "merge_mismatch.arch:5:7: error: add: shapes do not match" in result.stderr
    assert "    5 |   out a + b" in result.stderr
    assert "^^^^^" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.parametrize("name", sorted(p.stem for p in BAD.glob("*.arch")))
def test_every_bad_spec_exits_2_without_traceback(name: str, capsys: pytest.CaptureFixture
                                                  ) -> None:
    assert main(["check", str(BAD / f"{name}.arch")]) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    assert f"{name}.arch:" in captured.err


def test_several_files_continue_after_an_error(capsys: pytest.CaptureFixture) -> None:
    assert main(["check", str(BAD / "unknown_name.arch"), RESNET]) == 2
    captured = capsys.readouterr()
    assert "ok " in captured.out and "unknown name 'y'" in captured.err


def test_missing_file_is_a_located_error(capsys: pytest.CaptureFixture) -> None:
    assert main(["check", "does/not/exist.arch"]) == 2
    assert "cannot read does/not/exist.arch" in capsys.readouterr().err


def test_bad_param_syntax_exits_2(capsys: pytest.CaptureFixture) -> None:
    assert main(["check", RESNET, "-p", "num_classes"]) == 2


def test_check_and_audit_do_not_import_torch() -> None:
    code = ("import sys; from archspec.cli import main; "
            f"assert main(['check', {RESNET!r}]) == 0; "
            f"assert main(['audit', {RESNET!r}, '--json']) == 0; "
            "assert 'torch' not in sys.modules, 'torch was imported'")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr


def test_check_and_audit_import_neither_networkx_nor_torch() -> None:
    """networkx costs ~110 ms to import: only ``Network.graph``, render and build need it."""
    resnet152 = str(ROOT / "specs" / "resnet152.arch")
    code = ("import runpy, sys, archspec\n"
            "from archspec.passes import lint\n"
            f"net = archspec.load({resnet152!r})\n"
            "assert net.audit().params == 60_192_808 and net.name and net.outputs\n"
            "lint(net.ir)\n"
            f"for args in (['check', {RESNET!r}], ['audit', {resnet152!r}, '--depth', '1']):\n"
            "    sys.argv = ['archspec', *args]\n"
            "    try:\n"
            "        runpy.run_module('archspec', run_name='__main__')\n"
            "    except SystemExit as e:\n"
            "        assert e.code == 0, e.code\n"
            "found = [m for m in ('networkx', 'torch') if m in sys.modules]\n"
            "assert not found, f'imported: {found}'")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "ok " in result.stdout and "resnet152" in result.stdout


def test_a_command_imports_only_its_own_module() -> None:
    """Start-up: ``archspec check`` does not import the modules of audit, build, render..."""
    code = ("import sys; from archspec.cli import main; "
            f"assert main(['--limit', 'max_nodes=5000', 'check', {RESNET!r}]) == 0; "
            "print(sorted(m for m in sys.modules if m.startswith('archspec.cli.')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    loaded = {m.removeprefix("archspec.cli.")
              for m in ast.literal_eval(result.stdout.splitlines()[-1])}
    assert "check" in loaded
    assert not loaded & {"audit", "build", "render", "fmt", "import_", "editor", "models",
                          "gallery"}


@pytest.mark.parametrize("argv, command", [
    (["check", "a.arch"], "check"), (["--limit", "max_nodes=1", "audit", "x"], "audit"),
    (["--help"], None), ([], None), (["--limit=max_nodes=1", "fmt"], "fmt")])
def test_the_requested_command_is_found_past_global_options(argv, command) -> None:
    from archspec.cli.app import requested_command
    assert requested_command(argv) == command


def test_audit_json_has_totals(capsys: pytest.CaptureFixture) -> None:
    assert main(["audit", RESNET, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["params"] == 25_557_032


def test_audit_budget_exceeded_exits_3(capsys: pytest.CaptureFixture) -> None:
    assert main(["audit", RESNET, "--max-params", "20M"]) == 3
    assert "budget exceeded" in capsys.readouterr().err


def test_fmt_roundtrip_through_yaml(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["fmt", RESNET, "--to", "yaml"]) == 0
    text = capsys.readouterr().out
    assert "alias: resnet(" in text
    (tmp_path / "r.yaml").write_text(text)
    assert main(["check", str(tmp_path / "r.yaml")]) == 0


def test_yaml_python_tag_is_rejected(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("networks:\n  n: !!python/object/apply:os.system ['echo pwned']\n")
    assert main(["check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml:2:6: error: YAML tag 'tag:yaml.org,2002:python/object/apply:os.system'" \
           " is not allowed" in err


def test_usage_errors_exit_2_without_internal_error(capsys: pytest.CaptureFixture) -> None:
    assert main(["check", "--bogus", RESNET]) == 2
    err = capsys.readouterr().err
    assert "No such option" in err and "--bogus" in err and "internal error" not in err


def test_limit_option_raises_a_limit_for_one_run(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture) -> None:
    spec = tmp_path / "wide.arch"
    spec.write_text("network w {\n input x: [2, 4, 4]\n out x -> relu * 9000 -> relu * 9000"
                    " -> relu * 9000 -> relu * 9000\n}\n")
    assert main(["check", str(spec)]) == 2
    assert "more than 30,000 primitive nodes" in capsys.readouterr().err
    args = ["--limit", "max_nodes=50000", "--limit", "max_steps=5000000", "check", str(spec)]
    assert main(args) == 0
    assert "(36001 nodes)" in capsys.readouterr().out
    assert main(["--limit", "max_nodez=1", "check", str(spec)]) == 2


def test_a_mistyped_command_exits_2_with_one_suggestion(capsys: pytest.CaptureFixture) -> None:
    assert main(["audti", RESNET]) == 2
    err = capsys.readouterr().err
    assert "No such command 'audti'" in err
    assert err.count("'audit'") == 1
