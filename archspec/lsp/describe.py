"""Signatures and documentation of primitives and blocks, as the editor shows them."""

from __future__ import annotations

from archspec.frontend import ast as A
from archspec.frontend.fmt import format_expr
from archspec.ops.registry import Param, Primitive, load_all


def primitives() -> dict[str, Primitive]:
    return load_all()


def param_text(p: Param) -> str:
    return p.name if p.required else f"{p.name}={p.default!r}"


def primitive_signature(prim: Primitive) -> str:
    return f"{prim.name}({', '.join(param_text(p) for p in prim.params)})"


def primitive_doc(prim: Primitive) -> str:
    """Markdown: the signature, the docstring and one line per parameter."""
    lines = [fenced(primitive_signature(prim))]
    if prim.doc:
        lines.append(prim.doc)
    rows = []
    for p in prim.params:
        alias = f" (or {', '.join(p.aliases)})" if p.aliases else ""
        choice = f"; one of {', '.join(map(repr, p.choices))}" if p.choices else ""
        rows.append(f"- `{param_text(p)}`{alias}: {p.type}{choice}"
                    + (f" — {p.doc}" if p.doc else ""))
    return "\n\n".join(lines + (["\n".join(rows)] if rows else []))


def def_param_text(p: A.ParamDef) -> str:
    typed = f"{p.name}: {p.type}" if p.type else p.name
    return typed if p.default is None else f"{typed}={format_expr(p.default)}"


def block_signature(d: A.BlockDef | A.NetworkAlias) -> str:
    if isinstance(d, A.NetworkAlias):
        return f"network {d.name} = {d.target}(…)"
    kind = "network" if d.is_network else "block"
    return f"{kind} {d.name}({', '.join(def_param_text(p) for p in d.params)})"


def block_doc(d: A.BlockDef | A.NetworkAlias) -> str:
    parts = [fenced(block_signature(d))]
    if d.doc:
        parts.append(d.doc)
    return "\n\n".join(parts)


def block_params(d: A.BlockDef | A.NetworkAlias) -> list[A.ParamDef]:
    return list(d.params) if isinstance(d, A.BlockDef) else []


def fenced(code: str) -> str:
    return f"```archspec\n{code}\n```"
