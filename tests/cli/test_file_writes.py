"""Files a user owns: every output is checked before any work, written atomically, never onto
an input; a failed write leaves the old file byte-for-byte and no temporary file behind."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from archspec.cli import main
from archspec.fileio import OutputError, check_output, replacing, write_atomic
from tests.cli.clicases import TINY, make_spec, run_child, snapshot


def link(name: str, to: str) -> Callable[[Path], None]:
    return lambda d: (d / name).symlink_to(d / to)


def hard_link(name: str) -> Callable[[Path], None]:
    return lambda d: os.link(d / "tiny.arch", d / name)


def mkdir(name: str) -> Callable[[Path], None]:
    return lambda d: (d / name).mkdir()


def fifo(name: str) -> Callable[[Path], None]:
    return lambda d: os.mkfifo(d / name)


def nothing(d: Path) -> None:
    pass


def touch(name: str) -> Callable[[Path], None]:
    return lambda d: (d / name).write_bytes(b"weights")


@dataclass(frozen=True)
class Refusal:
    setup: Callable[[Path], None]
    args: str
    says: str


REFUSALS = {
    "fmt_onto_its_input": Refusal(nothing, "fmt {spec} -o {spec}",
                                  "-o: '{spec}' is an input of this command"),
    "fmt_onto_a_hard_link_of_the_input": Refusal(
        hard_link("twin.arch"), "fmt {spec} -o {dir}/twin.arch",
        "-o: '{dir}/twin.arch' is an input of this command; choose another output path"),
    "fmt_through_a_symlink_to_the_input": Refusal(
        link("alias.arch", "tiny.arch"), "fmt {spec} -o {dir}/alias.arch",
        "-o: '{spec}' is an input of this command"),
    "render_through_a_symlink_to_the_input": Refusal(
        link("net.svg", "tiny.arch"), "render {spec} -o {dir}/net.svg",
        "-o: '{spec}' is an input of this command"),
    "build_through_a_symlink_to_the_input": Refusal(
        link("model.py", "tiny.arch"), "build {spec} -o {dir}/model.py",
        "-o: '{spec}' is an input of this command"),
    "onnx_through_a_symlink_to_the_input": Refusal(
        link("model.onnx", "tiny.arch"), "build {spec} --onnx {dir}/model.onnx",
        "--onnx: '{spec}' is an input of this command"),
    "build_onto_its_weights": Refusal(
        touch("w.pt2"), "build {spec} --weights {dir}/w.pt2 -o {dir}/w.pt2",
        "-o: '{dir}/w.pt2' is an input of this command"),
    "onnx_onto_the_weights": Refusal(
        touch("w.onnx"), "build {spec} --weights {dir}/w.onnx --onnx {dir}/w.onnx",
        "--onnx: '{dir}/w.onnx' is an input of this command"),
    "onnx_weights_beside_onto_the_spec": Refusal(
        link("m.onnx.data", "tiny.arch"), "build {dir}/m.onnx.data --onnx {dir}/m.onnx",
        "--onnx: '{dir}/m.onnx.data' is an input of this command"),
    "render_into_a_missing_directory": Refusal(
        nothing, "render {spec} -o {dir}/nowhere/net.svg",
        "-o: directory '{dir}/nowhere' does not exist; create it first"),
    "build_into_a_missing_directory": Refusal(
        nothing, "build {spec} -o {dir}/nowhere/model.py",
        "-o: directory '{dir}/nowhere' does not exist; create it first"),
    "fmt_into_a_missing_directory": Refusal(
        nothing, "fmt {spec} -o {dir}/nowhere/out.yaml",
        "-o: directory '{dir}/nowhere' does not exist"),
    "render_onto_a_directory": Refusal(
        mkdir("net.svg"), "render {spec} -o {dir}/net.svg",
        "-o: '{dir}/net.svg' is a directory; give a file name"),
    "onnx_onto_a_directory": Refusal(
        mkdir("m.onnx"), "build {spec} --onnx {dir}/m.onnx",
        "--onnx: '{dir}/m.onnx' is a directory"),
    "render_under_a_regular_file": Refusal(
        nothing, "render {spec} -o {spec}/net.svg", "-o: '{spec}' is not a directory"),
    "render_onto_a_fifo": Refusal(
        fifo("net.dot"), "render {spec} -o {dir}/net.dot",
        "-o: '{dir}/net.dot' exists and is not a regular file"),
    "render_into_proc": Refusal(nothing, "render {spec} -o /proc/net.svg",
                                "-o: cannot write in '/proc'"),
    "fmt_rewriting_a_file_in_proc": Refusal(nothing, "fmt /proc/version -w",
                                            "-w: cannot write in '/proc'"),
}


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    make_spec(tmp_path)
    return tmp_path


@pytest.mark.parametrize("name", sorted(REFUSALS))
def test_an_output_that_cannot_be_written_is_refused_before_any_work(
        name: str, workdir: Path, capsys: pytest.CaptureFixture) -> None:
    row = REFUSALS[name]
    row.setup(workdir)
    fill = {"spec": str(workdir / "tiny.arch"), "dir": str(workdir)}
    before = snapshot(workdir)
    assert main([a.format(**fill) for a in row.args.split(" ")]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("error: " + row.says.format(**fill)), captured.err
    assert captured.err.count("\n") == 1  # one line
    assert captured.out == "" and snapshot(workdir) == before


# ---- failures half-way, in a child: a full disk is a file-size limit ------------------------

@dataclass(frozen=True)
class Failure:
    existing: str | None    # an output file present before (its old bytes must survive)
    args: str


FAILURES = {
    "fmt_rewrite": Failure("tiny.arch", "fmt tiny.arch -w"),
    "fmt_new_file": Failure(None, "fmt tiny.arch --to yaml -o tiny.yaml"),
    "render_over_an_old_diagram": Failure("net.dot", "render tiny.arch -o net.dot"),
    "render_html": Failure(None, "render tiny.arch -o net.html"),
    "build_python_over_an_old_export": Failure("model.py", "build tiny.arch -o model.py"),
}
LIMITED = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))
from archspec.cli import main
sys.exit(main({args!r}))
"""


