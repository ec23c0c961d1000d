"""The interactive HTML page: one drawing per block (linear in the network), and real clicks
in Chromium that open blocks in place without overlaps."""

import base64
import gzip
import json
import re
import shutil
from pathlib import Path

import pytest
from pages_check import available, chromium_tab
from render_nets import broken_net, small_resnet

from archspec.backends.render import render_to_file

pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz 'dot' missing")
ARTEFACTS = Path(__file__).resolve().parents[3] / "out" / "test-artefacts"


def page_data(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    return json.loads(re.search(r"const DATA = (.*?);\n", text).group(1))


def drawings(data: dict) -> dict[str, str]:
    return json.loads(gzip.decompress(base64.b64decode(data["svgs"])))


def node_ids(svg: str) -> list[str]:
    return re.findall(r'<g id="([^"]+)" class="node', svg)


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("html") / "net.html"
    return render_to_file(small_resnet(3, 2), path, depth=1)


def test_page_is_self_contained(page):
    text = page.read_text(encoding="utf-8")
    assert not re.search(r"(src|href)=\"?(https?:)?//", text)
    assert "<script src" not in text and "<link" not in text


def test_one_drawing_per_block_and_run(page):
    data = page_data(page)
    svgs = drawings(data)
    assert sorted(svgs) == ["", "layer1", "layer1.0", "layer1.1", "layer1.2", "layer2",
                            "layer2.0", "layer2.0.downsample", "layer2.1", "layer2.2",
                            "run/layer1.0", "run/layer2.1"]
    assert data["open"] == ["layer1", "layer2"]  # what render(depth=1) draws open
    assert data["kids"][""] == {"blk/layer1": "layer1", "blk/layer2": "layer2"}
    assert data["kids"]["layer2"] == {"blk/layer2.0": "layer2.0", "run/layer2.1": "run/layer2.1"}
    assert data["kids"]["run/layer1.0"] == {f"blk/layer1.{i}": f"layer1.{i}" for i in range(3)}
    assert data["frames"]["run/layer1.0"][0] == "layer1.0–2 : basic_block ×3"
    assert node_ids(svgs["layer2.0"]) == [
        "n/layer2.0.conv1", "n/layer2.0.bn1", "n/layer2.0.relu", "n/layer2.0.conv2",
        "n/layer2.0.bn2", "n/layer2.0.add", "blk/layer2.0.downsample", "n/layer2.0.relu_1",
        "to/layer2.0", "from/layer2.0"]
    # the edges from outside the block start at its stub; the shape label is the parent's
    edges = re.findall(r'<g id="e/from/layer2.0&#45;&gt;([^"]+)" class="edge">\n<title>.*?\n'
                       r'(.*?)</g>', svgs["layer2.0"], flags=re.DOTALL)
    assert [e[0] for e in edges] == ["layer2.0.conv1", "blk/layer2.0.downsample"]
    assert all("<text" not in body for _, body in edges)


def test_every_op_is_drawn_once(page):
    svgs = drawings(page_data(page))
    ops = [i for svg in svgs.values() for i in node_ids(svg) if i.startswith("n/")]
    graph = small_resnet(3, 2)
    assert sorted(ops) == sorted(f"n/{n}" for n in graph.nodes)


def test_size_grows_linearly(tmp_path):
    sizes = {}
    for blocks in (4, 8, 16):
        path = render_to_file(small_resnet(blocks, 2), tmp_path / f"{blocks}.html", depth=None)
        svgs = drawings(page_data(path))
        sizes[blocks] = sum(len(s) for s in svgs.values())
    # every block adds one drawing of its own and one node in its run: doubling the blocks
    # adds the same amount each time (within the few bytes of longer names)
    step1, step2 = sizes[8] - sizes[4], sizes[16] - sizes[8]
    assert 1.9 < step2 / step1 < 2.1


def _overlaps(boxes: list[dict]) -> list[tuple[str, str]]:
    out = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if (a["x"] < b["x"] + b["w"] - 1 and b["x"] < a["x"] + a["w"] - 1
                    and a["y"] < b["y"] + b["h"] - 1 and b["y"] < a["y"] + a["h"] - 1):
                out.append((a["id"], b["id"]))
    return out


BOXES = """Array.from(document.querySelectorAll('g.node:not(.stub)')).map(function (g) {
  const r = g.getBoundingClientRect();
  return {id: g.id, x: r.x, y: r.y, w: r.width, h: r.height};
})"""


@pytest.mark.browser
@pytest.mark.skipif(not available(), reason="chromium or playwright missing")
def test_clicks_open_blocks_in_place_in_chromium(page):
    with chromium_tab(1000, 900) as (tab, errors):
        tab.goto(page.as_uri())
        tab.wait_for_selector("body[data-ready]")
        conv = tab.locator('[id="n/layer1.0.conv1"]')
        assert tab.locator("g.node:not(.stub)").count() == 12 and conv.count() == 0
        tab.click('[id="run/layer1.0"]')
        tab.locator('[id="cl/run/layer1.0"]').wait_for()
        tab.click('[id="blk/layer1.0"]')
        conv.wait_for()
        assert tab.evaluate("document.body.dataset.open") == \
            "layer1 layer1.0 layer2 run/layer1.0"
        assert tab.locator("g.node:not(.stub)").count() == 12 - 1 + 3 - 1 + 7
        assert _overlaps(tab.evaluate(BOXES)) == []
        conv.hover()
        tip = tab.locator("#tip")
        assert tip.is_visible()
        assert tip.inner_text().splitlines() == [
            "layer1.0.conv1",
            "conv(out=64, kernel=3, stride=1, padding=1, dilation=1, groups=1, bias=False)",
            "shape: 64×16×16", "params: 36,864", "MACs: 9,437,184",
            "receptive field: 19×19"]
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        shot = ARTEFACTS / "viewer-expanded.png"
        tab.screenshot(path=str(shot))
        tab.click('[id="cl/run/layer1.0"] > text')  # the frame's title collapses it
        tab.locator('[id="run/layer1.0"]').wait_for()
        assert conv.count() == 0 and tab.locator("g.node:not(.stub)").count() == 12
        assert errors == []
    assert shot.stat().st_size > 10_000


def test_errors_open_their_blocks_and_orphans_sit_in_their_fragment(tmp_path):
    path = render_to_file(broken_net(), tmp_path / "broken.html", depth=0)
    data = page_data(path)
    svgs = drawings(data)
    assert data["open"] == ["layer1", "layer1.0", "layer1.1"]
    assert 'class="node op conv error"' in svgs["layer1.0"]
    assert node_ids(svgs["layer1.1"])[-2:] == ["err/0", "from/layer1.1"]
    # the failed op's guessed input is drawn dotted inside its block
    groups = {g.split('"', 1)[0]: g for g in svgs["layer1.1"].split('<g id="')}
    assert 'stroke-dasharray="1,5"' in groups["a_e/layer1.1.conv1&#45;&gt;err/0"]
