"""The pass pipeline: PASSES in order, each run at most once per graph by the driver, which
records what ran; audit and render read one repeated-block detector and agree on every spec."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

import archspec
from archspec.ir.builder import GraphBuilder
from archspec.passes import PASSES, Pass, audit, lint, pipeline, require

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted((ROOT / "specs").glob("*.arch"))


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Counter:
    """Counts the runs of every pass."""
    counted: Counter = Counter()
    for p in PASSES:
        def run(graph, p=p):  # noqa: ANN001, ANN202
            counted[p.name] += 1
            return p.run(graph)
        monkeypatch.setitem(pipeline.BY_NAME, p.name, Pass(p.name, run, p.reads, p.writes))
    return counted


def test_passes_are_ordered_and_declare_what_they_read_and_write() -> None:
    assert [p.name for p in PASSES] == ["roles", "receptive_field", "cost", "lints", "runs"]
    written = {key for p in PASSES for key in p.writes}
    assert {"role", "rf", "cost", "meta.warnings"} <= written
    assert pipeline.needs(pipeline.BY_NAME["lints"]) == ["roles", "receptive_field"]
    assert pipeline.needs(pipeline.BY_NAME["cost"]) == []


def test_check_then_audit_runs_every_pass_once(calls: Counter) -> None:
    net = archspec.load(ROOT / "specs" / "resnet50.arch")
    assert dict(calls) == {"roles": 1, "receptive_field": 1, "lints": 1}
    report = net.audit()
    net.audit()
    assert dict(calls) == {"roles": 1, "receptive_field": 1, "lints": 1, "cost": 1, "runs": 1}
    assert list(net.ir.meta.passes) == ["roles", "receptive_field", "lints", "cost", "runs"]
    assert report.warnings == []


def test_render_after_audit_runs_nothing_again(calls: Counter) -> None:
    pytest.importorskip("graphviz")
    from archspec.backends.render import render
    net = archspec.load(ROOT / "specs" / "resnet18.arch")
    net.audit()
    before = dict(calls)
    render(net.ir, depth=1)
    assert dict(calls) == before


def test_adding_a_node_clears_the_record() -> None:
    b = GraphBuilder("g")
    x = b.input("x", (3, 8, 8))
    y = b.op("relu", [x], name="r")
    b.output("y", y)
    assert audit(b.graph).inference.nodes == 2 and list(b.graph.meta.passes)[-1] == "runs"
    b.output("z", b.op("relu", [y], name="s"))
    assert b.graph.meta.passes == {}
    assert audit(b.graph).inference.nodes == 3


def test_lints_run_once_and_join_the_warnings() -> None:
    b = GraphBuilder("g")
    x = b.input("x", (8,))
    b.op("relu", [x], name="unused")
    b.output("y", b.op("relu", [x], name="used"))
    found = lint(b.graph)
    assert [w.message for w in found] == ["'unused' (relu) is computed but reaches no output"]
    assert lint(b.graph) == found and b.graph.meta.warnings == found
    assert audit(b.graph).warnings == [str(found[0])]


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_audit_and_render_report_the_same_runs(path: Path) -> None:
    pytest.importorskip("graphviz")
    from archspec.backends.render.analysis import analyze
    net = archspec.load(path)
    report = net.audit()
    tree = require(net.ir, "runs")
    an = analyze(net.ir)
    assert an.runs is tree.runs
    drawn = {(parent, run[0], run[-1], len(run)) for parent, runs in an.runs.items()
             for run in runs}
    listed = {(r.parent, r.first, r.last, r.count) for r in report.runs}
    later = {m for parent, runs in an.runs.items() for run in runs for m in run[1:]}
    inside_later = {d for d in drawn
                    if any(d[0] == m or d[0].startswith(m + ".") for m in later)}
    assert listed == drawn - inside_later


def test_resnet50_runs() -> None:
    labels = [r.label for r in archspec.load(ROOT / "specs" / "resnet50.arch").audit().runs]
    assert labels == ["layer1.1–2 bottleneck ×2", "layer2.1–3 bottleneck ×3",
                      "layer3.1–5 bottleneck ×5", "layer4.1–2 bottleneck ×2"]
