"""Geometry helpers against torch's integer rules (transcribed), chains composed
symbolically against the concrete composition, and a differential check against torch."""

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archspec.symbolic import (
    adaptive_out,
    conv_out,
    conv_transpose_out,
    global_pool_out,
    pool_out,
    sym,
    upsample_out,
    window_out,
)
from tests.symbolic.reference import apply_layer, layers, torch_transpose, torch_window

H = sym("H")


@settings(max_examples=400, deadline=None)
@given(st.integers(-20, 600), st.integers(1, 9), st.integers(1, 6), st.integers(0, 12),
       st.integers(0, 12), st.integers(1, 4), st.booleans())
def test_window_matches_torch_rule_on_ints_and_symbols(n, k, s, pl, pr, d, ceil):
    expected = torch_window(n, k, s, pl, pr, d, ceil)
    assert window_out(n, k, s, pl, pr, d, ceil) == expected
    assert window_out(H, k, s, pl, pr, d, ceil)(H=n) == expected


@settings(max_examples=200, deadline=None)
@given(st.integers(-5, 300), st.integers(1, 6), st.integers(1, 4), st.integers(0, 3),
       st.integers(0, 3), st.integers(1, 3))
def test_transpose_matches_torch_rule(n, k, s, p, op, d):
    expected = torch_transpose(n, k, s, p, op, d)
    assert conv_transpose_out(n, k, s, p, op, d) == expected
    assert conv_transpose_out(H, k, s, p, op, d)(H=n) == expected


@settings(max_examples=300, deadline=None)
@given(st.lists(layers, min_size=1, max_size=12), st.integers(1, 512))
def test_composed_chain_evaluates_to_the_concrete_composition(chain, n):
    symbolic, concrete = H, n
    for layer in chain:
        symbolic = apply_layer(symbolic, layer)
        concrete = apply_layer(concrete, layer, symbolic=False)
    value = symbolic(H=n) if not isinstance(symbolic, int) else symbolic
    assert value == concrete


def test_named_helpers():
    assert str(conv_out(H, 7, 2, 3)) == "⌊(H - 1)/2⌋ + 1"
    assert str(pool_out(H, 2)) == "⌊H/2⌋"
    assert str(pool_out(H, 3, 2, ceil_mode=True)) == "⌊H/2⌋"  # ⌈(H - 3)/2⌉ + 1
    assert str(pool_out(H, 3, 2, padding=1, ceil_mode=True)) == "⌊H/2⌋ + 1"
    assert str(conv_transpose_out(H, 4, 2, 1)) == "2·H"
    assert str(upsample_out(H // 2, 2)) == "2·⌊H/2⌋"
    assert adaptive_out(H, 7) == 7 and global_pool_out(H) == 1
    assert conv_out(224, 7, 2, 3) == 112 and pool_out(112, 3, 2, 1) == 56
    with pytest.raises(ValueError, match="positive integer scale"):
        upsample_out(H, 0)


def _torch_length(fn, n):
    try:
        return fn(n)
    except RuntimeError:
        return 0  # torch rejects the input: the rule must give a size below 1


def _pool_cases():
    for k, s, d, ceil in itertools.product((1, 2, 3, 4), (1, 2, 3), (1, 2), (False, True)):
        for p in range(0, k // 2 + 1):  # torch: pad at most half the kernel
            yield k, s, p, d, ceil


@pytest.fixture
def torch_one_thread():
    """Thousands of tiny ops: one thread each is 500x faster than a pool on a busy machine."""
    torch = pytest.importorskip("torch")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield torch
    torch.set_num_threads(threads)


def test_pool_rule_against_torch_max_pool(torch_one_thread):
    torch = torch_one_thread
    f = torch.nn.functional
    for k, s, p, d, ceil in _pool_cases():
        for n in range(1, 14):
            run = lambda n: f.max_pool1d(torch.zeros(1, 1, n), k, s, p, d, ceil).shape[-1]  # noqa: B023, E731
            got = _torch_length(run, n)
            assert max(pool_out(n, k, s, p, d, ceil), 0) == got, (k, s, p, d, ceil, n)
            assert max(pool_out(H, k, s, p, d, ceil)(H=n), 0) == got


def test_conv_rules_against_torch(torch_one_thread):
    torch = torch_one_thread
    f = torch.nn.functional
    for k, s, p, d in itertools.product((1, 2, 3, 5), (1, 2, 3), (0, 1, 2), (1, 2)):
        weight = torch.zeros(1, 1, k)
        for n in range(1, 12):
            conv = lambda n: f.conv1d(torch.zeros(1, 1, n), weight, None, s, p, d).shape[-1]  # noqa: B023, E731
            assert max(conv_out(H, k, s, p, d)(H=n), 0) == _torch_length(conv, n)
            for op in range(max(s, d)):
                up = lambda n: f.conv_transpose1d(  # noqa: B023, E731
                    torch.zeros(1, 1, n), weight, None, s, p, op, 1, d).shape[-1]  # noqa: B023
                assert max(conv_transpose_out(H, k, s, p, op, d)(H=n), 0) == _torch_length(up, n)
