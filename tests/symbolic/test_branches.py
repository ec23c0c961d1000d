"""Spec code that reads and compares symbolic sizes (docs/symbolic.md, "Spec code that reads
sizes"): followed into sizes, decided from the constraints, or split into cases; never
guessed. Every answer is checked against concrete loads."""

from __future__ import annotations

from pathlib import Path

import pytest

import archspec
from archspec.cli import main
from archspec.errors import SpecError
from archspec.symbolic.dims import evaluate_shape

ROOT = Path(__file__).resolve().parents[2]

BRANCH = """network br {
  input x: [3, H, W]
  y = x -> conv(8, 3, s=2, p=1)
  z = if y.h > 7 { y -> conv(8, 5) } else { y -> conv(8, 1) }
  out z -> relu
}
"""


def concrete(spec: str, h: int, w: int):
    try:
        return archspec.load(spec, input_shape=(3, h, w))
    except SpecError:
        return None


def assert_agrees_with_concrete(net, spec: str, pairs) -> None:
    for h, w in pairs:
        real = concrete(spec, h, w)
        assert net.is_valid(H=h, W=w) == (real is not None), (h, w)
        if real is None:
            continue
        shapes = net.shapes_at(H=h, W=w)
        for (name, port), shape in shapes.shapes.items():
            got = evaluate_shape(shape, {"H": h, "W": w})
            assert got == tuple(real.ir.nodes[name]["data"].port_shape(port)), (h, w, name)


SQUARES_AND_PAIRS = [(s, s) for s in range(1, 41)] + [(9, 40), (40, 9), (15, 4), (14, 30)]


def test_an_undecided_branch_splits_into_cases() -> None:
    net = archspec.load(BRANCH)
    assert [c.describe_conditions() for c in net.cases] == [
        "⌊(H - 1)/2⌋ + 1 ≥ 8", "⌊(H - 1)/2⌋ + 1 ≤ 7"]
    assert [c.shapes.valid.describe() for c in net.cases] == [
        "H ≥ 15; W ≥ 9", "1 ≤ H ≤ 14; W ≥ 1"]
    assert [str(d) for d in net.cases[1].shapes.outputs["out"]] == [
        "8", "⌊(H - 1)/2⌋ + 1", "⌊(W - 1)/2⌋ + 1"]
    assert net.valid_sizes("H", range(1, 20), W=9) == list(range(1, 20))
    assert net.valid_sizes("H", range(1, 20), W=3) == list(range(1, 15))
    assert_agrees_with_concrete(net, BRANCH, SQUARES_AND_PAIRS)


