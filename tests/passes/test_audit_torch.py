"""The audit agrees with torch: parameter and buffer counts, and FlopCounterMode MACs. And the
audit itself never imports torch."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from audit_checks import check_against_torch, graph_macs, torch_macs
from audit_nets import resnet

from archspec.ir.builder import GraphBuilder
from archspec.passes import audit

torch = pytest.importorskip("torch")
nn = torch.nn


def mixed_graph():
    b = GraphBuilder("mixed")
    x = b.input("x", (4, 20, 20))
    y = b.op("conv", [x], 8, 3, stride=2, padding=2, dilation=2, groups=2)   # 8×10×10
    y = b.op("relu", [b.op("bn", [y])])
    y = b.op("conv_transpose", [y], 6, 4, stride=2, padding=1, groups=2)     # 6×20×20
    y = b.op("maxpool", [y], 2)                                             # 6×10×10
    y = b.op("linear", [b.op("flatten", [y])], 7)
    b.output("y", y)
    return b.graph


def mixed_module():
    return nn.Sequential(
        nn.Conv2d(4, 8, 3, 2, 2, 2, groups=2), nn.BatchNorm2d(8), nn.ReLU(),
        nn.ConvTranspose2d(8, 6, 4, 2, 1, groups=2), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(600, 7))


def test_mixed_layers_match_torch():
    g = mixed_graph()
    check_against_torch(g, audit(g), mixed_module(), torch.randn(1, 4, 20, 20))


def test_matmul_macs_match_torch():
    b = GraphBuilder("mm")
    a = b.input("a", (4, 8, 16))
    c = b.input("c", (4, 16, 5))
    b.output("y", b.op("matmul", [a, c]))
    macs = torch_macs(torch.matmul, torch.randn(1, 4, 8, 16), torch.randn(1, 4, 16, 5))
    assert audit(b.graph).macs == graph_macs(b.graph) == macs == 4 * 8 * 5 * 16


@pytest.mark.parametrize("depth", [18, 50])
def test_resnet_matches_torchvision(depth):
    models = pytest.importorskip("torchvision.models")
    g = resnet(depth, hw=64)
    module = getattr(models, f"resnet{depth}")(weights=None)
    check_against_torch(g, audit(g), module, torch.randn(1, 3, 64, 64))


def test_audit_never_imports_torch():
    here = Path(__file__).parent
    code = f"""
import sys
sys.path.insert(0, {str(here)!r})
from audit_nets import resnet
from archspec.passes import audit, lint
from archspec.audit_view import render_table, to_json, to_csv, compare
from rich.console import Console
g = resnet(50)
r = audit(g, depth=1)
lint(g)
render_table(r, Console(file=open('/dev/null', 'w')))
to_json(r), to_csv(r), compare(r, r)
assert r.params == 25557032
print(sorted(m for m in sys.modules if m == 'torch' or m.startswith('torch.')))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
