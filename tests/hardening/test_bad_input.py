"""Every bad input of tests/hardening/cases.py gives its SpecError (kind, message, location,
hint), in a bounded child process: under 2 s of CPU, under 500 MiB peak RSS, never a
traceback. Build cases import torch first and are bounded on what the build itself adds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.hardening.cases import CASES, PWNED
from tests.hardening.conftest import CPU_LIMIT_S, MEMORY_LIMIT_MIB, ForkServer, wall_limit_s

BUILD_EXTRA_MIB = 50.0   # a refused build may not allocate: RSS above the torch import


def costs(r: dict[str, Any]) -> str:
    return (f"wall {r.get('wall_s', 0):.2f} s, cpu {r.get('cpu_s', 0):.2f} s, "
            f"peak {r.get('maxrss_mib', 0):.0f} MiB")


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input(name: str, fork_server: ForkServer) -> None:
    case = CASES[name]
    r = fork_server.run(name)
    assert r["status"] == 0, f"the child died ({r})"
    assert r["outcome"] != "exception", r.get("traceback")
    if case.expect is None:
        assert r["outcome"] == "ok" and r["value"] == case.value, r
    else:
        assert r["outcome"] == "spec_error", r
        first = r["errors"][0]
        want = case.expect
        got = (first["kind"], first["message"])
        assert got == (want.kind, want.message), r["format"]
        if want.line is not None:
            assert (first["line"], first["col"]) == (want.line, want.col), r["format"]
        if want.hint is not None:
            assert want.hint in (first["hint"] or ""), r["format"]
        assert first["file"] != "<unknown>" and first["line"] >= 1, r["format"]
        assert "Traceback" not in r["format"]
    assert "Traceback" not in r["stderr"]
    assert r["cpu_s"] < CPU_LIMIT_S, costs(r)
    assert r["wall_s"] < wall_limit_s(), costs(r)
    if case.torch:
        assert r["peak_after_torch_mib"] < BUILD_EXTRA_MIB, r
    else:
        assert r["maxrss_mib"] < MEMORY_LIMIT_MIB, costs(r)


def test_python_object_tag_ran_nothing(fork_server: ForkServer) -> None:
    fork_server.run("yaml_python_object")
    assert not Path(PWNED).exists()


def test_every_issue_item_has_a_case() -> None:
    """The list in issue 7, item by item."""
    items = ["empty_file", "binary_garbage", "invalid_utf8", "file_10mb", "groups_10000_deep",
             "parens_10000_deep", "repeat_1e9", "self_recursion", "mutual_recursion",
             "import_cycle", "import_missing", "yaml_billion_laughs", "yaml_python_object",
             "conv_1e12_check", "conv_1e12_audit", "conv_1e12_build", "int_overflow_pow",
             "division_by_zero", "nan_literal", "inf_literal", "shadow_let",
             "confusable_cyrillic", "mixed_script_name"]
    assert set(items) <= set(CASES)
