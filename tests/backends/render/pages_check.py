"""Load gallery pages in headless Chromium: each loads without console errors, and on a
network page a click on the first closed block opens it in place.

    python tests/backends/render/pages_check.py out [--shots out/test-artefacts]

``make demo`` runs it over the whole gallery when Chromium and playwright are installed; the
test suite runs it over a small gallery (test_gallery.py).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]


def available() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return CHROMIUM.exists()


@contextmanager
def chromium_tab(width: int = 1200, height: int = 900) -> Iterator[tuple[object, list[str]]]:
    """A headless Chromium tab and the list its page errors and console errors go to."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            tab = browser.new_page(viewport={"width": width, "height": height})
            errors: list[str] = []
            tab.on("pageerror", lambda e: errors.append(str(e)))
            tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            yield tab, errors
        finally:
            browser.close()


def check_pages(pages: list[Path], shots: Path | None = None, shot_count: int = 3) -> list[str]:
    """Problems found (empty: every page is fine); screenshots of the first ``shot_count``
    network pages (after the click) go to ``shots``."""
    problems: list[str] = []
    with chromium_tab() as (tab, errors):
        taken = 0
        for page in pages:
            errors.clear()
            problems += _check_one(tab, page)
            problems += [f"{page.name}: console: {e}" for e in errors]
            if shots is not None and taken < shot_count and page.name != "index.html":
                shots.mkdir(parents=True, exist_ok=True)
                tab.screenshot(path=str(shots / f"gallery-{page.stem}.png"))
                taken += 1
    return problems


def _check_one(tab, page: Path) -> list[str]:
    tab.goto(page.as_uri())
    if page.name == "index.html":
        links = tab.locator("table a").count()
        return [] if links else ["index.html: no links to network pages"]
    if tab.locator("#canvas").count() == 0:
        return [f"{page.name}: no diagram (the spec failed)"]
    tab.wait_for_selector("body[data-ready]", timeout=15_000)
    closed = tab.locator("g.node.clickable")
    if closed.count() == 0:
        return []  # a network without blocks: nothing to open
    target = closed.first.get_attribute("id")
    frames = tab.locator("g.frame").count()
    closed.first.click()
    tab.wait_for_function(f"document.querySelectorAll('g.frame').length > {frames}",
                          timeout=5_000)
    if tab.locator(f'[id="{target}"]').count():
        return [f"{page.name}: {target} still closed after a click"]
    return []


def main(argv: list[str]) -> int:
    if not available():
        print("pages_check: chromium or playwright missing; skipped")
        return 0
    folder = Path(argv[0]).resolve()  # file URIs need absolute paths
    shots = Path(argv[argv.index("--shots") + 1]) if "--shots" in argv else None
    pages = [folder / "index.html", *sorted(p for p in folder.glob("*.html")
                                            if p.name != "index.html")]
    problems = check_pages(pages, shots)
    for line in problems:
        print(line)
    print(f"pages_check: {len(pages)} pages in chromium, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
