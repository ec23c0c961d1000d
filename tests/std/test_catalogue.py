from pathlib import Path

from archspec.std.catalogue import render_catalogue

DOC = Path(__file__).resolve().parents[2] / "docs" / "blocks.md"


def test_docs_blocks_md_is_generated_from_std() -> None:
    assert DOC.read_text() == render_catalogue(), \
        "regenerate: python -m archspec.std.catalogue > docs/blocks.md"


def test_every_std_block_is_documented() -> None:
    assert "_(undocumented)_" not in render_catalogue()
