"""archspec.limits: overriding limits for a scope, and how they read in messages."""

from __future__ import annotations

from pathlib import Path

import pytest

import archspec
from archspec.errors import SpecError, flatten
from archspec.limits import LIMITS, Limits, current, override
from archspec.units import fmt_bytes

CHAIN = "network n {\n  input x: [3, 8, 8]\n  out x -> relu * 150\n}\n"


def first_error(text: str) -> SpecError:
    with pytest.raises(SpecError) as info:
        archspec.load(text)
    return flatten(info.value)[0]


def test_override_applies_in_its_scope_only() -> None:
    assert archspec.load(CHAIN).ir.number_of_nodes() == 151
    with override(max_nodes=100) as limits:
        assert limits.max_nodes == 100
        err = first_error(CHAIN)
        assert (err.kind, err.message, err.span.line) == (
            "SpecLimitError", "the network elaborates to more than 100 primitive nodes", 3)
    assert LIMITS.max_nodes == 30_000
    assert archspec.load(CHAIN).ir.number_of_nodes() == 151


def test_override_restores_after_an_exception() -> None:
    with pytest.raises(RuntimeError), override(max_steps=10, max_repeat=5):
        raise RuntimeError
    assert (LIMITS.max_steps, LIMITS.max_repeat) == (700_000, 10_000)


def test_override_rejects_unknown_limits() -> None:
    with pytest.raises(TypeError, match="unknown limits: max_layers"), override(max_layers=1):
        pass


def test_steps_budget_counts_nodes_and_calls() -> None:
    """20 steps a node, 50 a block call, 1 a list element: 150 calls of a block holding one
    relu, plus the input shape's 3 elements, is 10,503 steps."""
    text = "block b() {\n  out in -> relu\n}\n" + CHAIN.replace("relu * 150", "b() * 150")
    with override(max_steps=10_503):
        archspec.load(text)
    with override(max_steps=10_502):
        err = first_error(text)
    assert err.message.startswith("elaboration takes more than 10,502 steps")


@pytest.mark.parametrize(("n", "text"), [(100, "100 B"), (128 * 2**10, "128 KiB"),
                                         (10 * 2**20 + 2**19, "10.50 MiB"), (2**32, "4 GiB"),
                                         (102_228_128, "97.49 MiB")])
def test_fmt_bytes(n: int, text: str) -> None:
    assert fmt_bytes(n) == text


def test_limits_given_to_load_bound_that_load_only() -> None:
    with pytest.raises(SpecError) as info:
        archspec.load(CHAIN, limits=Limits(max_nodes=100))
    err = flatten(info.value)[0]
    assert (err.message, err.span.line) == (
        "the network elaborates to more than 100 primitive nodes", 3)
    assert archspec.load(CHAIN).ir.number_of_nodes() == 151
    assert LIMITS.max_nodes == 30_000 and current() == Limits()


def test_limits_cannot_be_set_globally() -> None:
    with pytest.raises(AttributeError, match="read-only"):
        LIMITS.max_nodes = 10**9  # type: ignore[misc]
    with pytest.raises(AttributeError):   # a Limits value is immutable (a named tuple)
        current().max_nodes = 10**9  # type: ignore[misc]
    assert current().max_nodes == 30_000


def test_cli_limit_does_not_outlive_its_invocation(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture) -> None:
    from archspec.cli import main
    spec = tmp_path / "chain.arch"
    spec.write_text(CHAIN)
    assert main(["--limit", "max_nodes=100", "check", str(spec)]) == 2
    assert "more than 100 primitive nodes" in capsys.readouterr().err
    assert main(["check", str(spec)]) == 0
    assert "(151 nodes)" in capsys.readouterr().out


def test_ast_cache_key_covers_the_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A tree parsed under raised limits is not handed to a later load under the defaults."""
    from archspec.frontend.cache import cache_dir
    monkeypatch.setenv("ARCHSPEC_CACHE", str(tmp_path / "cache"))
    cache_dir.cache_clear()
    try:
        deep = "(" * 210 + "1" + ")" * 210
        spec = tmp_path / "deep.arch"
        spec.write_text(f"network n(k={deep}) {{\n  input x: [3, 8, 8]\n  out x -> relu\n}}\n")
        raised = Limits(max_nesting=300, max_depth=300)
        assert archspec.load(spec, limits=raised).ir.number_of_nodes() == 2
        assert len(list((tmp_path / "cache").glob("*.ast"))) == 1
        with pytest.raises(SpecError) as info:
            archspec.load(spec)
        err = flatten(info.value)[0]
        assert (err.message, err.span.line) == ("brackets nested deeper than 200", 1)
    finally:
        cache_dir.cache_clear()


def test_tests_never_use_the_users_cache() -> None:
    import os

    from archspec.frontend.cache import cache_dir
    home = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "archspec"
    assert cache_dir() != home
