"""DOT output: golden files, determinism, labels, and files in every format."""

import os
import shutil
from pathlib import Path

import pytest
from render_nets import broken_net, inception_net, small_resnet

from archspec.backends.render import RenderError, render, render_to_file
from archspec.backends.render.labels import op_summary
from archspec.ir.builder import GraphBuilder
from archspec.units import fmt_count

GOLDEN = Path(__file__).parent / "golden"
HAS_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAS_DOT, reason="graphviz 'dot' not installed")

CASES = {
    "small_resnet_depth1": (lambda: small_resnet(3, 2), {"depth": 1}),
    "inception_full": (inception_net, {"show": ("shapes", "params", "macs", "rf")}),
    "broken_depth0": (broken_net, {"depth": 0, "rankdir": "LR"}),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_dot(name):
    """Regenerate with ARCHSPEC_UPDATE_GOLDEN=1 after an intended change; review the diff."""
    make, opts = CASES[name]
    source = render(make(), **opts).source
    path = GOLDEN / f"{name}.dot"
    if os.environ.get("ARCHSPEC_UPDATE_GOLDEN"):
        path.write_text(source, encoding="utf-8")
    assert source == path.read_text(encoding="utf-8")


def test_options_may_be_strings():
    assert render(small_resnet(), expand="layer1.0", show="shapes,params").source == \
        render(small_resnet(), expand=["layer1.0"], show=("shapes", "params")).source


def test_output_is_deterministic():
    assert render(small_resnet(), depth=1).source == render(small_resnet(), depth=1).source


@pytest.mark.parametrize("op, args, kwargs, text", [
    ("conv", (64, 3), {"s": 2, "p": 1}, "conv 3×3 /2, 64"),
    ("conv", (32, (1, 7)), {"d": 2, "groups": 4}, "conv 1×7 d2 g4, 32"),
    ("conv", (16, 3), {"groups": 16}, "conv 3×3 dw, 16"),
    ("maxpool", (3,), {"s": 2}, "maxpool 3×3 /2"),
    ("maxpool", (2,), {}, "maxpool 2×2"),
    ("bn", (), {"eps": 1e-3}, "bn eps=0.001"),
    ("linear", (1000,), {}, "linear 1000"),
    ("relu", (), {}, "relu"),
])
def test_primitive_labels_are_compact(op, args, kwargs, text):
    b = GraphBuilder("t")
    ref = b.op(op, [b.input("x", (16,) if op == "linear" else (16, 32, 32))], *args, **kwargs)
    assert op_summary(b.graph.nodes[ref.node]["data"]) == text


def test_counts_read_well():
    counts = (0, 999, 1000, 9408, 25_557_032, 4_100_000_000)
    assert [fmt_count(n, compact=True) for n in counts] == \
        ["0", "999", "1K", "9.4K", "25.6M", "4.1G"]


def test_show_picks_annotations():
    bare = render(small_resnet(), show=()).source
    assert '">conv1</FONT>' in bare and "conv1 · " not in bare  # name only, no counts
    assert 'label="64×16×16"' not in bare  # no edge labels
    full = render(small_resnet(), show=("shapes", "params", "macs", "rf")).source
    assert 'label="64×16×16"' in full
    assert "conv1 · 36.9K params · 9.4M MACs · rf 19×19" in full


def test_dot_file_needs_no_dot_binary(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    out = render_to_file(small_resnet(), tmp_path / "net.dot", depth=1)
    assert out.read_text(encoding="utf-8").startswith("digraph small_resnet {")
    with pytest.raises(RenderError, match="install Debian's 'graphviz' package"):
        render_to_file(small_resnet(), tmp_path / "net.svg")


def test_unknown_suffix(tmp_path):
    with pytest.raises(RenderError, match=r"use one of \.dot, \.svg, \.png, \.pdf, \.html"):
        render_to_file(small_resnet(), tmp_path / "net.jpeg")


@needs_dot
@pytest.mark.parametrize("suffix, magic", [(".png", b"\x89PNG"), (".pdf", b"%PDF"),
                                           (".svg", b"<?xml")])
def test_binary_formats(tmp_path, suffix, magic):
    out = render_to_file(small_resnet(), tmp_path / f"net{suffix}", depth=1)
    assert out.read_bytes().startswith(magic)
