"""The import policy (docs/hardening.md#imports): imports resolve relative to the importing
file or to the standard library, never leave the top-level spec's directory unless allowed,
and errors show no file content beyond the line under the error."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

import archspec
from archspec.cli import main
from archspec.errors import SpecError, flatten

NET = "network n {\n  input x: [3, 8, 8]\n  out x -> %s\n}\n"
LIB = "block twice() {\n  out in -> relu -> relu\n}\n"
SECRET = "TOP-SECRET-7f3a"


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def error_of(spec: Path, **kw: object) -> SpecError:
    with pytest.raises(SpecError) as info:
        archspec.load(spec, **kw)
    return flatten(info.value)[0]


def test_relative_to_the_importing_file(tmp_path: Path) -> None:
    write(tmp_path, {"main.arch": 'import "nets/a.arch"\n' + NET % "twice()",
                     "nets/a.arch": 'import "lib.arch"\n', "nets/lib.arch": LIB})
    net = archspec.load(tmp_path / "main.arch")
    assert [n.op for n in map(lambda k: net.graph.nodes[k]["data"], net.graph)].count(
        "relu") == 2


def test_up_and_back_inside_the_root_is_allowed(tmp_path: Path) -> None:
    write(tmp_path, {"main.arch": 'import "sub/a.arch"\n' + NET % "twice()",
                     "sub/a.arch": 'import "../lib.arch"\n', "lib.arch": LIB})
    assert archspec.load(tmp_path / "main.arch").outputs == {"out": (3, 8, 8)}


def test_standard_library_from_anywhere(tmp_path: Path) -> None:
    write(tmp_path, {"deep/er/main.arch": "import std.resnet\n" + NET % "basic_block(3)"})
    assert archspec.load(tmp_path / "deep/er/main.arch").outputs == {"out": (3, 8, 8)}


@pytest.mark.parametrize("target", ["../outside.arch", "sub/../../outside.arch"])
def test_leaving_the_root_is_refused(tmp_path: Path, target: str) -> None:
    root = tmp_path / "root"
    write(tmp_path, {"outside.arch": LIB, "root/main.arch": f'import "{target}"\n' +
                     NET % "twice()"})
    err = error_of(root / "main.arch")
    assert (err.kind, err.message, err.span.line, err.span.col) == (
        "SpecImportError", f"import of '{target}' is outside the spec's directory", 1, 1)
    assert "--allow-path" in (err.hint or "")


def test_absolute_path_needs_allow_path(tmp_path: Path) -> None:
    lib = tmp_path / "shared" / "lib.arch"
    write(tmp_path, {"shared/lib.arch": LIB, "root/main.arch": f'import "{lib}"\n' +
                     NET % "twice()"})
    main_spec = tmp_path / "root" / "main.arch"
    assert error_of(main_spec).message == f"import of '{lib}' is outside the spec's directory"
    net = archspec.load(main_spec, allow_paths=(tmp_path / "shared",))
    assert net.outputs == {"out": (3, 8, 8)}


def test_cli_allow_path(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    write(tmp_path, {"shared/lib.arch": LIB,
                     "root/main.arch": 'import "../shared/lib.arch"\n' + NET % "twice()"})
    spec = str(tmp_path / "root" / "main.arch")
    assert main(["check", spec]) == 2
    assert "outside the spec's directory" in capsys.readouterr().err
    assert main(["check", spec, "--allow-path", str(tmp_path / "shared")]) == 0


def test_symlink_out_of_the_root_is_refused(tmp_path: Path) -> None:
    write(tmp_path, {"outside/lib.arch": LIB, "root/main.arch": 'import "lib.arch"\n' +
                     NET % "twice()"})
    (tmp_path / "root" / "lib.arch").symlink_to(tmp_path / "outside" / "lib.arch")
    err = error_of(tmp_path / "root" / "main.arch")
    assert err.message == "import of 'lib.arch' is outside the spec's directory"


def test_only_spec_files(tmp_path: Path) -> None:
    write(tmp_path, {"main.arch": 'import "notes.txt"\n' + NET % "relu", "notes.txt": SECRET})
    err = error_of(tmp_path / "main.arch")
    assert err.message == "can only import spec files (.arch, .yaml, .yml)"
    assert SECRET not in err.format()


def test_refused_file_is_never_read(tmp_path: Path) -> None:
    write(tmp_path, {"outside.arch": SECRET + "\n", "root/main.arch": 'import "../outside.arch"'
                     "\n" + NET % "relu"})
    os.chmod(tmp_path / "outside.arch", 0)  # unreadable: reading it would fail differently
    try:
        err = error_of(tmp_path / "root" / "main.arch")
    finally:
        os.chmod(tmp_path / "outside.arch", stat.S_IRUSR | stat.S_IWUSR)
    assert err.kind == "SpecImportError" and SECRET not in err.format()


def test_errors_show_only_the_line_under_the_error(tmp_path: Path) -> None:
    lines = [f"# {SECRET} line {i}" for i in range(1, 6)]
    lines[2] = "block b() { out in -> $ }"
    write(tmp_path, {"main.arch": 'import "lib.arch"\n' + NET % "relu",
                     "lib.arch": "\n".join(lines) + "\n"})
    err = error_of(tmp_path / "main.arch")
    text = err.format()
    assert (err.span.file.endswith("lib.arch"), err.span.line) == (True, 3)
    assert SECRET not in text and "block b() { out in -> $ }" in text
    assert any(n.message == "imported here" and n.span.line == 1 for n in err.notes)


def test_long_lines_are_cut_in_excerpts(tmp_path: Path) -> None:
    write(tmp_path, {"main.arch": "let a = 1 # " + SECRET * 100 + "\nlet b = $\n"})
    text = error_of(tmp_path / "main.arch").format()
    write(tmp_path, {"long.arch": "let a = " + "1 + " * 20 + "$ # " + SECRET * 100 + "\n"})
    long_text = error_of(tmp_path / "long.arch").format()
    assert SECRET not in text
    assert max(map(len, long_text.splitlines())) < 200


def test_import_depth_limit(tmp_path: Path) -> None:
    files = {f"d{i}.arch": f'import "d{i + 1}.arch"\n' for i in range(20)}
    files["d20.arch"] = LIB
    write(tmp_path, {**files, "main.arch": 'import "d0.arch"\n' + NET % "twice()"})
    err = error_of(tmp_path / "main.arch")
    assert (err.kind, err.message) == ("SpecLimitError", "imports nested deeper than 16")


def test_total_size_of_imports(tmp_path: Path) -> None:
    filler = "# " + "x" * 100 + "\n"
    files = {f"f{i}.arch": filler * 1000 for i in range(4)}  # 103,000 bytes each
    imports = "".join(f'import "f{i}.arch"\n' for i in range(4))
    write(tmp_path, {**files, "main.arch": imports + NET % "relu"})
    err = error_of(tmp_path / "main.arch")
    assert (err.kind, err.message, err.span.line) == (
        "SpecLimitError", "the spec and its imports exceed 192 KiB", 2)


def test_text_specs_import_relative_to_the_working_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, {"lib.arch": LIB, "outside.arch": LIB})
    monkeypatch.chdir(tmp_path)
    assert archspec.load('import "lib.arch"\n' + NET % "twice()").outputs["out"] == (3, 8, 8)
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    with pytest.raises(SpecError, match="outside the spec's directory"):
        archspec.load('import "../outside.arch"\n' + NET % "twice()")


def test_ast_cache_refuses_a_shared_directory(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Cache entries are pickles: a directory others can write would let them run code."""
    from archspec.frontend.cache import cache_dir
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv("ARCHSPEC_CACHE", str(shared))
    cache_dir.cache_clear()
    try:
        assert cache_dir() is None
        shared.chmod(0o700)
        cache_dir.cache_clear()
        assert cache_dir() == shared
    finally:
        monkeypatch.undo()
        cache_dir.cache_clear()
