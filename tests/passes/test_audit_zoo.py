"""Every spec in specs/: the audit agrees with the built torch module (params, buffers,
FlopCounterMode MACs), built on the meta device so no weights are allocated."""

from __future__ import annotations

from pathlib import Path

import pytest
from audit_checks import check_spec

pytest.importorskip("torch")
SPECS = sorted((Path(__file__).resolve().parents[2] / "specs").glob("*.arch"))
SLOW = {"resnet1202"}  # 4,000 nodes: seconds of FlopCounterMode dispatch, same blocks as resnet110


@pytest.mark.parametrize("spec", [pytest.param(s, id=s.stem, marks=[pytest.mark.slow] * (
    s.stem in SLOW)) for s in SPECS])
def test_spec_audit_matches_torch(spec):
    report = check_spec(spec)
    assert report.params > 0 and report.macs > 0
