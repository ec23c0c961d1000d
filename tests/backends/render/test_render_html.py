"""The interactive HTML page: its pre-rendered states, and a real click in Chromium."""

import base64
import gzip
import json
import re
import shutil
from pathlib import Path

import pytest
from render_nets import small_resnet

from archspec.backends.render import render_to_file

pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz 'dot' missing")
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]


def page_data(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    return json.loads(re.search(r"const DATA = (.*?);\n", text).group(1))


def view_svg(data: dict, key: str) -> str:
    return gzip.decompress(base64.b64decode(data["views"][key])).decode("utf-8")


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("html") / "net.html"
    return render_to_file(small_resnet(3, 2), path, depth=1)


def test_page_is_self_contained(page):
    text = page.read_text(encoding="utf-8")
    assert not re.search(r"(src|href)=\"?(https?:)?//", text)
    assert "<script src" not in text and "<link" not in text


def test_states_and_clicks(page):
    data = page_data(page)
    start = data["start"]
    acts = data["actions"][start]
    # layer1.0-2 is one ×3 run at depth 1; clicking it opens layer1.0 and keeps it in place
    target, anchor = acts["blk/layer1.0"]
    assert anchor == "cl/layer1.0"
    assert 'id="cl/layer1.0"' in view_svg(data, target)
    assert 'id="n/layer1.0.conv1"' in view_svg(data, target)
    assert 'id="n/layer1.0.conv1"' not in view_svg(data, start)
    # collapsing it again leads back to the first view; collapsing layer1 to a new one
    assert data["actions"][target]["cl/layer1.0"] == [start, "blk/layer1.0"]
    closed, _ = acts["cl/layer1"]
    assert 'id="blk/layer1"' in view_svg(data, closed)
    # the first view; one per block to open: layer1.0-2, layer2.0-2, layer2.0.downsample;
    # one per block to close: layer1, layer2
    assert data["total"] == 1 + 7 + 2


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium not installed")
def test_click_expands_in_chromium(page, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            tab = browser.new_page(viewport={"width": 1000, "height": 900})
            errors: list[str] = []
            tab.on("pageerror", lambda e: errors.append(str(e)))
            tab.goto(page.as_uri())
            conv = tab.locator('[id="n/layer1.0.conv1"]')
            assert tab.locator("g.node").count() == 13 and conv.count() == 0
            tab.click('[id="blk/layer1.0"]')
            conv.wait_for()
            assert tab.locator("g.node").count() == 20
            assert tab.locator('[id="blk/layer1.1"] text').first.text_content() == \
                "basic_block ×2"
            conv.hover()
            tip = tab.locator("#tip")
            assert tip.is_visible()
            assert tip.inner_text().splitlines() == [
                "layer1.0.conv1",
                "conv(out=64, kernel=3, stride=1, padding=1, dilation=1, groups=1, bias=False)",
                "shape: 64×16×16", "params: 36,864", "MACs: 9,437,184",
                "receptive field: 19×19"]
            tab.screenshot(path=str(tmp_path / "expanded.png"))
            tab.click('[id="cl/layer1.0"] text')  # the cluster's title collapses it
            tab.locator('[id="blk/layer1.0"]').wait_for()
            assert conv.count() == 0 and tab.locator("g.node").count() == 13
            assert errors == []
        finally:
            browser.close()
    assert (tmp_path / "expanded.png").stat().st_size > 10_000
