"""docs/blocks.md, generated from the ``##`` doc comments of the standard library.

    python -m archspec.std.catalogue > docs/blocks.md
"""

from __future__ import annotations

from archspec.elaborate.loader import STD_DIR, parse_source
from archspec.frontend import ast as A
from archspec.frontend.fmt import format_expr
from archspec.source import SourceFile

HEADER = """# The block library (`archspec/std`)

Generated from the `##` comments in `archspec/std/*.arch` by
`python -m archspec.std.catalogue > docs/blocks.md`; a test keeps it in sync. Import a module
with `import std.NAME`; the networks in `specs/` use these blocks.
"""


def signature(item: A.BlockDef | A.NetworkAlias) -> str:
    if isinstance(item, A.NetworkAlias):
        return f"network {item.name} = {item.target}(...)"
    params = ", ".join(p.name + (f": {p.type}" if p.type else "") +
                       (f"={format_expr(p.default)}" if p.default is not None else "")
                       for p in item.params)
    return f"{'network' if item.is_network else 'block'} {item.name}({params})"


def module_section(name: str, module: A.Module) -> list[str]:
    out = [f"## std.{name}", ""]
    for item in module.blocks:
        out += [f"### `{item.name}`", "", "```", signature(item), "```", ""]
        out += [item.doc or "_(undocumented)_", ""]
    return out


def render_catalogue() -> str:
    lines = [HEADER]
    for path in sorted(STD_DIR.glob("*.arch")):
        module = parse_source(SourceFile.read(path))
        if module.blocks:
            lines += module_section(path.stem, module)
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    print(render_catalogue(), end="")
