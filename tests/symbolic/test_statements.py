"""`describe` is exact: its statement, read back by a small interpreter, admits exactly the
brute-force valid sizes; several symbols, independent and tied, against brute force; and
the package stays free of torch, networkx and sympy."""

import re
import subprocess
import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archspec.symbolic import Constraint, ValidSet, sym
from tests.symbolic.reference import first_failure, network_constraints, networks

H, W = sym("H"), sym("W")
SIZES = range(1, 513)
SLOW = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _numbers(text):
    return [int(v) for v in text.split(", ")]


def statement_predicate(text):
    """A membership test read from a one-symbol statement (none when it is truncated)."""
    if "…" in text:
        return None
    if text == "no valid H" or text.startswith("no valid size"):
        return lambda n: False
    if m := re.fullmatch(r"H ∈ \{(.*)\}", text):
        return set(_numbers(m[1])).__contains__
    pattern = re.fullmatch(r"(?:H ≡ ([\d, ]+) \(mod (\d+)\)(?:, |$))?(.*)", text)
    residues, step, rest = pattern[1], pattern[2], pattern[3]
    matches = (lambda n: True) if residues is None else (
        lambda n: n % int(step) in _numbers(residues))
    if m := re.fullmatch(r"(\d+) ≤ H ≤ (\d+)", rest):
        low, high = int(m[1]), int(m[2])
        return lambda n: matches(n) and low <= n <= high
    m = re.fullmatch(r"(?:H ≥ (\d+))?(?: except ([\d, ]+))?(?:, or H ∈ \{([\d, ]+)\})?", rest)
    assert m is not None, text
    low = int(m[1]) if m[1] else 1
    excluded = set(_numbers(m[2])) if m[2] else set()
    extra = set(_numbers(m[3])) if m[3] else set()
    return lambda n: n in extra or (matches(n) and n >= low and n not in excluded)


@SLOW
@given(networks())
def test_statement_admits_exactly_the_valid_sizes(network):
    valid = ValidSet(network_constraints(network, H), symbols=["H"])
    statement = valid.describe()
    admits = statement_predicate(statement)
    if admits is not None:
        expected = [n for n in SIZES if first_failure(network, n) is None]
        assert [n for n in SIZES if admits(n)] == expected, statement


@SLOW
@given(networks(max_layers=5), networks(max_layers=5),
       st.lists(st.tuples(st.integers(1, 512), st.integers(1, 512)), min_size=5, max_size=5))
def test_independent_symbols_form_a_product(net_h, net_w, pairs):
    valid = ValidSet(network_constraints(net_h, H) + network_constraints(net_w, W), ["H", "W"])
    assert valid.is_independent("H") and valid.is_independent("W")
    good_h = valid.values("H", SIZES)
    good_w = valid.values("W", SIZES)
    brute_h = [n for n in SIZES if first_failure(net_h, n) is None]
    brute_w = [n for n in SIZES if first_failure(net_w, n) is None]
    empty = valid.axis("H").minimum() is None or valid.axis("W").minimum() is None
    assert good_h == ([] if empty else brute_h)
    assert good_w == ([] if empty else brute_w)
    if not empty:
        assert valid.minimum("H") == valid.axis("H").minimum()
    for h, w in pairs:
        assert valid.contains(H=h, W=w) == (h in brute_h and w in brute_w)


@SLOW
@given(networks(max_layers=5), networks(max_layers=5), st.data())
def test_tied_symbols_are_exact_with_the_other_fixed(net_h, net_w, data):
    h_side = network_constraints(net_h, H)
    w_side = network_constraints(net_w, W)
    left = data.draw(st.sampled_from([c.lhs for c in h_side if c.kind == "≥"] or [H]))
    right = data.draw(st.sampled_from([c.lhs for c in w_side if c.kind == "≥"] or [W]))
    tie = Constraint.equal(left, right, origin="tie")
    valid = ValidSet(h_side + w_side + [tie], ["H", "W"])
    for w in data.draw(st.lists(st.integers(1, 200), min_size=1, max_size=3)):
        expected = [h for h in range(1, 201) if valid.contains(H=h, W=w)]
        brute = [h for h in range(1, 201) if first_failure(net_h, h) is None
                 and first_failure(net_w, w) is None and left(H=h) == right(W=w)]
        assert expected == brute
        assert valid.values("H", range(1, 201), W=w) == expected


def test_statement_interpreter_reads_each_form():
    cases = {"H ≥ 1 except 2": [1, *range(3, 40)], "H ≡ 0 (mod 16)": [16, 32],
             "H ≡ 1 (mod 2), H ≥ 35": [35, 37, 39], "4 ≤ H ≤ 9": [4, 5, 6, 7, 8, 9],
             "H ∈ {3, 7}": [3, 7], "H ≡ 0 (mod 8), 8 ≤ H ≤ 16": [8, 16],
             "H ≥ 37, or H ∈ {2}": [2, 37, 38, 39],
             "H ≡ 1, 3 (mod 4), H ≥ 30 except 33": [31, 35, 37, 39],
             "no valid size: 1 = 2 never holds": []}
    for text, members in cases.items():
        admits = statement_predicate(text)
        assert [n for n in range(1, 40) if admits(n)] == members, text


def test_symbolic_imports_no_heavy_dependency():
    code = ("import sys, archspec.symbolic; "
            "print(sorted(m for m in ('torch', 'networkx', 'sympy') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"
