"""Writing the files a user owns: atomically, never onto an input, checked before any work.

    target = check_output("net.svg", option="-o", suffixes=(".svg",), inputs=[spec])
    ... the expensive work ...
    write_atomic(target, data)                    # bytes or str (UTF-8)
    with replacing(target) as tmp: library.save(tmp)   # for writers that want a path

A write goes to a temporary file in the target's directory, is flushed to disk and renamed
over the target (``os.replace``), so a reader sees the old file or the new one, never part of
one; the new file keeps the old one's permission bits (and owner, where allowed). On any
failure the temporary file is removed and the old file is untouched. An existing symbolic link
is followed: the file it points at is replaced and the link stays. A hard link is not: the
rename gives the path a new file, and the other names keep the old contents.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path


class OutputError(OSError):
    """An output path that cannot be written: one line saying what to do. An OSError, so
    callers of the exporters that caught write errors before still do."""


def check_output(path: str | Path, *, option: str, suffixes: Iterable[str] | None = None,
                 inputs: Iterable[str | Path] = ()) -> Path:
    """Validate an output path before any work starts; returns the path to write (a symbolic
    link resolved to its target). Raises OutputError naming ``option``."""
    path = Path(path)
    allowed = tuple(suffixes or ())
    if allowed and path.suffix.lower() not in allowed:
        raise OutputError(f"{option}: cannot write '{path.name}': the suffix chooses the format; "
                          f"use one of {', '.join(allowed)}")
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    refuse_inputs(target, option, inputs)
    check_directory(target.parent, option)
    check_target(target, option)
    return target


def refuse_inputs(target: Path, option: str, inputs: Iterable[str | Path]) -> None:
    for given in inputs:
        if str(given) == "-":
            continue
        if same_file(target, Path(given)):
            raise OutputError(f"{option}: '{target}' is an input of this command; "
                              "choose another output path")


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file: through symbolic links, hard links, or '..'."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def check_target(target: Path, option: str) -> None:
    try:
        st = target.stat()
    except FileNotFoundError:
        return
    except OSError as e:
        raise OutputError(f"{option}: cannot write '{target}': {e.strerror}") from None
    if stat.S_ISDIR(st.st_mode):
        raise OutputError(f"{option}: '{target}' is a directory; give a file name, "
                          f"e.g. {target / 'out'}")
    if not stat.S_ISREG(st.st_mode):
        raise OutputError(f"{option}: '{target}' exists and is not a regular file; "
                          "give the path of a new or regular file")


def check_directory(directory: Path, option: str) -> None:
    """The directory exists and a file can be created in it (tried, then removed: permission
    bits say nothing for root, and nothing about read-only or full file systems)."""
    if not directory.exists():
        raise OutputError(f"{option}: directory '{directory}' does not exist; create it first")
    if not directory.is_dir():
        raise OutputError(f"{option}: '{directory}' is not a directory")
    import tempfile  # here: `check` and `audit` import this module and never write
    try:
        fd, probe = tempfile.mkstemp(dir=directory, prefix=".archspec-probe-")
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        raise OutputError(f"{option}: cannot write in '{directory}': {e.strerror}; "
                          "choose a writable directory") from None


def write_atomic(path: str | Path, data: bytes | str) -> None:
    """Replace ``path`` with ``data`` (str is written as UTF-8), atomically."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with replacing(path) as tmp, open(tmp, "wb") as f:
        f.write(payload)


@contextlib.contextmanager
def replacing(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path`` (same suffix) for the body to write; on success it is
    synced and renamed onto ``path``, on failure removed. An OSError (a full disk, a file-size
    limit) becomes an OutputError."""
    import tempfile
    target = Path(os.path.realpath(path)) if Path(path).is_symlink() else Path(path)
    mode = new_file_mode(target)
    try:
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                    suffix=target.suffix or ".tmp")
    except OSError as e:
        raise OutputError(f"cannot write '{target}': {e.strerror}") from e
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        finish(tmp, target, mode)
    except BaseException as e:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(e, OSError):
            raise OutputError(f"cannot write '{target}': {e.strerror or e}; "
                              "the old file, if any, is unchanged") from e
        raise


@contextlib.contextmanager
def replacing_with_companions(path: str | Path) -> Iterator[Path]:
    """Like :func:`replacing`, for writers that put companion files beside their output (an
    ONNX model's external weights, ``NAME.data``): the body writes ``NAME`` in a private
    directory beside ``path``; on success each companion is moved into place first, then
    ``NAME`` itself, so the main file never refers to data that is not there yet."""
    import shutil
    import tempfile
    target = Path(os.path.realpath(path)) if Path(path).is_symlink() else Path(path)
    mode = new_file_mode(target)
    try:
        scratch = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    except OSError as e:
        raise OutputError(f"cannot write '{target}': {e.strerror}") from e
    try:
        yield scratch / target.name
        companions = sorted(p for p in scratch.iterdir() if p.name != target.name)
        for extra in companions:
            finish(extra, target.parent / extra.name, mode)
        finish(scratch / target.name, target, mode)
    except OSError as e:
        raise OutputError(f"cannot write '{target}': {e.strerror or e}; "
                          "the old file, if any, is unchanged") from e
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def finish(tmp: Path, target: Path, mode: int) -> None:
    with open(tmp, "rb+") as f:
        os.fchmod(f.fileno(), mode)
        keep_owner(f.fileno(), target)
        os.fsync(f.fileno())
    os.replace(tmp, target)
    sync_directory(target.parent)


def keep_owner(fd: int, target: Path) -> None:
    """Give the new file the old one's owner and group, where allowed (root rewriting a
    user's file must not leave it owned by root)."""
    try:
        st = target.stat()
    except OSError:
        return
    with contextlib.suppress(OSError):
        os.fchown(fd, st.st_uid, st.st_gid)


def new_file_mode(target: Path) -> int:
    """The old file's permission bits, or what a new file gets under the umask."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def sync_directory(directory: Path) -> None:
    """Make the rename durable; some file systems cannot fsync a directory."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
