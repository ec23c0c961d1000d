"""Size products (a flatten feeding a linear with fixed in_features) split the valid set
into cases, one per factorisation; checked by hand on LeNet-5 and against brute force."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archspec.symbolic import (
    AnyOf,
    Constraint,
    ValidSet,
    conv_out,
    negation,
    pool_out,
    product_equal,
    sym,
)
from tests.symbolic.reference import apply_layer, first_failure, network_constraints, networks

H, W = sym("H"), sym("W")


def lenet_axis(size):
    """LeNet-5 along one axis: conv 5, pool 2, conv 5, pool 2 (torch's classic version)."""
    sizes = [conv_out(size, 5)]
    sizes.append(pool_out(sizes[-1], 2))
    sizes.append(conv_out(sizes[-1], 5))
    sizes.append(pool_out(sizes[-1], 2))
    names = ("conv1", "pool1", "conv2", "pool2")
    return sizes[-1], [Constraint.at_least(s, 1, origin=n) for s, n in zip(sizes, names)]


def lenet():
    h, on_h = lenet_axis(H)
    w, on_w = lenet_axis(W)
    # fc1 = Linear(16 * 5 * 5, 120) after flatten of 16 maps: h·w = 25
    return ValidSet(on_h + on_w + [product_equal([h, w], 25, origin="fc1")])


def test_lenet_cases():
    valid = lenet()
    assert valid.describe() == ("(16 ≤ H ≤ 19; 112 ≤ W ≤ 115) or (32 ≤ H, W ≤ 35) "
                                "or (112 ≤ H ≤ 115; 16 ≤ W ≤ 19)")
    assert valid.values("H", range(1, 200)) == [*range(16, 20), *range(32, 36), *range(112, 116)]
    assert valid.values("W", range(1, 200), H=33) == [32, 33, 34, 35]
    assert valid.values("W", [115, 34, 3], H=17) == [115]
    assert valid.minimum("H") == 16 and valid.progression("H") is None
    assert valid.failing(H=32, W=36).origin == "fc1"
    assert valid.failing(H=3, W=36).origin == "conv1"
    with pytest.raises(ValueError, match="split into cases"):
        valid.period("H")


def test_lenet_against_brute_force():
    valid = lenet()
    for h in range(1, 130):
        for w in (1, 16, 19, 20, 31, 32, 35, 36, 111, 112, 115, 116):
            h_out, h_ok = lenet_axis(h)
            w_out, w_ok = lenet_axis(w)
            ok = all(c.holds_at({}) for c in h_ok + w_ok) and h_out * w_out == 25
            assert valid.contains(H=h, W=w) == ok, (h, w)


def test_product_options_and_degenerate_totals():
    assert len(product_equal([H, W], 12).options) == 6
    assert [tuple(int(c.rhs) for c in o) for o in product_equal([H, W, H], 4).options] == [
        (1, 1, 4), (1, 2, 2), (1, 4, 1), (2, 1, 2), (2, 2, 1), (4, 1, 1)]
    never = product_equal([H, W], 0, origin="fc")
    assert isinstance(never, AnyOf) and str(never) == "false"
    valid = ValidSet([never], ["H", "W"])
    assert valid.describe() == "no valid size: no case of the size products holds"
    assert valid.is_empty() and valid.values("H", range(1, 9)) == []


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(max_layers=4), networks(max_layers=4), st.integers(1, 12),
       st.lists(st.integers(1, 80), min_size=1, max_size=3))
def test_products_against_brute_force(net_h, net_w, total, widths):
    h_out, w_out = H, W
    for layer in net_h[0]:
        h_out = apply_layer(h_out, layer)
    for layer in net_w[0]:
        w_out = apply_layer(w_out, layer)
    product = product_equal([h_out, w_out], total, origin="fc")
    valid = ValidSet(network_constraints(net_h, H) + network_constraints(net_w, W) + [product],
                     ["H", "W"])
    for w in widths:
        expected = [h for h in range(1, 81)
                    if first_failure(net_h, h) is None and first_failure(net_w, w) is None
                    and _value(h_out, "H", h) * _value(w_out, "W", w) == total]
        assert valid.values("H", range(1, 81), W=w) == expected
        assert [h for h in range(1, 81) if valid.contains(H=h, W=w)] == expected


def _value(size, name, n):
    return size if isinstance(size, int) else size.evaluate({name: n})


@pytest.mark.parametrize(
    ("condition", "answer"),
    [
        (Constraint.at_least(H // 32, 2), True),  # every valid H is ≥ 64
        (Constraint.at_most(H, 40), False),
        (Constraint.at_least(H, 100), None),  # 64 and 96 are valid, and so is 128
        (Constraint.equal(H % 32, 0), True),
        (Constraint.equal(H % 64, 0), None),
        (Constraint.equal(H % 32, 5), False),
        (Constraint.at_least(W, 2), None),  # W is free: W = 1 is valid
        (Constraint.at_least(W, 1), True),
    ],
)
def test_decide_resolves_or_splits(condition, answer):
    valid = ValidSet([Constraint.divisible(H, 32), Constraint.at_least(H, 64)], ["H", "W"])
    assert valid.decide(condition) is answer
    if answer is None:  # the two cases partition the set
        (name,) = condition.symbols
        yes, no = valid.restricted(condition), valid.restricted(negation(condition))
        sample = range(1, 300)
        split = yes.values(name, sample) + no.values(name, sample)
        assert sorted(split) == valid.values(name, sample)
        assert yes.values(name, sample) and no.values(name, sample)


def test_decide_with_a_tied_pair_never_guesses():
    valid = ValidSet([Constraint.equal(H // 2, W // 2)])
    assert valid.decide(Constraint.at_least(H, 1)) is True  # the negation is empty per axis
    assert valid.decide(Constraint.at_least(H - W, 2)) is None  # false everywhere, not provable
