"""SizeExpr: canonical forms, printing, parsing, substitution, and exactness against
plain integer arithmetic."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archspec.symbolic import SizeExpr, floor_div, sym

H, W = sym("H"), sym("W")


def test_stride_two_chain_collapses_to_one_floor():
    size = H
    for _ in range(5):
        size = (size + 2 - 3) // 2 + 1  # 3x3 conv, stride 2, padding 1
    assert str(size) == "⌊(H - 1)/32⌋ + 1"
    assert size.plain() == "(H - 1)//32 + 1"
    assert size.sympy_text() == "floor((H - 1)/32) + 1"
    assert size == SizeExpr.parse("(H - 1)//32 + 1")


@pytest.mark.parametrize(
    ("built", "text"),
    [
        ((H // 2 + 3) // 4, "(H - 2)//8 + 1"),  # ⌊(⌊x/a⌋ + c)/b⌋ = ⌊(x + a·c)/(ab)⌋
        ((H // 2 + W) // 2, "(H + 2*W)//4"),
        ((-(H // 3) + 5) // 2, "(-H - 1)//6 + 3"),  # -⌊x/3⌋ = ⌊(-x + 2)/3⌋
        ((4 * H + 6) // 8, "(H - 1)//2 + 1"),  # gcd of the numerator and the divisor
        ((2 * H + 6) // 4, "(H - 1)//2 + 2"),
        ((6 * H + W + 5) // 3, "2*H + (W - 1)//3 + 2"),  # multiples of the divisor come out
        (H.ceil_div(32), "(H - 1)//32 + 1"),
        (H % 4, "H - 4*(H//4)"),
        (H // 2 * 2 - H // 2, "H//2"),
        (H + W - H, "W"),
        ((3 * (H // 2) + 1) // 2, "(3*(H//2) - 1)//2 + 1"),  # coefficient 3: no collapse
        (-(H // 2) + 1, "-(H//2) + 1"),
        (H // 1, "H"),
        (SizeExpr.constant(7) // 2, "3"),
        (H - H, "0"),
    ],
)
def test_canonical_forms(built, text):
    assert built.plain() == text
    assert SizeExpr.parse(text) == built


def test_unicode_printing_of_products_and_signs():
    assert str(2 * W - H // 2 - 3) == "2·W - ⌊H/2⌋ - 3"
    assert str(-H) == "-H"
    assert str((2 * H - 1) // 3) == "⌊(2·H - 1)/3⌋"


def test_substitution_gives_ints_or_smaller_expressions():
    size = (H + 2 * W - 1) // 4 + 1
    assert size(H=224, W=224) == (224 + 448 - 1) // 4 + 1
    assert isinstance(size(H=224, W=224), int)
    assert size(W=3).plain() == "(H - 3)//4 + 3"  # ⌊(H + 5)/4⌋ + 1
    assert size.subs({"W": H}).plain() == "(3*H - 1)//4 + 1"
    assert size.symbols == {"H", "W"}
    assert size(W=3).symbols == {"H"}


def test_equality_and_hash_agree_with_ints():
    seven = SizeExpr.constant(7)
    assert seven == 7 and hash(seven) == hash(7) and int(seven) == 7
    assert {H // 2: "half"}[(2 * H) // 4] == "half"
    assert H != W and H // 2 != H // 3


@pytest.mark.parametrize(
    ("action", "error", "fragment"),
    [
        (lambda: H * W, TypeError, "not affine"),
        (lambda: H // 0, ValueError, "positive int"),
        (lambda: H // -2, ValueError, "positive int"),
        (lambda: H * 1.5, TypeError, "int"),
        (lambda: int(H), TypeError, "symbolic"),
        (lambda: bool(H), TypeError, "undecided"),
        (lambda: SizeExpr.parse("H * W"), ValueError, "not affine"),
        (lambda: SizeExpr.parse("H / 2"), ValueError, "unsupported syntax"),
        (lambda: SizeExpr.parse("__import__('os')"), ValueError, "unsupported syntax"),
        (lambda: SizeExpr.parse("H +"), ValueError, "not a size expression"),
        (lambda: H.evaluate({}), KeyError, "H"),
    ],
)
def test_errors_name_the_problem(action, error, fragment):
    with pytest.raises(error, match=fragment):
        action()


# random expressions, checked against integer arithmetic --------------------------------

OPS = ("add", "sub", "mul", "floordiv", "ceil", "mod", "neg")


@st.composite
def programs(draw):
    """A random straight-line program over H and W, as (op, operand) steps."""
    return draw(st.lists(st.tuples(st.sampled_from(OPS), st.integers(-9, 9),
                                   st.sampled_from(("H", "W", "acc", None))),
                         min_size=1, max_size=12))


def run(program, h, w):
    """Apply `program` to SizeExprs (h, w symbols) or ints alike."""
    acc = h
    names = {"H": h, "W": w}
    for op, k, other in program:
        operand = acc if other == "acc" else names.get(other, k)
        if op == "add":
            acc = acc + operand
        elif op == "sub":
            acc = acc - operand
        elif op == "mul":
            acc = acc * k
        elif op == "floordiv":
            acc = acc // (abs(k) + 1)
        elif op == "ceil":
            d = abs(k) + 1
            acc = acc.ceil_div(d) if isinstance(acc, SizeExpr) else -((-acc) // d)
        elif op == "mod":
            acc = acc % (abs(k) + 1)
        else:
            acc = -acc
    return acc


@settings(max_examples=300, deadline=None)
@given(programs(), st.integers(-300, 300), st.integers(-300, 300))
def test_random_expressions_evaluate_exactly(program, h, w):
    expr = run(program, H, W)
    expected = run(program, h, w)
    assert expr.evaluate({"H": h, "W": w}) == expected
    assert expr(H=h, W=w) == expected
    assert expr.subs({"H": h})(W=w) == expected


@settings(max_examples=200, deadline=None)
@given(programs())
def test_plain_text_round_trips_to_the_same_canonical_form(program):
    expr = run(program, H, W)
    assert SizeExpr.parse(expr.plain()) == expr
    assert SizeExpr.parse(expr.plain()).plain() == expr.plain()


@settings(max_examples=200, deadline=None)
@given(programs(), st.integers(-100, 100), st.integers(1, 60))
def test_period_makes_the_expression_affine_per_class(program, shift, h):
    """On n = r + P·u the value is a·u + b: the second difference along u is zero."""
    expr = run(program, H, W)
    period = expr.period("H")
    at = [expr.evaluate({"H": h + period * u, "W": shift}) for u in range(3)]
    assert at[2] - at[1] == at[1] - at[0]


def test_floor_div_of_a_constant_is_the_integer_floor():
    assert floor_div(SizeExpr.constant(-7), 2) == -4


@settings(max_examples=60, deadline=None)
@given(programs(), st.integers(1, 300), st.integers(1, 300))
def test_sympy_text_means_the_same_expression(program, h, w):
    sympy = pytest.importorskip("sympy")
    expr = run(program, H, W)
    names = {n: sympy.Symbol(n, integer=True, positive=True) for n in ("H", "W")}
    parsed = sympy.sympify(expr.sympy_text(), locals=names)
    assert parsed.subs({names["H"]: h, names["W"]: w}) == expr.evaluate({"H": h, "W": w})
