"""Text for the diagram: compact op summaries, number formats, family colours, tooltips.

Everything here reads node metadata written by earlier stages (shapes by the elaborator,
``cost``/``rf`` by the audit pass); nothing is recomputed.
"""

from __future__ import annotations

import textwrap
from html import escape
from typing import Any

from archspec.errors import SpecError
from archspec.ir.graph import OpNode, Shape
from archspec.ops.common import fmt_shape
from archspec.ops.geometry import Transposed, Window
from archspec.ops.registry import REQUIRED, Primitive, get

FONT = "Helvetica,Arial,sans-serif"

# (fill, border) per primitive family; pastel fills keep black text readable.
FAMILY_COLORS: dict[str, tuple[str, str]] = {
    "conv": ("#cfe3fb", "#4a7fc1"),
    "norm": ("#fff1b8", "#c9a227"),
    "act": ("#d3f2d8", "#4f9a5c"),
    "pool": ("#ffdcb8", "#d0843b"),
    "linear": ("#e3d9fb", "#7b62c4"),
    "merge": ("#c8eef3", "#3b9aa6"),
    "shape": ("#e9ecef", "#8a939b"),
    "attention": ("#f9d3e3", "#c0567f"),
    "io": ("#ffffff", "#343a40"),
    "other": ("#f4f4f4", "#9aa0a6"),
}
BLOCK_COLORS = ("#f4efe4", "#6b6152")
ERROR_COLORS = ("#ffc9c9", "#d6336c")
CLUSTER_FILLS = ("#fafbfc", "#f1f3f5")  # alternate by nesting depth
KNOWN_KEYS = {"out", "kernel", "stride", "dilation", "groups", "padding", "bias"}
MAX_EXTRAS = 2


def primitive_of(op: str) -> Primitive | None:
    """The registered primitive for ``op``, or None (a partial graph may name an unknown op)."""
    try:
        return get(op)
    except SpecError:
        return None


def family(op: str) -> str:
    if op in ("input", "output"):
        return "io"
    prim = primitive_of(op)
    return prim.family if prim and prim.family in FAMILY_COLORS else "other"


def fmt_value(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, (tuple, list)):
        return "×".join(fmt_value(x) for x in v)
    return str(v)


def _window(n: OpNode, prim: Primitive | None) -> list[str]:
    """'3×3', '/2', 'd2', 'g32' from the primitive's declared geometry and channel rule."""
    if prim is None or not n.inputs:
        return []
    try:
        geometry = prim.geometry(n.params, None)
        groups = prim.channels(n.params, None)
    except (SpecError, KeyError, TypeError, ValueError):  # a partial graph's bad params
        return []
    if geometry is None:
        return []
    wins = [r.window if isinstance(r, Transposed) else r for r in geometry]
    if not all(isinstance(w, Window) for w in wins):
        return _groups(groups, n)
    big = groups is not None or any(w.kernel > 1 for w in wins)  # a 1×1 conv, not a crop
    parts = [fmt_value((wins[0].kernel, wins[1].kernel))] if big else []
    strides = (wins[0].stride, wins[1].stride)
    if groups is not None or strides != (wins[0].kernel, wins[1].kernel):  # pools: s = k
        parts += _axis_pair("/", *strides)
    parts += _axis_pair("d", wins[0].dilation, wins[1].dilation)
    return parts + _groups(groups, n)


def _axis_pair(mark: str, h: int, w: int) -> list[str]:
    if (h, w) == (1, 1):
        return []
    return [f"{mark}{h}" if h == w else f"{mark}{fmt_value((h, w))}"]


def _groups(groups: int | None, n: OpNode) -> list[str]:
    if groups is None or groups == 1:
        return []
    return ["dw" if groups == n.shape[0] else f"g{groups}"]


def _extras(prim: Primitive | None, p: dict[str, Any]) -> list[str]:
    """Non-default parameters other than the window ones, at most MAX_EXTRAS."""
    if prim is None:
        return []
    out = []
    for param in prim.params:
        if param.name in KNOWN_KEYS or param.name not in p:
            continue
        value = p[param.name]
        if param.default is not REQUIRED and value == param.default:
            continue
        if isinstance(value, bool):
            out.append(param.name if value else f"no {param.name}")
        elif isinstance(value, (int, float, str, tuple)) and len(fmt_value(value)) <= 12:
            out.append(f"{param.name}={fmt_value(value)}")
    return out[:MAX_EXTRAS]


def op_summary(n: OpNode) -> str:
    """Compact text for a primitive: 'conv 3×3 /2, 64', 'maxpool 3×3 /2', 'linear 1000',
    'bn eps=0.001'."""
    p, prim = n.params, primitive_of(n.op)
    window = _window(n, prim)
    tail = [fmt_value(p["out"])] if "out" in p and p["out"] is not None else []
    tail += _extras(prim, p)
    if not tail:
        return " ".join([n.op, *window])
    return " ".join([n.op, *window]) + (", " if window else " ") + ", ".join(tail)


def shown_name(n: OpNode) -> str | None:
    """The node's label when the user chose it ('conv1'), None for generated ones ('relu_3')."""
    label = n.label
    return None if label.split("_")[0] == n.op else label


def fmt_rf(rf: Any) -> str | None:
    """A receptive field written by the audit pass: '7×7' from its per-axis size, marked '*'
    (as in the audit table) when some path pooled the whole input; None when there is none
    or it is not spatial."""
    if rf is None or not getattr(rf, "spatial", True):
        return None
    mark = "*" if getattr(rf, "global_", False) else ""
    size = getattr(rf, "size", rf)
    if isinstance(size, (int, float)):
        size = (size, size)
    if isinstance(size, (tuple, list)) and size:
        return "×".join(f"{int(round(v))}" for v in size) + mark
    return None


def shape_text(shape: Shape | None) -> str:
    return fmt_shape(shape) if shape is not None else "?"


def html_label(lines: list[tuple[str, str]]) -> str:
    """A graphviz HTML-like label from (style, text) lines; style: 'b', 'small', 'err', ''."""
    out = []
    for style, text in lines:
        t = escape(text, quote=False)
        if style == "b":
            t = f"<B>{t}</B>"
        elif style == "small":
            t = f'<FONT POINT-SIZE="8" COLOR="#495057">{t}</FONT>'
        elif style == "err":
            t = f'<FONT POINT-SIZE="9" COLOR="#c92a2a">{t}</FONT>'
        out.append(t)
    return "<" + "<BR/>".join(out) + ">"


def dot_text(text: str) -> str:
    """Text for a DOT escString attribute (tooltips): backslashes kept, newlines as \\n."""
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def wrap(text: str, width: int = 44, max_lines: int = 4) -> list[str]:
    """Word wrap for error messages inside a node (long words kept whole)."""
    return textwrap.wrap(text, width, max_lines=max_lines, placeholder=" …",
                         break_long_words=False, break_on_hyphens=False)


def error_lines(err: SpecError) -> list[tuple[str, str]]:
    """Label lines for an error inside a node: the wrapped message and where it was written."""
    lines = [("err", t) for t in wrap(err.message)]
    if err.span.source:
        where = f"{err.span.file.rsplit('/', 1)[-1]}:{err.span.line}:{err.span.col}"
        lines.append(("small", where))
    return lines


def error_text(err: SpecError) -> str:
    """One-paragraph error for a tooltip: location, message, hint."""
    text = f"{err.span}: {err.message}" if err.span.source else err.message
    return text + (f"\nhint: {err.hint}" if err.hint else "")
