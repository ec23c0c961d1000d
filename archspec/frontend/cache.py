"""An on-disk cache of parsed spec files, like Python's .pyc files.

Parsing is the slowest step of ``archspec check`` (lark's LALR parser in pure Python); the
standard library and unchanged specs are parsed once. Entries are keyed by the SHA-256 of the
grammar, the file's text and its name and the limits in force (a tree accepted under raised
limits is never handed to a load under lower ones), live in ``$ARCHSPEC_CACHE`` or
``~/.cache/archspec`` (a private directory), and any failure to read or write one just means
parsing again. ``ARCHSPEC_CACHE=off`` disables the cache.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from archspec.limits import current

try:  # `import hashlib` loads OpenSSL: 2.5 ms of `archspec check`'s start-up, against 0.2 ms
    from _blake2 import blake2b  # for CPython's own BLAKE2 (python -X importtime, 2-core CI box)
except ImportError:  # pragma: no cover  (other interpreters)
    from hashlib import blake2b
from archspec.source import SourceFile

VERSION = b"archspec-ast-1"


@cache
def cache_dir() -> Path | None:
    setting = os.environ.get("ARCHSPEC_CACHE", "")
    if setting.lower() in ("off", "0", "no"):
        return None
    base = Path(setting) if setting else Path(
        os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "archspec"
    try:
        base.mkdir(parents=True, exist_ok=True, mode=0o700)
        st = base.stat()
    except OSError:
        return None
    if st.st_uid != os.getuid() or st.st_mode & 0o022:
        return None  # entries are pickles: only a directory no one else can write is safe
    return base


DIGESTED = ("arch.lark", "parse.py", "positions.py", "to_ast.py", "ast.py", "yaml.py", "names.py",
            "literals.py")


@cache
def grammar_digest() -> bytes:
    """Of the files that decide what a parse produces (spans included)."""
    here = Path(__file__).parent  # not importing parse.py: a cache hit needs no lark
    parts = [(here / f).read_bytes() for f in DIGESTED]
    return blake2b(VERSION + b"".join(parts)).digest()


def cached(source: SourceFile, parse: Callable[[SourceFile], Any]) -> Any:
    """``parse(source)``, or its result from an earlier run over the same text."""
    directory = cache_dir()
    if directory is None:
        return parse(source)
    key = blake2b(grammar_digest() + repr(current()).encode() + b"\0" +
                         source.name.encode() + b"\0" +
                         source.text.encode("utf-8", "surrogatepass"), digest_size=32).hexdigest()
    path = directory / f"{key}.ast"
    try:
        with path.open("rb") as f:
            return pickle.load(f)
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError,
            ValueError, RecursionError):
        pass
    result = parse(source)
    try:
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as f:
            pickle.dump(result, f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    except (OSError, pickle.PickleError, RecursionError):
        pass
    return result
