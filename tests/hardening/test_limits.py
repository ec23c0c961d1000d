"""archspec.limits: overriding limits for a scope, and how they read in messages."""

from __future__ import annotations

import pytest

import archspec
from archspec.errors import SpecError, flatten
from archspec.limits import LIMITS, fmt_bytes, override

CHAIN = "network n {\n  input x: [3, 8, 8]\n  out x -> relu * 150\n}\n"


def first_error(text: str) -> SpecError:
    with pytest.raises(SpecError) as info:
        archspec.load(text)
    return flatten(info.value)[0]


def test_override_applies_in_its_scope_only() -> None:
    assert archspec.load(CHAIN).graph.number_of_nodes() == 151
    with override(max_nodes=100) as limits:
        assert limits.max_nodes == 100
        err = first_error(CHAIN)
        assert (err.kind, err.message, err.span.line) == (
            "SpecLimitError", "the network elaborates to more than 100 primitive nodes", 3)
    assert LIMITS.max_nodes == 30_000
    assert archspec.load(CHAIN).graph.number_of_nodes() == 151


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


@pytest.mark.parametrize(("n", "text"), [(100, "100 bytes"), (128 * 2**10, "128 KiB"),
                                         (10 * 2**20 + 2**19, "10.5 MiB"), (2**32, "4 GiB")])
def test_fmt_bytes(n: int, text: str) -> None:
    assert fmt_bytes(n) == text
