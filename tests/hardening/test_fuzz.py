"""Fuzzing with hypothesis: random valid specs check with the shapes we predict, specs with an
injected fault raise that fault's error, and random edits of every file in specs/ and std/
(and of generated specs) only ever succeed or raise located SpecErrors, within the time bound.

``make test`` runs the ``ci`` profile (a few hundred examples per test, a few thousand in all);
``make fuzz`` (HYPOTHESIS_PROFILE=fuzz) runs at least 50 times as many.
"""

from __future__ import annotations

import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import archspec
from archspec.elaborate import loader
from archspec.errors import SpecError, flatten
from archspec.frontend.fmt import format_module
from archspec.frontend.to_ast import parse_module
from archspec.source import SourceFile
from tests.hardening.conftest import CPU_LIMIT_S, MEMORY_LIMIT_MIB, child_env
from tests.hardening.strategies import Spec, examples, invalid_spec, mutation, valid_spec

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted((ROOT / "specs").glob("*.arch"))
STD = sorted((ROOT / "archspec" / "std").glob("*.arch"))
pytestmark = pytest.mark.usefixtures("no_ast_cache")


def maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


FRESH = """
import json, sys, time
import archspec
from archspec.elaborate import loader
from archspec.source import SourceFile
archspec.load("network n {\\n  input x: [3, 8, 8]\\n  out x -> conv(4, 3) -> relu\\n}\\n")
job = json.loads(open(sys.argv[1]).read())
if job["std"]:
    loader.STD_DIR = loader.Path(job["std"])
spec = SourceFile(job["name"], job["text"]) if job["name"] else job["text"]
start = time.thread_time()
try:
    archspec.load(spec, **job["params"])
except archspec.SpecError:
    pass
print(time.thread_time() - start)
"""


def fresh_cpu_s(spec: str | SourceFile, params: dict[str, Any], tmp: Path) -> float:
    """The CPU seconds ``load`` takes in a fresh process: a pytest worker's heap (torch,
    earlier examples) makes garbage collection land on whichever example triggers it, so a
    slow example is measured again where only it runs."""
    job = tmp / "job.json"
    name, text = (spec.name, spec.text) if isinstance(spec, SourceFile) else ("", spec)
    std = "" if loader.STD_DIR == STD[0].parent else str(loader.STD_DIR)
    job.write_text(json.dumps({"name": name, "text": text, "params": params, "std": std}))
    out = subprocess.run([sys.executable, "-c", FRESH, str(job)], capture_output=True,
                         text=True, env=child_env(), cwd=ROOT, timeout=120, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def bounded(spec: str | SourceFile, **params: Any) -> archspec.Network | SpecError:
    """Load ``spec``: a Network or the SpecError, within the CPU and memory bounds; anything
    else (a bug) propagates and fails the test with its traceback."""
    rss, start = maxrss_mib(), time.thread_time()
    try:
        result: archspec.Network | SpecError = archspec.load(spec, **params)
    except SpecError as err:
        for e in flatten(err):
            assert e.message and e.span.line >= 1 and e.span.file != "<unknown>", e
            assert "Traceback" not in e.format()
        result = err
    took = time.thread_time() - start
    assert maxrss_mib() - rss < MEMORY_LIMIT_MIB
    if took >= CPU_LIMIT_S:
        with tempfile.TemporaryDirectory() as tmp:
            fresh = fresh_cpu_s(spec, params, Path(tmp))
        assert fresh < CPU_LIMIT_S, f"{fresh:.2f} s of CPU in a fresh process ({took:.2f} here)"
    return result


@examples(300)
@given(valid_spec())
def test_valid_specs_check_with_predicted_shapes(spec: Spec) -> None:
    net = bounded(spec.text, **spec.params)
    assert not isinstance(net, SpecError), f"{net.format()}\n\n{spec.text}"
    assert net.outputs["out"] == spec.output, spec.text


@examples(100)
@given(valid_spec())
def test_valid_specs_survive_formatting(spec: Spec) -> None:
    """fmt's output means the same network: same ops in the same order, same output."""
    text = format_module(parse_module(SourceFile("<gen>", spec.text)))
    first, again = archspec.load(spec.text, **spec.params), archspec.load(text, **spec.params)
    ops = [first.graph.nodes[n]["data"].op for n in first.graph]
    assert ops == [again.graph.nodes[n]["data"].op for n in again.graph]
    assert again.outputs == first.outputs


@examples(300)
@given(invalid_spec())
def test_injected_faults_raise_their_error(case: tuple[Spec, str]) -> None:
    spec, kind = case
    err = bounded(spec.text, **spec.params)
    assert isinstance(err, SpecError), spec.text
    assert [e.kind for e in flatten(err)] == [kind], err.format()


@examples(300)
@given(st.data())
def test_mutated_generated_specs(data: st.DataObject) -> None:
    spec = data.draw(valid_spec())
    bounded(data.draw(mutation(spec.text)), **spec.params)


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
@examples(15)
@given(st.data())
def test_mutated_zoo_specs(path: Path, data: st.DataObject) -> None:
    text = data.draw(mutation(path.read_text()))
    bounded(SourceFile(str(path), text))


def std_imports(path: Path) -> set[str]:
    """The standard-library modules ``path`` imports, directly or through other modules."""
    found: set[str] = set()
    todo = [path]
    while todo:
        for name in re.findall(r"^import std\.(\w+)", todo.pop().read_text(), re.M):
            if name not in found:
                found.add(name)
                todo.append(ROOT / "archspec" / "std" / f"{name}.arch")
    return found


def users_of(std_file: Path) -> list[Path]:
    """Zoo specs that use this standard-library module."""
    return [p for p in SPECS if std_file.stem in std_imports(p)]


@pytest.mark.parametrize("std_file", [p for p in STD if users_of(p)], ids=lambda p: p.stem)
@examples(15)
@given(data=st.data())
def test_mutated_std_modules(std_file: Path, data: st.DataObject, tmp_path_factory:
                             pytest.TempPathFactory) -> None:
    """The mutated module replaces the real one, and a zoo spec that imports it is loaded,
    so the edit reaches elaboration, not only the parser."""
    fake_std = tmp_path_factory.mktemp("std")
    for other in STD:
        (fake_std / other.name).write_text(other.read_text())
    (fake_std / std_file.name).write_text(data.draw(mutation(std_file.read_text())))
    user = data.draw(st.sampled_from(users_of(std_file)))
    saved = loader.STD_DIR
    loader.STD_DIR = fake_std
    try:
        bounded(user)
    finally:
        loader.STD_DIR = saved


def test_every_std_module_is_mutated() -> None:
    """Modules no zoo spec imports would only be parsed: say which, so none is forgotten."""
    assert [p.stem for p in STD if not users_of(p)] == []
