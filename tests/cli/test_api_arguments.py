"""``archspec.load``'s arguments: a path (str or Path) of an existing file whatever its suffix,
spec text, or a SourceFile; anything else is a TypeError saying what is accepted.
``allow_paths`` is one directory (str or Path) or an iterable of them."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import archspec
from archspec.errors import SpecError
from archspec.source import SourceFile
from tests.cli.clicases import TINY, make_spec


class PathLike:
    def __init__(self, path: Path):
        self.path = path

    def __fspath__(self) -> str:
        return str(self.path)


class BytesPathLike:
    def __fspath__(self) -> bytes:
        return b"tiny.arch"


@dataclass(frozen=True)
class Accepted:
    spec: Callable[[Path], Any]
    name: str      # the network's name
    source: str    # how the SourceFile is named ({dir} filled in)


ACCEPTED = {
    "str_path": Accepted(lambda d: str(d / "tiny.arch"), "tiny", "{dir}/tiny.arch"),
    "pathlib_path": Accepted(lambda d: d / "tiny.arch", "tiny", "{dir}/tiny.arch"),
    "str_path_any_suffix": Accepted(lambda d: str(d / "tiny.spec"), "tiny", "{dir}/tiny.spec"),
    "path_without_suffix": Accepted(lambda d: d / "TINY", "tiny", "{dir}/TINY"),
    "os_pathlike": Accepted(lambda d: PathLike(d / "tiny.arch"), "tiny", "{dir}/tiny.arch"),
    "spec_text": Accepted(lambda d: TINY, "tiny", "<string>"),
    "source_file": Accepted(lambda d: SourceFile("mine.arch", TINY), "tiny", "mine.arch"),
}


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    for name in ("tiny.arch", "tiny.spec", "TINY"):
        make_spec(tmp_path, name)
    return tmp_path


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_load_accepts(name: str, workdir: Path) -> None:
    row = ACCEPTED[name]
    net = archspec.load(row.spec(workdir))
    assert net.name == row.name
    assert net.source.name == row.source.format(dir=workdir)


REJECTED_TYPES = {
    "bytes": (TINY.encode(), "not bytes"),
    "int": (42, "not int"),
    "none": (None, "not NoneType"),
    "list_of_paths": (["a.arch"], "not list"),
    "bytes_path": (BytesPathLike(), "not BytesPathLike"),
}


@pytest.mark.parametrize("name", sorted(REJECTED_TYPES))
def test_load_rejects_other_types_with_a_type_error(name: str) -> None:
    value, says = REJECTED_TYPES[name]
    with pytest.raises(TypeError) as caught:
        archspec.load(value)
    assert str(caught.value) == ("archspec: a spec is a path (str or pathlib.Path), spec text "
                                 f"(str) or an archspec.source.SourceFile, {says}")


@dataclass(frozen=True)
class Unreadable:
    spec: Callable[[Path], Any]
    message: str


UNREADABLE = {
    "missing_str_with_spec_suffix": Unreadable(lambda d: str(d / "gone.arch"),
                                               "cannot read {dir}/gone.arch: No such file or "
                                               "directory"),
    "missing_path_any_suffix": Unreadable(lambda d: d / "gone.txt",
                                          "cannot read {dir}/gone.txt: No such file or "
                                          "directory"),
    "directory": Unreadable(lambda d: d, "cannot read a directory: a spec must be a regular "
                                         "file"),
    "fifo": Unreadable(lambda d: d / "pipe", "cannot read a FIFO: a spec must be a regular file"),
}


@pytest.mark.parametrize("name", sorted(UNREADABLE))
def test_a_path_that_is_not_a_readable_spec_is_a_located_spec_error(
        name: str, workdir: Path) -> None:
    os.mkfifo(workdir / "pipe")
    row = UNREADABLE[name]
    with pytest.raises(SpecError) as caught:
        archspec.load(row.spec(workdir))
    assert caught.value.kind == "SpecImportError"
    assert caught.value.message == row.message.format(dir=workdir)
    assert (caught.value.span.line, caught.value.span.col) == (1, 1)


LIBRARY = "block widen(c) {\n  out in -> conv(c, 1)\n}\n"
USER = 'import "../lib/extra.arch"\nnetwork n {\n  input x: [3, 8, 8]\n  out x -> widen(5)\n}\n'


@pytest.fixture
def two_dirs(tmp_path: Path) -> Path:
    (tmp_path / "lib").mkdir()
    (tmp_path / "app").mkdir()
    make_spec(tmp_path / "lib", "extra.arch", LIBRARY)
    make_spec(tmp_path / "app", "net.arch", USER)
    return tmp_path


@pytest.mark.parametrize("allow", [
    lambda d: str(d / "lib"), lambda d: d / "lib", lambda d: [str(d / "lib")],
    lambda d: (d / "elsewhere", d / "lib"), lambda d: PathLike(d / "lib")],
    ids=["one_str", "one_path", "list", "tuple_of_two", "pathlike"])
def test_allow_paths_is_one_directory_or_several(two_dirs: Path,
                                                 allow: Callable[[Path], Any]) -> None:
    net = archspec.load(two_dirs / "app" / "net.arch", allow_paths=allow(two_dirs))
    assert net.outputs == {"out": (5, 8, 8)}


def test_without_allow_paths_the_import_is_refused(two_dirs: Path) -> None:
    with pytest.raises(SpecError) as caught:
        archspec.load(two_dirs / "app" / "net.arch")
    assert caught.value.kind == "SpecImportError" and caught.value.span.line == 1


def test_allow_paths_of_another_type_is_a_type_error(two_dirs: Path) -> None:
    with pytest.raises(TypeError, match=r"^archspec: allow_paths holds directories \(str or "
                                        r"pathlib.Path\), not int$"):
        archspec.load(two_dirs / "app" / "net.arch", allow_paths=[3])