def test_check_prints_one_line_per_case(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "br.arch"
    path.write_text(BRANCH)
    assert main(["check", str(path), "-q"]) == 0
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == f"  cases (spec code compares sizes at {path}:4:10):"
    assert out[2] == ("    where ⌊(H - 1)/2⌋ + 1 ≥ 8: out [8, ⌊(H - 1)/2⌋ - 3, ⌊(W - 1)/2⌋ - 3]; "
                      "valid sizes: H ≥ 15; W ≥ 9")
    assert out[3] == ("    where ⌊(H - 1)/2⌋ + 1 ≤ 7: out [8, ⌊(H - 1)/2⌋ + 1, ⌊(W - 1)/2⌋ + 1]; "
                      "valid sizes: 1 ≤ H ≤ 14; W ≥ 1")
    assert len(out) == 4


def test_a_branch_the_bounds_decide_does_not_split() -> None:
    spec = BRANCH.replace("[3, H, W]", "[3, H, W] where H >= 32")
    net = archspec.load(spec)
    assert net.cases == []
    assert net.describe_valid() == (
        "H ≥ 32; W ≥ 9; spec code compares sizes at <string>:4:10: ⌊(H - 1)/2⌋ + 1 ≥ 8 at "
        "every size in question (decided, no cases)")
    assert_agrees_with_concrete(net, spec, [(s, s) for s in range(28, 40)] + [(40, 8)])


def test_a_branch_decided_the_other_way_uses_its_case() -> None:
    spec = BRANCH.replace("[3, H, W]", "[3, H, W] where H <= 10")
    net = archspec.load(spec)
    assert net.cases == [] and net.shapes.reference == {"H": 10, "W": 10}  # the greatest
    assert net.describe_valid().startswith("1 ≤ H ≤ 10; W ≥ 1; spec code compares sizes at ")
    assert_agrees_with_concrete(net, spec, [(s, s) for s in range(1, 14)])


def test_a_case_where_nothing_elaborates_is_reported_and_loaded_concretely() -> None:
    spec = """network n {
  input x: [3, H, W]
  y = x -> conv(8, 3) -> relu
  assert y.h >= 4, "too small"
  out y
}
"""
    net = archspec.load(spec)
    assert [c.describe_conditions() for c in net.cases] == ["H - 2 ≥ 4", "H - 2 ≤ 3"]
    assert net.cases[1].shapes is None
    assert net.cases[1].tried == [{"H": n, "W": n} for n in (1, 2, 4, 5)]
    assert net.cases[1].failure.startswith("no size elaborates at the sizes tried (1: conv ")
    assert "4: too small; 5: too small)" in net.cases[1].failure
    assert [s for s in range(1, 12) if net.is_valid(H=s, W=s)] == list(range(6, 12))
    assert_agrees_with_concrete(net, spec, [(s, s) for s in range(1, 12)] + [(6, 3), (3, 6)])


def test_equal_sizes_tested_in_spec_code() -> None:
    spec = """network sq {
  input x: [3, H, W]
  y = x -> conv(4, 3, p=1)
  out if y.h == y.w { y -> conv(4, 3, s=2) } else { y }
}
"""
    net = archspec.load(spec)
    assert [c.describe_conditions() for c in net.cases] == [
        "H = W", "(H ≥ W + 1) or (W - 1 ≥ H)"]
    assert_agrees_with_concrete(net, spec, [(1, 1), (2, 2), (3, 3), (9, 9), (3, 5), (5, 3),
                                            (2, 1), (1, 2), (40, 41)])


def test_a_size_used_as_a_channel_count_keeps_the_caveat() -> None:
    spec = """network n {
  input x: [3, H, W]
  y = x -> conv(8, 3) -> relu
  out y -> conv(y.h, 1)
}
"""
    net = archspec.load(spec)
    assert net.caveats() == [
        "the spec reads sizes that depend on H, W (h at <string>:4:17): this answer holds "
        "only at sizes where it takes the same branches and values as at H = 224, W = 224"]


def test_arithmetic_on_read_sizes_is_followed() -> None:
    spec = """network n {
  input x: [3, H, W]
  y = x -> conv(8, 3, s=2, p=1)
  out y -> upsample(size=[2 * y.h - 1, y.w + 3])
}
"""
    net = archspec.load(spec)
    assert net.caveats() == []
    assert [str(d) for d in net.symbolic_outputs["out"]] == [
        "8", "2·⌊(H - 1)/2⌋ + 1", "⌊(W - 1)/2⌋ + 4"]
    assert_agrees_with_concrete(net, spec, [(s, s) for s in range(1, 20)] + [(5, 30)])


def test_a_read_output_padding_is_the_extra_itself() -> None:
    # output_padding = 1 - H % 2 makes the transposed conv give back H: the read value is
    # the padding itself, not an output size relative to the reference (max_unpool's)
    spec = """network n {
  input x: [3, H, W]
  y = x -> conv(4, 3, s=2, p=1)
  out y -> conv_transpose(3, 3, s=2, p=1, output_padding=[1 - x.h % 2, x.w % 3])
}
"""
    net = archspec.load(spec)
    assert net.caveats() == []
    assert net.describe_valid() == "H ≥ 1; W ≡ 0, 1 (mod 3)"  # output_padding < stride 2
    assert_agrees_with_concrete(net, spec, SQUARES_AND_PAIRS + [(225, 225), (7, 301)])


@pytest.mark.parametrize("spec,channels,statement", [
    ("deeplab_aspp", 3, "H, W ≥ 1"),
    ("drn_c_26", 3, "H, W ≥ 217"),
    ("swwae", 1, "H, W ≥ 8")])
def test_fully_convolutional_zoo_specs_print_their_valid_set(
        spec: str, channels: int, statement: str, capsys: pytest.CaptureFixture) -> None:
    path = str(ROOT / "specs" / f"{spec}.arch")
    assert main(["check", path, "--input", f"{channels}xHxW", "-q"]) == 0
    assert main(["check", path, "--input", f"{channels}xHxW"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == [f"  valid sizes: {statement}"]


def test_audit_table_answers_in_each_case(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "br.arch"
    path.write_text(BRANCH)
    assert main(["audit", str(path), "--sizes", "8,16", "--json"]) == 0
    import json
    rows = json.loads(capsys.readouterr().out)["sizes"]
    assert [(r["size"], r["valid"]) for r in rows] == [(8, True), (16, True)]
    small = archspec.load(BRANCH, input_shape=(3, 8, 8)).audit().inference
    assert rows[0]["macs"] == small.macs
