"""The valid set: exact against brute force on random networks, and hand-checked
statements for ResNet-50, a 4-level U-Net and Inception-v3's reductions."""

import pytest
from hypothesis import HealthCheck, given, settings

from archspec.symbolic import Constraint, PeriodTooLarge, Progression, ValidSet, sym
from tests.symbolic import nets
from tests.symbolic.reference import first_failure, network_constraints, networks

H, W = sym("H"), sym("W")
SIZES = range(1, 513)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_valid_set_equals_brute_force(network):
    valid = ValidSet(network_constraints(network, H), symbols=["H"])
    expected = [n for n in SIZES if first_failure(network, n) is None]
    assert valid.values("H", SIZES) == expected
    assert valid.values("H", list(SIZES)) == expected  # the per-value path agrees
    for n in (1, 2, 3, 7, 64, 255, 511):
        failing = valid.failing(H=n)
        assert (failing and failing.origin) == first_failure(network, n)
    minimum = valid.minimum("H")
    if expected:
        assert minimum == expected[0]
    else:
        assert minimum is None or minimum > 512


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_progression_and_period_describe_the_same_set(network):
    valid = ValidSet(network_constraints(network, H), symbols=["H"])
    progression = valid.progression("H")
    if progression is not None:
        expected = list(range(progression.start, 513, progression.step))
        assert valid.values("H", SIZES) == expected
        assert valid.period("H") == progression.step


def test_resnet50_is_valid_at_every_size():
    valid = ValidSet(nets.resnet50(H) + nets.resnet50(W))
    assert valid.describe() == "H, W ≥ 1"
    assert valid.progression("H") == Progression(1, 1)
    assert [n for n in SIZES if concrete_ok(nets.resnet50, n)] == list(SIZES)
    assert str(nets.resnet50_output(H)) == "⌊(H - 1)/32⌋ + 1"


def concrete_ok(constraints, n):
    """The same network on an int size: every constraint is then a checked constant."""
    return all(c.holds_at({}) for c in constraints(n))


def test_unet_needs_a_multiple_of_16():
    valid = ValidSet(nets.unet(H, levels=4) + nets.unet(W, levels=4))
    assert valid.describe() == "H, W ≡ 0 (mod 16)"
    assert valid.values("H", range(1, 100)) == [16, 32, 48, 64, 80, 96]
    assert [n for n in SIZES if concrete_ok(nets.unet, n)] == list(range(16, 513, 16))
    assert valid.minimum("W") == 16 and valid.period("W") == 16
    assert valid.progression("H") == Progression(16, 16)
    assert valid.failing(H=40, W=32).origin == "up3 concat"  # 40/8 = 5 is odd: ⌊5/2⌋·2 ≠ 5
    assert valid.failing(H=8, W=32).origin == "down4 pool"  # ⌊8/16⌋ = 0


def test_inception_v3_reductions_need_75():
    valid = ValidSet(nets.inception_v3(H) + nets.inception_v3(W))
    assert valid.describe() == "H, W ≥ 75"
    assert [n for n in SIZES if valid.contains(H=n, W=n)] == list(range(75, 513))
    assert [n for n in SIZES if concrete_ok(nets.inception_v3, n)] == list(range(75, 513))
    assert valid.failing(H=74, W=300).origin == "Mixed_7a.branch3x3_2"


@pytest.mark.parametrize(
    ("spec", "params", "constraints", "sizes"),
    [
        ("resnet50", {}, nets.resnet50, [1, 2, 3, 7, 31, 33]),
        ("inception_v3", {"aux_logits": False}, nets.inception_v3, [73, 74, 75, 76]),
        ("inception_v3", {}, lambda h: nets.inception_v3(h, aux_logits=True), [297, 298, 299]),
    ],
)
def test_hand_built_constraints_agree_with_concrete_loads(spec, params, constraints, sizes):
    """The zoo spec loads at n x n exactly when the hand-built constraints hold (with the
    auxiliary head Inception-v3 needs H ≥ 299: its canonical input size is the minimum)."""
    import archspec
    from archspec.errors import SpecError

    valid = ValidSet(constraints(H))
    for n in sizes:
        try:
            archspec.load(f"specs/{spec}.arch", size=n, **params)
            loaded = True
        except SpecError:
            loaded = False
        assert loaded == valid.contains(H=n), (spec, n)
    assert valid.minimum("H") == {"resnet50": 1}.get(spec, 299 if not params else 75)


