"""Which standard-library module defines a name (for 'add `import std.x`' hints)."""

from __future__ import annotations

import re
from functools import cache

from archspec.elaborate.loader import STD_DIR

DEF = re.compile(r"^\s*(?:block|network)\s+([A-Za-z_]\w*)", re.M)


@cache
def std_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for path in sorted(STD_DIR.glob("*.arch")):
        for name in DEF.findall(path.read_text(encoding="utf-8")):
            index.setdefault(name, path.stem)
    return index


def std_module_defining(name: str) -> str | None:
    return std_index().get(name)
