"""Fixtures shared by every test folder."""

from collections.abc import Iterator

import pytest


@pytest.fixture
def no_ast_cache(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Generated specs must not fill ~/.cache/archspec with one pickle per example."""
    from archspec.frontend.cache import cache_dir
    monkeypatch.setenv("ARCHSPEC_CACHE", "off")
    cache_dir.cache_clear()
    yield
    monkeypatch.undo()
    cache_dir.cache_clear()