@pytest.mark.parametrize(
    ("constraints", "statement"),
    [
        ([Constraint.at_least(H, 3), Constraint.divisible(H - 1, 2)], "H ≡ 1 (mod 2), H ≥ 3"),
        ([Constraint.divisible(H, 32), Constraint.at_least(H // 32, 2)], "H ≡ 0 (mod 32), H ≥ 64"),
        ([Constraint.at_least(H - 2 * (H // 2) + H // 4, 1)], "H ≥ 1 except 2"),
        ([Constraint.at_least(H, 5), Constraint.equal(H // 2 * 2, H)], "H ≡ 0 (mod 2), H ≥ 6"),
        ([Constraint.at_least(H // 2 * 2 - H + H // 8, 0)],
         "H ≥ 2 except 3, 5, 7"),
        ([Constraint.at_least(H, 4), Constraint.at_most(H, 9)], "4 ≤ H ≤ 9"),
        ([Constraint.at_least(H, 40), Constraint.at_most(H, 4096), Constraint.divisible(H, 8)],
         "H ≡ 0 (mod 8), 40 ≤ H ≤ 4096"),
        ([Constraint.equal(H // 4, 2)], "8 ≤ H ≤ 11"),
        ([Constraint.equal(H, 5), Constraint.equal(H, 6)], "no valid H"),
        ([Constraint.at_least(H, 1), Constraint.at_least(W, 32)], "H ≥ 1; W ≥ 32"),
    ],
)
def test_statements(constraints, statement):
    valid = ValidSet(constraints)
    assert valid.describe() == statement


def test_exceptions_and_extras_are_listed_exactly():
    # odd H always; even H once ⌊H/6⌋ ≥ 1
    holes = ValidSet([Constraint.at_least((H + 1) // 2 * 2 - H + (H // 6) * 2, 1)])
    expected = [n for n in range(1, 60) if (n + 1) // 2 * 2 - n + (n // 6) * 2 >= 1]
    assert holes.values("H", range(1, 60)) == expected
    assert holes.describe() == "H ≥ 1 except 2, 4"


def test_constant_failure_makes_the_set_empty():
    valid = ValidSet([Constraint.at_least(H, 1), Constraint.equal(3, 4, origin="fixed")])
    assert valid.describe() == "no valid size: 3 = 4 never holds"
    assert valid.values("H", range(1, 10)) == [] and valid.minimum("H") is None
    assert valid.failing(H=5).origin == "fixed"


def test_joint_constraints_are_exact_with_the_other_symbol_fixed():
    valid = ValidSet([Constraint.at_least(H, 3), Constraint.equal(H // 2, W // 2, origin="add")])
    assert valid.describe() == "H ≥ 3; W ≥ 1, and jointly ⌊H/2⌋ = ⌊W/2⌋"
    assert valid.values("H", range(1, 20), W=9) == [8, 9]
    assert valid.values("W", range(1, 20), H=3) == [2, 3]
    assert valid.failing(H=4, W=7).origin == "add"
    assert not valid.is_independent("H")
    with pytest.raises(ValueError, match="jointly with W"):
        valid.minimum("H")
    with pytest.raises(ValueError, match="tied to W"):
        valid.values("H", range(5))


@pytest.mark.parametrize(
    ("point", "fragment"),
    [({"H": 3}, "no value given for size symbol"), ({"H": 0, "W": 1}, "positive int"),
     ({"H": 2.0, "W": 1}, "positive int")],
)
def test_bad_points(point, fragment):
    valid = ValidSet([Constraint.at_least(H + W, 2)])
    with pytest.raises(ValueError, match=fragment):
        valid.contains(**point)


def test_unknown_symbol_and_period_limit():
    valid = ValidSet([Constraint.at_least(H // 7 + H // 11 + H // 13, 1)], max_period=500)
    with pytest.raises(KeyError, match="unknown size symbol 'Q'"):
        valid.values("Q", range(3))
    with pytest.raises(PeriodTooLarge, match="period 1001"):
        valid.describe()
