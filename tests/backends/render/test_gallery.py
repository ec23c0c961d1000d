"""The gallery: references named by the specs' headers, the pages and their links, the
summary table, the CLI, and every page loaded in Chromium."""

import re
import shutil
from pathlib import Path

import pytest
from pages_check import available, check_pages

from archspec.backends.render.gallery import Row, reference_params, summary_table
from archspec.cli.app import main
from archspec.cli.gallery import write_gallery

ROOT = Path(__file__).resolve().parents[3]
ARTEFACTS = ROOT / "out" / "test-artefacts"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz 'dot' missing")
BROKEN = "# A broken net: 12 parameters.\nnetwork broken {\n  -> conv(8, 3) -> nosuch()\n}\n"


@pytest.mark.parametrize(("header", "count"), [
    ("# ResNet-50 (torchvision resnet50): 25,557,032 parameters.\n", 25_557_032),
    ("# LeNet-5 as in the paper: 60,000 trainable parameters (+ 840 fixed).\n", 60_000),
    ("# The common modern LeNet-5: full C3. 61,706 params.\n", 61_706),
    ("# GoogLeNet (torchvision googlenet, aux_logits=True): 13,004,888 parameters\n", 13_004_888),
    ("# Deformable ResNet-50: every 3x3 conv2 of stages\n# 3-5 is deformable (512 params)\n",
     512),
    ("# A stacked what-where auto-encoder for MNIST.\n", None),
    ("network x { }\n# 5 parameters\n", None),  # only the leading comment counts
])
def test_reference_params(header, count):
    assert reference_params(header + "network n { }\n") == count


def test_row_matches_any_count_a_header_may_name():
    row = Row("g", "", 6_624_904, 1, 13_004_888, other_counts=(13_004_888, 6_624_904))
    assert row.matched is True
    assert Row("n", "", 10, 1, 11).matched is False
    assert Row("n", "", 10, 1, None).matched is None
    assert Row("n", "", 0, 0, 10, error="boom").matched is None


@pytest.fixture(scope="module")
def gallery(tmp_path_factory) -> tuple[Path, list[Row]]:
    folder = tmp_path_factory.mktemp("gallery")
    broken = folder / "specs" / "broken.arch"
    broken.parent.mkdir()
    broken.write_text(BROKEN, encoding="utf-8")
    specs = [ROOT / "specs" / "lenet5.arch", ROOT / "specs" / "resnet20.arch", broken]
    return folder / "out", write_gallery(specs, folder / "out", jobs=1)


@needs_dot
def test_rows_and_summary_table(gallery):
    _, rows = gallery
    assert [(r.name, r.params, r.reference, r.matched) for r in rows] == [
        ("lenet5", 60_000, 60_000, True), ("resnet20", 269_722, 269_722, True),
        ("broken", 0, 12, None)]
    assert rows[2].error.splitlines()[0].endswith("broken.arch:3:3: error: unexpected '->'")
    assert summary_table(rows).splitlines() == [
        "network     params      MACs  reference",
        "--------  --------  --------  ---------",
        "lenet5     60.00 K  326.52 K    matched",
        "resnet20  269.72 K   40.55 M    matched",
        "broken       error                error"]


@needs_dot
def test_pages_link_each_other_and_are_self_contained(gallery):
    out, _ = gallery
    assert sorted(p.name for p in out.iterdir()) == [
        "broken.html", "index.html", "lenet5.html", "resnet20.html"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'href="([^"]+)"', index) == ["lenet5.html", "resnet20.html",
                                                    "broken.html"]
    resnet = (out / "resnet20.html").read_text(encoding="utf-8")
    assert re.findall(r'<nav><a href="([^"]+)">index</a><a href="([^"]+)">', resnet) == [
        ("index.html", "lenet5.html")]
    assert 'id="audit"' in resnet and "params: 269.72 K (269,722)" in resnet
    assert '<section id="source">' in resnet and "resnet" in resnet
    assert 'id="canvas"' in resnet
    broken = (out / "broken.html").read_text(encoding="utf-8")
    assert "nosuch" in broken and 'id="canvas"' not in broken
    for page in out.iterdir():
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"(src|href)=\"?(https?:)?//", text), page.name


