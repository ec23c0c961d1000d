"""Cost formulas on random specs (the differential generator of tests/hardening): evaluated
at valid sizes around and above the declared one, every total and the peak equal the
concrete audit there."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import archspec
from archspec.errors import SpecError
from tests.hardening.strategies import Spec, examples, valid_spec
from tests.symbolic.test_costs import assert_formulas_equal_audit

pytestmark = pytest.mark.usefixtures("no_ast_cache")


@examples(ci=25)
@given(valid_spec(), st.integers(0, 40), st.integers(0, 40))
def test_formulas_of_random_specs_equal_concrete_audits(spec: Spec, dh: int, dw: int):
    channels = archspec.load(spec.text, **spec.params).inputs["x"][0]
    try:
        net = archspec.load(spec.text, input_shape=(channels, "H", "W"), **spec.params)
    except SpecError:  # a map mixed at a symbolic size: no formulas to check
        return
    if net.shapes.size_reads:
        return
    formulas = net.cost_formulas()
    ref = net.shapes.reference
    for h, w in [(ref["H"], ref["W"]), (ref["H"] + dh, ref["W"] + dw)]:
        if net.is_valid(H=h, W=w):
            assert_formulas_equal_audit(formulas, net, h, w)
