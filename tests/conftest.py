"""Fixtures shared by every test folder."""

import importlib.util
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

CREATED = [""]  # the AST cache directory this run made, removed at the end


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist each worker's torch would take one thread per core, so N workers
    oversubscribe N cores N times over (a 16-core machine ran at load 42). Each worker gets its
    share of the cores unless OMP_NUM_THREADS is set: the suite ran in 69 s instead of 98-105 s
    on the 2-core CI machine. torch reads the variable when it is first imported, after this."""
    if "ARCHSPEC_CACHE" not in os.environ:  # never the user's ~/.cache/archspec
        os.environ["ARCHSPEC_CACHE"] = CREATED[0] = tempfile.mkdtemp(prefix="archspec-cache-")
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "0"))
    if workers:
        share = max(1, (os.cpu_count() or 1) // workers)
        os.environ.setdefault("OMP_NUM_THREADS", str(share))


def pytest_unconfigure(config: pytest.Config) -> None:
    if CREATED[0]:
        shutil.rmtree(CREATED[0], ignore_errors=True)


def installed(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # ValueError: sys.modules holds None (blocked)
        return False


# References the zoo and fidelity tests compare against; without them those modules skip.
MISSING_REFERENCES = [name for name in ("torchvision", "timm") if not installed(name)]


class NeedsReference(pytest.Module):
    """A test module that imports a missing reference at its top: reported as skipped."""

    def collect(self) -> list:
        pytest.skip(f"needs {self.missing}", allow_module_level=True)


def pytest_pycollect_makemodule(module_path: Path, parent: pytest.Collector
                                ) -> pytest.Module | None:
    text = module_path.read_text(encoding="utf-8") if MISSING_REFERENCES else ""
    for name in MISSING_REFERENCES:
        if re.search(rf"^(import|from) {name}\b", text, re.M):
            module = NeedsReference.from_parent(parent, path=module_path)
            module.missing = name
            return module
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Without torchvision, deformable convolutions (torchvision.ops.DeformConv2d) cannot be
    built: the tests that build them skip, as their modules would."""
    if "torchvision" not in MISSING_REFERENCES:
        return
    skip = pytest.mark.skip(reason="needs torchvision (deform_conv is its DeformConv2d)")
    for item in items:
        if re.search(r"dcn|deform", item.nodeid):
            item.add_marker(skip)


@pytest.fixture
def no_ast_cache(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Generated specs must not fill ~/.cache/archspec with one pickle per example."""
    from archspec.frontend.cache import cache_dir
    monkeypatch.setenv("ARCHSPEC_CACHE", "off")
    cache_dir.cache_clear()
    yield
    monkeypatch.undo()
    cache_dir.cache_clear()
