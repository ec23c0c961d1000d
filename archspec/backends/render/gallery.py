"""The gallery's pages: ``index.html`` and one page per network (the interactive diagram, the
audit summary and the highlighted source), linked to each other and self-contained.

``archspec gallery`` (archspec/cli/gallery.py) loads the specs and writes these pages; each
:class:`Row` says what the spec's first comment promised (``25,557,032 parameters``) and
whether the checked network matches it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from typing import Any

from archspec.ir.graph import OpGraph

_REFERENCE = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+) (?:trainable )?param")


@dataclass(frozen=True)
class Row:
    """One network of the gallery; ``error`` is set (and the numbers are 0) when it failed."""

    name: str
    summary: str                 # the spec's first comment line
    params: int
    macs: int
    reference: int | None        # the parameter count the spec's header names
    error: str = ""              # the whole message; its first line goes into the tables
    other_counts: tuple[int, ...] = ()  # with aux heads, trainable only: what headers may name
    built: int | None = None     # parameters of the torch module built on the meta device
    training_params: int = 0     # what the built module must hold (aux heads included)

    @property
    def matched(self) -> bool | None:
        """Whether the checked count equals the named one; None when none is named."""
        if self.reference is None or self.error:
            return None
        return self.reference in (self.params, *self.other_counts)


def reference_params(text: str) -> int | None:
    """The parameter count named in a spec's leading comment lines, if any."""
    head = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        head.append(line.lstrip("#").strip())
    match = _REFERENCE.search(" ".join(head))
    return int(match[1].replace(",", "")) if match else None


def nav_links(names: list[str], i: int) -> str:
    """The header links of page ``i``: the index and the previous and next networks."""
    links = ['<a href="index.html">index</a>']
    if i > 0:
        links.append(f'<a href="{escape(names[i - 1])}.html">← {escape(names[i - 1])}</a>')
    if i + 1 < len(names):
        links.append(f'<a href="{escape(names[i + 1])}.html">{escape(names[i + 1])} →</a>')
    return "<nav>" + "".join(links) + "</nav>"


def summary_line(text: str) -> str:
    """A spec's first comment line, without the '#'."""
    return text.split("\n", 1)[0].lstrip("#").strip() if text.startswith("#") else ""


def network_row(name: str, text: str, report: Any) -> Row:
    """The gallery row of a checked network, from its audit report."""
    inf = report.inference
    return Row(name, summary_line(text), inf.params, inf.macs, reference_params(text),
               other_counts=(report.training.params, inf.trainable_params),
               training_params=report.training.params)


def network_page(graph: OpGraph, report: Any, row: Row, text: str, nav: str,
                 depth: int | None) -> str:
    """A network's page: the interactive diagram, then the summary, audit and source."""
    from archspec.backends.render.html import viewer_page
    sections = _section("summary", _summary_html(row)) + _audit(report, depth) + _source(text)
    return viewer_page(graph, nav=nav, sections=sections, depth=depth)


def error_page(name: str, message: str, text: str, nav: str) -> str:
    """The page of a spec that failed: its error and its source."""
    sections = _section("error", f"<pre>{escape(message)}</pre>") + _source(text)
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{escape(name)}</title></head><body><header>{nav}"
            f"<b>{escape(name)}</b></header>{sections}</body></html>")


def _section(title: str, body: str) -> str:
    return f'<section id="{title}"><h3>{title}</h3>{body}</section>'


def _summary_html(row: Row) -> str:
    ref = "no count named" if row.reference is None else (
        f"{row.reference:,} named: " + ("matched" if row.matched else "NOT matched"))
    return (f"<p>{escape(row.summary)}</p><p>parameters {row.params:,} · MACs {row.macs:,} · "
            f"reference {ref}</p>")


def _audit(report: object, depth: int | None) -> str:
    from archspec.audit_view import render_table

    class Lines:
        def __init__(self) -> None:
            self.lines: list[str] = []

        def print(self, text: str, **_: object) -> None:
            self.lines.append(text)

    console = Lines()
    render_table(report, console, depth=depth)  # type: ignore[arg-type]
    return _section("audit", f"<pre>{escape(chr(10).join(console.lines))}</pre>")


def _source(text: str) -> str:
    from pygments import highlight
    from pygments.formatters import HtmlFormatter

    from archspec.lexer import ArchLexer
    code = highlight(text, ArchLexer(), HtmlFormatter(noclasses=True, nobackground=True))
    return _section("source", code)


def index_page(rows: list[Row]) -> str:
    """The gallery's front page: one row per network, linking to its page."""
    body = "".join(
        f'<tr><td><a href="{escape(r.name)}.html">{escape(r.name)}</a></td>'
        f"<td>{escape(_headline(r))}</td><td class=n>{r.params:,}</td>"
        f"<td class=n>{r.macs:,}</td><td>{_matched_text(r)}</td></tr>" for r in rows)
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<title>archspec gallery</title><style>body{font:13px Helvetica,Arial,sans-serif;"
            "margin:16px}td,th{padding:3px 8px;text-align:left;border-bottom:1px solid #dee2e6}"
            "td.n{text-align:right;font-variant-numeric:tabular-nums}</style></head><body>"
            f"<h2>archspec gallery: {len(rows)} networks</h2><table><tr><th>network</th>"
            "<th>what it reproduces</th><th>parameters</th><th>MACs</th><th>reference</th></tr>"
            f"{body}</table></body></html>")


def _headline(row: Row) -> str:
    return row.error.split("\n", 1)[0] if row.error else row.summary


def _matched_text(row: Row) -> str:
    if row.error:
        return "error"
    if row.matched is None:
        return "—"
    return "matched" if row.matched else f"expected {row.reference:,}"


def _built_text(row: Row) -> str:
    if row.built is None:
        return ""
    return "same" if row.built == row.training_params else f"{row.built:,}"


def summary_table(rows: list[Row]) -> str:
    """The terminal summary: one line per network (and whether the built module holds the
    audited parameters, when the gallery built them)."""
    from archspec.audit_view import format_columns
    from archspec.units import fmt_count
    head = ("network", "params", "MACs", "reference")
    lines = [(r.name, "error" if r.error else fmt_count(r.params),
              "" if r.error else fmt_count(r.macs), _matched_text(r)) for r in rows]
    if any(r.built is not None for r in rows):
        head += ("built",)
        lines = [(*line, _built_text(r)) for line, r in zip(lines, rows)]
    return format_columns(head, lines, left=1)
