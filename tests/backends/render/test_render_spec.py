"""Rendering graphs the elaborator made from real specs, without importing torch."""

import subprocess
import sys
from pathlib import Path

import pytest

import archspec
from archspec.backends.render import render
from archspec.errors import SpecError

RESNET50 = Path(__file__).parents[3] / "specs" / "resnet50.arch"
BROKEN = """
network broken {
  input x: [3, 32, 32]
  out x -> stem: conv(16, 3, p=1) -> bad: conv(8, 3, groups=5)
}
"""


@pytest.mark.skipif(not RESNET50.exists(), reason="specs/resnet50.arch not written yet")
def test_resnet50_overview_folds_repeated_bottlenecks():
    view = render(archspec.load(RESNET50).ir, depth=1).source
    for text in ("bottleneck ×2", "layer1.1–2", "bottleneck ×3", "layer2.1–3",
                 "bottleneck ×5", "layer3.1–5", "layer4.1–2"):
        assert text in view
    assert 'label="1024×14×14"' in view and 'label="2048×7×7"' in view


def test_partial_graph_from_a_failed_spec_shows_the_error():
    with pytest.raises(SpecError) as info:
        archspec.load(BROKEN)
    graph = info.value.graph
    source = render(graph).source
    assert "groups=5" in source and 'fillcolor="#ffc9c9"' in source
    assert 'stem -> "err/0"' in source  # the failed op is drawn after what fed it


def test_render_never_imports_torch():
    code = ("import sys, archspec; from archspec.backends.render import render; "
            f"render(archspec.load({str(RESNET50)!r}).ir, depth=1) if "
            f"{RESNET50.exists()} else None; "
            "print('torch' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"
