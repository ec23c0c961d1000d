"""The audit is linear: a 10k-layer graph audits in well under a second of CPU time."""

from __future__ import annotations

import time

from audit_nets import plain_chain

from archspec.passes import audit


def test_ten_thousand_layers():
    g = plain_chain(10_000)
    start = time.process_time()
    r = audit(g)
    cpu = time.process_time() - start
    assert r.params == 3334 * 8 * 8 * 9 + 3333 * 16
    assert r.receptive_field.size == (1 + 2 * 3334, 1 + 2 * 3334)
    assert [run.label for run in r.runs] == ["stage.0–332 unit ×333"]  # the last is shorter
    assert cpu < 3.0, f"audit of 10k layers took {cpu:.2f} s of CPU"
