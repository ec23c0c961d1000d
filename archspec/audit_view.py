"""Rendering audit reports: rich tables, JSON and CSV; comparing two reports; budgets.

Only ``render_table`` and ``render_comparison`` import rich (lazily); nothing imports torch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any

from archspec.passes.receptive_field import RF, fmt_num
from archspec.passes.report import (
    DEAD,
    AuditReport,
    BlockRow,
    Row,
    Run,
    Totals,
    TrainingMemory,
)
from archspec.units import fmt_bytes, fmt_count

PREFIX = {"": 0, "k": 1, "m": 2, "g": 3, "t": 4, "p": 5}
QUANTITY = re.compile(r"^([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*([kmgtp]?)(i?)(b?)$", re.IGNORECASE)


def parse_quantity(text: str | float) -> int:
    """``'25M'`` -> 25_000_000, ``'4.1G'`` -> 4_100_000_000, ``'2GiB'`` -> 2·2³⁰, ``'512k'``,
    ``'1.5e9'``, ``'25,557,032'``. SI prefixes are powers of 1000 (case-insensitive), ``Ki``/
    ``Mi``/``Gi``... powers of 1024; a trailing ``B`` (bytes) changes nothing."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return int(text)
    m = QUANTITY.match(str(text).strip().replace("_", "").replace(",", ""))
    if not m:
        raise ValueError(f"cannot read {text!r} as a quantity (try 25M, 4.1G or 2GiB)")
    number, prefix, binary, _ = m.groups()
    if binary and not prefix:
        raise ValueError(f"cannot read {text!r}: 'i' needs a prefix (KiB, MiB, GiB)")
    base = 1024 if binary else 1000
    return round(float(number) * base ** PREFIX[prefix.lower()])


# -- rollup views ----------------------------------------------------------------------------

def view_rows(report: AuditReport, depth: int | None = None) -> list[Row]:
    """Layer rows (dead ones left out), with blocks deeper than ``depth`` collapsed into one
    row each (``is_block``): depth 1 shows ``layer1`` ... ``layer4`` of a ResNet."""
    rows = [r for r in report.rows if r.role != DEAD]
    if depth is None:
        return rows
    info = {b.path: b for b in report.blocks}
    seen: dict[str, Row] = {}
    out: list[Row] = []
    for r in rows:
        path = _ancestor(info, r.block, depth)
        if path is None:
            out.append(r)
        elif path in seen:
            seen[path].shape, seen[path].rf, seen[path].rf_global = r.shape, r.rf, r.rf_global
        else:
            b = info[path]
            seen[path] = Row(path or report.name, b.kind, b.parent or "", r.shape, b.params, 0,
                             b.macs, b.flops, b.activation_bytes, r.rf, r.rf_global, b.role,
                             is_block=True)
            out.append(seen[path])
    return out


def _ancestor(info: dict[str, BlockRow], path: str, depth: int) -> str | None:
    b = info.get(path)
    while b is not None and b.depth > depth:
        b = info.get(b.parent) if b.parent is not None else None
    return b.path if b is not None and b.depth == depth else None


def _rf_text(rf: tuple[float, float] | None, glob: bool) -> str:
    if rf is None:
        return "-"
    return "×".join(fmt_num(s) for s in rf) + ("*" if glob else "")


# -- rich rendering --------------------------------------------------------------------------

def render_table(report: AuditReport, console: Any, depth: int | None = None,
                 warnings: bool = False) -> None:
    """Print the per-layer (or per-block at ``depth``) table and the summary to a rich
    ``Console``; ``depth`` defaults to the report's own. Lint warnings are printed only with
    ``warnings`` (the CLI prints them itself, with their source excerpts).

    The table is laid out here as fixed-width text (rich's Table measures every cell, which
    took a quarter of a second for ResNet-152's 500 rows)."""
    depth = report.depth if depth is None else depth
    rows = [table_row(r) for r in view_rows(report, depth)]
    console.print(f"{report.name or 'network'} — audit", style="bold", highlight=False)
    console.print(format_columns(TABLE_HEAD, rows), markup=False, highlight=False,
                  soft_wrap=True)
    for line in summary_lines(report, warnings):
        console.print(line, markup=False, highlight=False, soft_wrap=True)


