"""Reading spec files: regular files only (a FIFO or a device could block or never end), at
most the size limit plus one byte, strictly as UTF-8, without NUL bytes. The front door of
``archspec.load``, the import resolver and the importers all read through here."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from archspec.source import SourceFile


def read_source(path: Path) -> SourceFile:
    """Read a spec file: a regular file only (a FIFO or device could block or never end), at
    most the size limit plus one byte, strictly as UTF-8."""
    from archspec.errors import SpecImportError
    from archspec.source import Span
    where = Span(SourceFile(str(path), ""), 1, 1)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as e:
        raise SpecImportError(f"cannot read {path}: {e.strerror}", where) from None
    kind = file_kind(os.fstat(fd).st_mode)
    if kind != "regular file":
        os.close(fd)
        raise SpecImportError(f"cannot read a {kind}: a spec must be a regular file", where,
                              hint="give the path of a spec file, or - to read standard "
                                   "input on the command line")
    with os.fdopen(fd, "rb") as f:
        try:
            return decode(str(path), read_bounded(f, str(path)))
        except OSError as e:
            raise SpecImportError(f"cannot read {path}: {e.strerror}", where) from None


def file_kind(mode: int) -> str:
    kinds = ((stat.S_ISREG, "regular file"), (stat.S_ISDIR, "directory"),
             (stat.S_ISFIFO, "FIFO"), (stat.S_ISCHR, "character device"),
             (stat.S_ISBLK, "block device"), (stat.S_ISSOCK, "socket"))
    return next((name for test, name in kinds if test(mode)), "special file")


def read_bounded(f: BinaryIO, name: str) -> bytes:
    """At most the size limit plus one byte of ``f`` (a growing file cannot make it read
    forever); SpecLimitError past the limit."""
    from archspec.errors import SpecLimitError
    from archspec.limits import LIMITS
    from archspec.units import fmt_bytes
    from archspec.source import Span
    data = f.read(LIMITS.max_file_bytes + 1)
    if len(data) > LIMITS.max_file_bytes:
        raise SpecLimitError(f"spec file is larger than {fmt_bytes(LIMITS.max_file_bytes)}",
                             Span(SourceFile(name, ""), 1, 1),
                             hint="split the network across files with `import`")
    return data


def decode(name: str, data: bytes) -> SourceFile:
    from archspec.errors import SpecSyntaxError
    from archspec.source import Span
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        safe = SourceFile(name, data.decode("utf-8", "replace"))
        raise SpecSyntaxError("the file is not valid UTF-8", Span(safe, line, col),
                              hint="save the spec as UTF-8 text") from None
    if "\x00" in text:
        at = text.index("\x00")
        line = text.count("\n", 0, at) + 1
        col = at - (text.rfind("\n", 0, at) + 1) + 1
        raise SpecSyntaxError("the file contains NUL bytes (binary data?)",
                              Span(SourceFile(name, text.replace("\x00", " ")), line, col))
    return SourceFile(name, text.lstrip("\ufeff"))