@pytest.mark.parametrize("name", sorted(FAILURES))
def test_a_write_failing_half_way_leaves_the_old_file_and_no_temporary(
        name: str, workdir: Path) -> None:
    row = FAILURES[name]
    if row.existing and row.existing != "tiny.arch":
        (workdir / row.existing).write_text("old contents\n" * 4)
    before = snapshot(workdir)
    done = run_child(LIMITED.format(limit=120, args=row.args.split(" ")), workdir)
    assert done.returncode == 2, done.stderr
    target = row.args.split(" ")[-1] if "-w" not in row.args else "tiny.arch"
    assert done.stderr.splitlines()[-1] == (f"error: cannot write '{target}': File too large; "
                                            "the old file, if any, is unchanged"), done.stderr
    assert "Traceback" not in done.stderr
    assert snapshot(workdir) == before


# ---- what succeeds ----------------------------------------------------------------------------

def test_fmt_w_rewrites_in_place_keeping_the_mode(workdir: Path,
                                                   capsys: pytest.CaptureFixture) -> None:
    spec = workdir / "tiny.arch"
    spec.chmod(0o640)
    assert main(["fmt", str(spec)]) == 0
    formatted = capsys.readouterr().out
    assert main(["fmt", str(spec), "-w"]) == 0
    assert capsys.readouterr().out == f"wrote {spec}\n"
    assert spec.read_text() == formatted and stat.S_IMODE(spec.stat().st_mode) == 0o640
    assert sorted(p.name for p in workdir.iterdir()) == ["tiny.arch"]


def test_fmt_w_through_a_symlink_rewrites_the_target_and_keeps_the_link(
        workdir: Path, capsys: pytest.CaptureFixture) -> None:
    (workdir / "alias.arch").symlink_to("tiny.arch")
    assert main(["fmt", str(workdir / "alias.arch"), "-w"]) == 0
    capsys.readouterr()
    assert os.readlink(workdir / "alias.arch") == "tiny.arch"
    assert main(["check", str(workdir / "tiny.arch")]) == 0