TABLE_HEAD = ("layer", "op", "output", "params", "MACs", "activations", "RF")
LEFT = 2  # the first two columns are left-aligned, the numbers right-aligned


def table_row(r: Row) -> tuple[str, ...]:
    op = f"[{r.op}]" if r.is_block else r.op
    name = f"{r.name} (aux)" if r.role == "aux" else r.name
    return (name, op, "×".join(map(str, r.shape)), fmt_count(r.params), fmt_count(r.macs),
            fmt_bytes(r.activation_bytes), _rf_text(r.rf, r.rf_global))


def format_columns(head: tuple[str, ...], rows: list[tuple[str, ...]], left: int = LEFT) -> str:
    """A plain text table: a header, a rule, then one line per row; the first ``left``
    columns left-aligned, the rest right-aligned. Never wrapped, whatever the terminal."""
    widths = [max(len(c) for c in col) for col in zip(head, *rows)]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(c.ljust(w) if i < left else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    return "\n".join([line(head), "  ".join("-" * w for w in widths), *map(line, rows)])


def summary_lines(report: AuditReport, warnings: bool = True) -> list[str]:
    """The totals under the table, one line each (then the warnings, with ``warnings``)."""
    inf, tm = report.inference, report.training_memory
    rf = report.receptive_field
    lines = [
        (f"params: {fmt_count(inf.params)} ({inf.params:,}); trainable "
         f"{inf.trainable_params:,}, non-trainable {inf.non_trainable_params:,}; "
         f"buffers {inf.buffers:,}"),
        f"MACs: {fmt_count(inf.macs)}   FLOPs: {fmt_count(inf.flops)}",
        "weights: " + ", ".join(f"{k} {fmt_bytes(v)}" for k, v in report.param_bytes.items()),
        (f"activations (batch 1): {fmt_bytes(inf.activation_bytes)} summed, "
         f"{fmt_bytes(report.peak_activation_bytes)} peak live; "
         f"input {fmt_bytes(report.input_bytes)}"),
        (f"training ({training_setup(tm)}): {fmt_bytes(tm.total)} = weights "
         f"{fmt_bytes(tm.weights)} + grads {fmt_bytes(tm.gradients)} + optimizer "
         f"{fmt_bytes(tm.optimizer)} + buffers {fmt_bytes(tm.buffers)} + activations "
         f"{fmt_bytes(tm.activations)}"),
        f"receptive field: {rf.describe() if rf else '-'}",
    ]
    if report.training.params != inf.params or report.training.macs != inf.macs:
        lines.append(f"with aux heads (training): params {fmt_count(report.training.params)} "
                     f"({report.training.params:,}), MACs {fmt_count(report.training.macs)}")
    if report.dead.nodes:
        lines.append(f"dead (reach no output): {report.dead.nodes} nodes, "
                     f"{report.dead.params:,} params")
    lines += [f"repeated: {run.label}" for run in report.runs]
    lines += [f"warning: {w}" for w in report.warnings] if warnings else []
    return lines


def training_setup(tm: TrainingMemory) -> str:
    """``Adam, batch 32`` or ``Adam, zero2 on 8 devices, batch 32 per device, bf16-mixed``."""
    if tm.strategy == "single":
        text = f"Adam, batch {tm.batch}"
    else:
        text = f"Adam, {tm.strategy} on {tm.world} devices, batch {tm.batch} per device"
    return text if tm.precision == "fp32" else f"{text}, {tm.precision}"


# -- JSON and CSV ----------------------------------------------------------------------------

def _obj(o: Any) -> dict[str, Any]:
    return {f.name: _plain(getattr(o, f.name)) for f in fields(o)}


def _plain(v: Any) -> Any:
    if isinstance(v, tuple):
        return [_plain(x) for x in v]
    return v


def to_dict(report: AuditReport) -> dict[str, Any]:
    """A JSON-ready dict: convenience totals first, then every field of the report."""
    d: dict[str, Any] = {k: getattr(report, k) for k in (
        "params", "trainable_params", "non_trainable_params", "buffers", "macs", "flops",
        "activation_bytes")}
    d.update(_obj(report))
    for key in ("inference", "training", "dead", "training_memory"):
        d[key] = _obj(getattr(report, key))
    d["training_memory"]["total"] = report.training_memory.total
    rf = report.receptive_field
    d["receptive_field"] = _obj(rf) if rf else None
    d["rows"] = [_obj(r) for r in report.rows]
    d["blocks"] = [_obj(b) for b in report.blocks]
    d["runs"] = [{**_obj(r), "label": r.label} for r in report.runs]
    d["input_shapes"] = {k: list(v) for k, v in report.input_shapes.items()}
    return d


def _make(cls: type, d: dict[str, Any], tuples: tuple[str, ...] = ()) -> Any:
    kw = {f.name: d[f.name] for f in fields(cls) if f.name in d}
    for k in tuples:
        if kw.get(k) is not None:
            kw[k] = tuple(tuple(x) if isinstance(x, list) else x for x in kw[k])
    return cls(**kw)


def from_dict(d: dict[str, Any]) -> AuditReport:
    """Inverse of :func:`to_dict`."""
    rf = d.get("receptive_field")
    return AuditReport(
        name=d["name"], inference=_make(Totals, d["inference"]),
        training=_make(Totals, d["training"]), dead=_make(Totals, d["dead"]),
        param_bytes=dict(d["param_bytes"]), buffer_bytes=d["buffer_bytes"],
        input_bytes=d["input_bytes"], peak_activation_bytes=d["peak_activation_bytes"],
        training_memory=_make(TrainingMemory, d["training_memory"]),
        receptive_field=_make(RF, rf, ("size", "jump", "start")) if rf else None,
        rows=[_make(Row, r, ("shape", "rf")) for r in d["rows"]],
        blocks=[_make(BlockRow, b) for b in d["blocks"]],
        runs=[_make(Run, r) for r in d["runs"]],
        input_shapes={k: tuple(v) for k, v in d["input_shapes"].items()},
        dtype_bytes=d["dtype_bytes"], depth=d["depth"], warnings=list(d["warnings"]))


# json, csv and io load inside the functions that use them: the plain audit table never does,
# and they were 1.3 ms of `archspec audit`'s start-up (python -X importtime, 2-core CI box).
def to_json(report: AuditReport, indent: int | None = 2) -> str:
    import json
    return json.dumps(to_dict(report), indent=indent, ensure_ascii=False)


def from_json(text: str) -> AuditReport:
    import json
    return from_dict(json.loads(text))


CSV_COLUMNS = ("name", "op", "block", "shape", "params", "buffers", "macs", "flops",
               "activation_bytes", "rf_h", "rf_w", "rf_global", "role")


def to_csv(report: AuditReport) -> str:
    """One line per layer: ``shape`` as ``64x56x56``, the RF as two columns."""
    import csv
    import io
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for r in report.rows:
        rf = [repr(s) for s in r.rf] if r.rf else ["", ""]
        w.writerow([r.name, r.op, r.block, "x".join(map(str, r.shape)), r.params, r.buffers,
                    r.macs, r.flops, r.activation_bytes, *rf, int(r.rf_global), r.role])
    return buf.getvalue()


def rows_from_csv(text: str) -> list[Row]:
    """Inverse of :func:`to_csv`."""
    import csv
    import io
    out = []
    for d in csv.DictReader(io.StringIO(text)):
        rf = (float(d["rf_h"]), float(d["rf_w"])) if d["rf_h"] else None
        shape = tuple(int(s) for s in d["shape"].split("x")) if d["shape"] else ()
        out.append(Row(d["name"], d["op"], d["block"], shape, int(d["params"]),
                       int(d["buffers"]), int(d["macs"]), int(d["flops"]),
                       int(d["activation_bytes"]), rf, d["rf_global"] == "1", d["role"]))
    return out


# -- comparison ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Delta:
    metric: str
    a: float | None
    b: float | None
    unit: str = "count"  # count | bytes | pixels

    @property
    def delta(self) -> float | None:
        return None if self.a is None or self.b is None else self.b - self.a

    @property
    def ratio(self) -> float | None:
        return None if not self.a or self.b is None else self.b / self.a


@dataclass
class ComparisonReport:
    """Totals and per-block (at ``depth``) differences, ``b`` relative to ``a``."""

    name_a: str
    name_b: str
    depth: int
    totals: list[Delta]
    blocks: list[tuple[str, str, Delta, Delta]]  # (path, kind, params, macs)


def compare(a: AuditReport, b: AuditReport, depth: int = 1) -> ComparisonReport:
    """Compare two reports: totals, and params/MACs of every block at ``depth``."""
    rf = [r.receptive_field.size[0] if r.receptive_field else None for r in (a, b)]
    totals = [Delta(m, getattr(a, m), getattr(b, m), u) for m, u in (
        ("params", "count"), ("trainable_params", "count"), ("buffers", "count"),
        ("macs", "count"), ("flops", "count"), ("activation_bytes", "bytes"),
        ("peak_activation_bytes", "bytes"))]
    totals += [Delta("training_memory", a.training_memory.total, b.training_memory.total,
                     "bytes"), Delta("receptive_field", *rf, "pixels")]
    at = [{x.path: x for x in r.blocks if x.depth == depth} for r in (a, b)]
    paths = list(at[0]) + [p for p in at[1] if p not in at[0]]
    blocks = []
    for p in paths:
        xa, xb = at[0].get(p), at[1].get(p)
        kind = (xa or xb).kind
        blocks.append((p, kind, Delta("params", xa and xa.params, xb and xb.params),
                       Delta("macs", xa and xa.macs, xb and xb.macs)))
    return ComparisonReport(a.name, b.name, depth, totals, blocks)


def _fmt(v: float | None, unit: str, signed: bool = False) -> str:
    if v is None:
        return "-"
    text = fmt_bytes(abs(v)) if unit == "bytes" else (
        fmt_num(abs(v)) if unit == "pixels" else fmt_count(abs(v)))
    sign = ("+" if v > 0 else "−" if v < 0 else "±") if signed else ("-" if v < 0 else "")
    return sign + text


def render_comparison(cmp: ComparisonReport, console: Any) -> None:
    """Print a comparison as two plain tables: totals, then the blocks at ``cmp.depth``."""
    totals = [(d.metric, _fmt(d.a, d.unit), _fmt(d.b, d.unit), _fmt(d.delta, d.unit, True),
               f"{d.ratio:.3f}×" if d.ratio is not None else "-") for d in cmp.totals]
    blocks = [(path, kind, _fmt(p.a, "count"), _fmt(p.b, "count"), _fmt(p.delta, "count", True),
               _fmt(m.a, "count"), _fmt(m.b, "count"), _fmt(m.delta, "count", True))
              for path, kind, p, m in cmp.blocks]
    for title, text in (
            (f"{cmp.name_a or 'a'} → {cmp.name_b or 'b'}", format_columns(
                ("metric", cmp.name_a or "a", cmp.name_b or "b", "Δ", "ratio"), totals, 1)),
            (f"blocks at depth {cmp.depth}", format_columns(
                ("block", "kind", "params a", "params b", "Δ params", "MACs a", "MACs b",
                 "Δ MACs"), blocks))):
        console.print(title, style="bold", highlight=False)
        console.print(text, markup=False, highlight=False, soft_wrap=True)
        console.print()


# -- budgets ---------------------------------------------------------------------------------

def check_budgets(report: AuditReport, max_params: str | int | None = None,
                  max_macs: str | int | None = None,
                  max_activation: str | int | None = None) -> list[str]:
    """Messages for every exceeded budget (empty when all hold). Limits are numbers or
    strings for :func:`parse_quantity`; ``max_activation`` bounds the summed forward
    activations at batch 1 (``activation_bytes``)."""
    out = []
    for what, value, limit, fmt in (("parameters", report.params, max_params, fmt_count),
                                     ("MACs", report.macs, max_macs, fmt_count),
                                     ("activation memory", report.activation_bytes,
                                      max_activation, fmt_bytes)):
        if limit is None:
            continue
        cap = parse_quantity(limit)
        if value > cap:
            out.append(f"{what} {fmt(value)} exceed the budget {fmt(cap)} "
                       f"({value:,} > {cap:,})")
    return out