@needs_dot
def test_cli_writes_the_gallery_and_prints_the_table(tmp_path, capsys):
    spec = ROOT / "specs" / "resnet20.arch"
    assert main(["gallery", str(spec), "-o", str(tmp_path / "g"), "--jobs", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[2] == "resnet20  269.72 K  40.55 M    matched"
    assert lines[3] == f"wrote {tmp_path / 'g' / 'index.html'} and 1 pages"


@pytest.mark.parametrize(("args", "option"), [
    (["--jobs", "0"], "'--jobs'"), (["--depth", "-1"], "--depth")])
def test_cli_bad_options_exit_2_naming_them(tmp_path, capsys, args, option):
    spec = ROOT / "specs" / "resnet20.arch"
    assert main(["gallery", str(spec), "-o", str(tmp_path / "g"), *args]) == 2
    assert option in capsys.readouterr().err
    assert not (tmp_path / "g").exists()


def test_cli_missing_spec_and_file_as_folder_exit_2(tmp_path, capsys):
    assert main(["gallery", str(tmp_path / "nope.arch"), "-o", str(tmp_path / "g")]) == 2
    assert "no such file" in capsys.readouterr().err
    (tmp_path / "f").write_text("x", encoding="utf-8")
    spec = ROOT / "specs" / "resnet20.arch"
    assert main(["gallery", str(spec), "-o", str(tmp_path / "f")]) == 2
    assert "is not a folder" in capsys.readouterr().err


@needs_dot
def test_cli_broken_spec_exits_2_with_its_located_error(tmp_path, capsys):
    spec = tmp_path / "broken.arch"
    spec.write_text(BROKEN, encoding="utf-8")
    assert main(["gallery", str(spec), "-o", str(tmp_path / "g"), "--jobs", "1"]) == 2
    captured = capsys.readouterr()
    assert "broken    error            error" in captured.out.splitlines()
    assert f"{spec}:3:3" in captured.err and "-> conv(8, 3) -> nosuch()" in captured.err


@needs_dot
@pytest.mark.browser
@pytest.mark.skipif(not available(), reason="chromium or playwright missing")
def test_every_page_loads_and_opens_a_block_in_chromium(gallery):
    out, _ = gallery
    pages = [out / "index.html", out / "lenet5.html", out / "resnet20.html"]
    assert check_pages(pages, ARTEFACTS) == []
    assert (ARTEFACTS / "gallery-resnet20.png").stat().st_size > 10_000


@needs_dot
@pytest.mark.browser
@pytest.mark.skipif(not available(), reason="chromium or playwright missing")
def test_the_demo_check_takes_the_folder_as_make_demo_gives_it(gallery, tmp_path, monkeypatch,
                                                                capsys):
    """``make demo`` runs ``pages_check.py out``: a relative folder (file URIs need absolute
    paths; it failed after drawing every page)."""
    import shutil

    import pages_check
    out, _ = gallery
    (tmp_path / "out").mkdir()
    for name in ("index.html", "lenet5.html"):   # a small folder: the index and one network
        shutil.copy(out / name, tmp_path / "out" / name)
    monkeypatch.chdir(tmp_path)
    assert pages_check.main(["out"]) == 0
    assert "pages_check: 2 pages in chromium, 0 problems" in capsys.readouterr().out


SMALL = "network small {\n  input x: [3, 8, 8]\n  out x -> conv(4, 3) -> gap -> flatten\n}\n"


def test_cli_refuses_a_page_that_would_overwrite_an_input_spec(tmp_path, capsys):
    spec = tmp_path / "net.html"  # any regular file is a spec; its page would be itself
    spec.write_text(SMALL, encoding="utf-8")
    assert main(["gallery", str(spec), "-o", str(tmp_path), "--jobs", "1"]) == 2
    err = capsys.readouterr().err
    assert f"-o: '{spec}' is an input of this command" in err
    assert spec.read_text(encoding="utf-8") == SMALL
    assert not (tmp_path / "index.html").exists()


@pytest.mark.parametrize("names", [("a/net.arch", "b/net.arch"), ("index.arch",),
                                   ("Net.arch", "net.yaml")])
def test_cli_refuses_specs_whose_pages_would_collide(tmp_path, capsys, names):
    for name in names:
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(SMALL, encoding="utf-8")
    specs = [str(tmp_path / n) for n in names]
    assert main(["gallery", *specs, "-o", str(tmp_path / "g"), "--jobs", "1"]) == 2
    page = f"{Path(names[-1]).stem}.html".lower()
    assert f"would write the same page '{page}'" in capsys.readouterr().err.lower()
    assert not (tmp_path / "g").exists()


@pytest.mark.parametrize("folder", ["/proc/archspec-gallery", "/proc"])
def test_cli_refuses_a_folder_it_cannot_write_before_any_work(folder, capsys):
    """/proc/x was an internal error (exit 1); /proc failed after drawing every page."""
    spec = ROOT / "specs" / "resnet20.arch"
    assert main(["gallery", str(spec), "-o", folder, "--jobs", "1"]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("error: -o: cannot ") and captured.out == ""