def test_fmt_o_converts_into_a_file_of_the_matching_format(
        workdir: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["fmt", str(workdir / "tiny.arch"), "-o", str(workdir / "tiny.yml")]) == 0
    capsys.readouterr()
    assert (workdir / "tiny.yml").read_text().startswith(
        "networks:\n  # a tiny network for the CLI tests\n  tiny:\n")  # comments kept
    assert (workdir / "tiny.arch").read_text() == TINY
    assert main(["check", str(workdir / "tiny.yml"), "-q"]) == 0


@pytest.mark.parametrize("suffix, starts", [(".dot", b"digraph"), (".html", b"<!DOCTYPE html>")])
def test_render_replaces_an_old_diagram_keeping_its_mode(
        suffix: str, starts: bytes, workdir: Path, capsys: pytest.CaptureFixture) -> None:
    out = workdir / f"net{suffix}"
    out.write_text("old")
    out.chmod(0o600)
    assert main(["render", str(workdir / "tiny.arch"), "-o", str(out)]) == 0
    assert capsys.readouterr().out == f"wrote {out}\n"
    assert out.read_bytes().startswith(starts) and stat.S_IMODE(out.stat().st_mode) == 0o600
    assert sorted(p.name for p in workdir.iterdir()) == sorted(["tiny.arch", out.name])


def test_build_exports_python_pt2_and_onnx_without_stray_files(
        workdir: Path, capsys: pytest.CaptureFixture) -> None:
    pytest.importorskip("onnx")
    args = ["build", str(workdir / "tiny.arch"), "-o", str(workdir / "m.pt2"),
            "--onnx", str(workdir / "m.onnx")]
    assert main(args) == 0
    assert main(["build", str(workdir / "tiny.arch"), "-o", str(workdir / "m.py")]) == 0
    assert "wrote" in capsys.readouterr().out
    assert sorted(p.name for p in workdir.iterdir()) == [
        "m.onnx", "m.onnx.data", "m.pt2", "m.py", "tiny.arch"]  # .data: the ONNX weights
    compile((workdir / "m.py").read_text(), "m.py", "exec")
    import onnx
    model = onnx.load(str(workdir / "m.onnx"))  # reads m.onnx.data, named as it is now
    assert sum(len(t.raw_data) for t in model.graph.initializer) > 0


# ---- archspec.fileio itself -------------------------------------------------------------------

def test_a_failure_inside_replacing_keeps_the_old_file(tmp_path: Path) -> None:
    old = tmp_path / "out.bin"
    old.write_bytes(b"old")
    with pytest.raises(RuntimeError, match="half-way"), replacing(old) as tmp:
        tmp.write_bytes(b"new, partial")
        raise RuntimeError("half-way")
    assert old.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["out.bin"]


def test_a_new_file_gets_the_umask_mode(tmp_path: Path) -> None:
    previous = os.umask(0o027)
    try:
        write_atomic(tmp_path / "new.txt", "text")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o640
    assert (tmp_path / "new.txt").read_text() == "text"


def test_check_output_accepts_a_bare_name_in_the_working_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert check_output("net.svg", option="-o", suffixes=(".svg",)) == Path("net.svg")
    with pytest.raises(OutputError, match="^-o: cannot write 'net.SVGZ'"):
        check_output("net.SVGZ", option="-o", suffixes=(".svg",))
    assert list(tmp_path.iterdir()) == []


def test_a_rewritten_file_keeps_its_owner_and_group(tmp_path: Path) -> None:
    old = tmp_path / "owned.txt"
    old.write_text("old")
    try:
        os.chown(old, 4321, 4322)
    except PermissionError:
        pytest.skip("only root can give a file away")
    write_atomic(old, "new")
    st = old.stat()
    assert (st.st_uid, st.st_gid, old.read_text()) == (4321, 4322, "new")


def test_a_write_into_a_missing_directory_is_an_output_error_and_an_os_error(
        tmp_path: Path) -> None:
    with pytest.raises(OSError) as caught:
        write_atomic(tmp_path / "nowhere" / "x.txt", "text")
    assert isinstance(caught.value, OutputError)
    assert str(caught.value) == f"cannot write '{tmp_path}/nowhere/x.txt': No such file or " \
                                "directory"
