"""Rendering, serialisation, comparison and budgets of audit reports."""

from __future__ import annotations

import json

import pytest
from audit_nets import resnet
from rich.console import Console

from archspec.audit_view import (
    check_budgets,
    compare,
    from_json,
    parse_quantity,
    render_comparison,
    render_table,
    rows_from_csv,
    to_csv,
    to_json,
    view_rows,
)
from archspec.passes import audit
from archspec.units import fmt_bytes, fmt_count


@pytest.fixture(scope="module")
def r50():
    return audit(resnet(50), depth=1)


@pytest.fixture(scope="module")
def r18():
    return audit(resnet(18))


def test_human_numbers():
    assert fmt_count(25_557_032) == "25.56 M"
    assert fmt_count(4_089_184_256) == "4.09 G"
    assert fmt_count(448) == "448" and fmt_count(9408) == "9.41 K"
    assert fmt_bytes(102_228_128) == "97.49 MiB" and fmt_bytes(512) == "512 B"


@pytest.mark.parametrize("text,value", [
    ("25M", 25_000_000), ("4.1G", 4_100_000_000), ("2GiB", 2 * 2**30), ("512k", 512_000),
    ("512KiB", 512 * 1024), ("1.5e9", 1_500_000_000), ("25,557,032", 25_557_032),
    ("100MB", 100_000_000), (" 7 ", 7), (3000, 3000), ("0.5 M", 500_000),
])
def test_parse_quantity(text, value):
    assert parse_quantity(text) == value


@pytest.mark.parametrize("bad", ["", "M", "25X", "two", "1iB", "--3"])
def test_parse_quantity_rejects(bad):
    with pytest.raises(ValueError):
        parse_quantity(bad)


def test_budgets(r50):
    assert check_budgets(r50, max_params="26M", max_macs="4.1G") == []
    over = check_budgets(r50, max_params="25M", max_macs=4_000_000_000,
                         max_activation="100MiB")
    assert over == [
        "parameters 25.56 M exceed the budget 25.00 M (25,557,032 > 25,000,000)",
        "MACs 4.09 G exceed the budget 4.00 G (4,089,184,256 > 4,000,000,000)",
        (f"activation memory 143.29 MiB exceed the budget 100 MiB "
         f"({r50.activation_bytes:,} > {100 * 2**20:,})")]


def test_json_round_trip(r50):
    text = to_json(r50)
    d = json.loads(text)
    assert d["params"] == 25_557_032 and d["receptive_field"]["size"] == [427.0, 427.0]
    assert d["runs"][2]["label"] == "layer3.1–5 bottleneck ×5"
    assert from_json(text) == r50


def test_csv_round_trip(r50):
    text = to_csv(r50)
    assert text.splitlines()[2].startswith("conv1,conv,,64x112x112,9408,0,118013952,")
    assert rows_from_csv(text) == r50.rows


def test_view_rows_collapse_blocks(r50):
    names = [r.name for r in view_rows(r50, 1)]
    assert names == ["x", "conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3",
                     "layer4", "avgpool", "flatten", "fc"]
    layer4 = view_rows(r50, 1)[8]
    assert layer4.is_block and layer4.shape == (2048, 7, 7) and layer4.rf == (427.0, 427.0)
    assert layer4.params == r50.block("layer4").params
    assert len(view_rows(r50, 2)) == 5 + 16 + 3 and len(view_rows(r50)) == len(r50.rows)
    (whole,) = view_rows(r50, 0)
    assert (whole.name, whole.params, whole.macs) == ("resnet50", r50.params, r50.macs)


def test_render_table(r50):
    con = Console(record=True, width=200)
    render_table(r50, con)
    text = con.export_text()
    assert "layer4" in text and "[group]" in text and "14.96 M" in text
    assert "params: 25.56 M (25,557,032)" in text and "receptive field: 427×427 (global)" in text
    assert "repeated: layer3.1–5 bottleneck ×5" in text


def test_compare(r18, r50):
    cmp = compare(r18, r50)
    params = next(d for d in cmp.totals if d.metric == "params")
    assert params.delta == 25_557_032 - 11_689_512
    assert params.ratio == pytest.approx(25_557_032 / 11_689_512)
    _, kind, p, _ = next(b for b in cmp.blocks if b[0] == "layer4")
    assert (kind, p.a, p.b) == ("group", r18.block("layer4").params, 14_964_736)
    rf = next(d for d in cmp.totals if d.metric == "receptive_field")
    assert (rf.a, rf.b) == (435.0, 427.0)
    con = Console(record=True, width=60)  # narrower than the tables: lines run on, unwrapped
    render_comparison(cmp, con)
    text = con.export_text()
    assert "resnet18 → resnet50" in text and "+13.87 M" in text
    layer4 = next(line for line in text.splitlines() if line.startswith("layer4"))
    assert layer4.split() == ["layer4", "group", "8.39", "M", "14.96", "M", "+6.57", "M",
                              "411.04", "M", "809.24", "M", "+398.20", "M"]
