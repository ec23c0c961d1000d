"""A 10k-layer graph audits with exact totals, field and runs (its speed is measured in
bench/cost.py and bench/scaling.py, not here: tests never assert times)."""

from __future__ import annotations

from audit_nets import plain_chain

from archspec.passes import audit


def test_ten_thousand_layers():
    r = audit(plain_chain(10_000))
    assert r.params == 3334 * 8 * 8 * 9 + 3333 * 16
    assert r.receptive_field.size == (1 + 2 * 3334, 1 + 2 * 3334)
    assert [run.label for run in r.runs] == ["stage.0–332 unit ×333"]  # the last is shorter
