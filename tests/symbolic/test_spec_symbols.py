"""Size symbols written in a spec: ``input x: [3, H, W] where H >= 32`` (docs/symbolic.md,
"Sizes in the spec")."""

from __future__ import annotations

from pathlib import Path

import pytest

import archspec
from archspec.api import SymbolicNetwork
from archspec.cli import main
from archspec.errors import SpecError, flatten
from archspec.frontend.formatting import format_source
from archspec.source import SourceFile

FCN = """\
# a small fully convolutional net
network fcn(width = 8) {
  # sizes are symbols
  input x: [3, H, W] where H >= 32, W % 4 == 0  # bounds
  out x -> conv(width, 3, stride=2, padding=1) -> relu
}
"""

FCN_YAML = """\
networks:
  fcn:
    params:
    - width: 8
    body:
    - input x where H >= 32, W % 4 == 0: '[3, H, W]'
    - out: x -> conv(width, 3, stride=2, padding=1) -> relu
"""


def only_error(caught: pytest.ExceptionInfo) -> SpecError:
    errors = flatten(caught.value)
    assert len(errors) == 1
    return errors[0]


def write(tmp_path: Path, text: str, name: str = "fcn.arch") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize("text,name", [(FCN, "fcn.arch"), (FCN_YAML, "fcn.yaml")])
def test_load_returns_a_symbolic_network(tmp_path: Path, text: str, name: str) -> None:
    net = archspec.load(write(tmp_path, text, name))
    assert isinstance(net, SymbolicNetwork)
    assert net.input_dims == (3, "H", "W")
    assert [str(d) for d in net.symbolic_outputs["out"]] == [
        "8", "⌊(H - 1)/2⌋ + 1", "⌊(W - 1)/2⌋ + 1"]
    assert net.shapes.reference == {"H": 224, "W": 224}
    assert net.describe_valid() == "H ≥ 32; W ≡ 0 (mod 4)"
    assert (net.is_valid(H=32, W=4), net.is_valid(H=31, W=4), net.is_valid(H=32, W=6)) == (
        True, False, False)
    assert net.valid_sizes("W", range(1, 20)) == [4, 8, 12, 16]
    assert net.at(H=40, W=8).outputs["out"] == (8, 20, 4)


def test_at_an_invalid_size_is_the_located_bound_error(tmp_path: Path) -> None:
    net = archspec.load(write(tmp_path, FCN))
    with pytest.raises(SpecError) as caught:
        net.at(H=16, W=8)
    assert only_error(caught).message == "the input size H = 16 is outside the bound H >= 32"
    assert (only_error(caught).span.line, only_error(caught).span.col) == (4, 28)
    assert only_error(caught).hint == "input 'x' takes sizes where H >= 32, W % 4 == 0 hold"


def test_a_concrete_size_is_checked_against_the_bounds(tmp_path: Path) -> None:
    path = write(tmp_path, FCN)
    assert archspec.load(path, input_shape=(3, 64, 12)).outputs["out"] == (8, 32, 6)
    with pytest.raises(SpecError) as caught:
        archspec.load(path, input_shape=(3, 64, 10))
    assert only_error(caught).message == "the input size W = 10 is outside the bound W % 4 == 0"
    assert (only_error(caught).span.line, only_error(caught).span.col) == (4, 37)


def test_other_symbol_names_take_the_bounds_by_position(tmp_path: Path) -> None:
    net = archspec.load(write(tmp_path, FCN), input_shape=(3, "S", "S"))
    assert net.describe_valid() == "S ≡ 0 (mod 4), S ≥ 32"


def test_repeated_symbol_needs_equal_sizes(tmp_path: Path) -> None:
    path = write(tmp_path, "network sq {\n  input x: [3, S, S]\n  out x -> relu\n}\n")
    assert archspec.load(path).describe_valid() == "S ≥ 1"
    with pytest.raises(SpecError) as caught:
        archspec.load(path, input_shape=(3, 8, 9))
    assert only_error(caught).message == "the input shape 3x8x9 gives S two sizes (8 and 9)"
    assert (only_error(caught).span.line, only_error(caught).span.col) == (2, 12)


@pytest.mark.parametrize("symbol,param,suggested", [
    ("sise", "size", "size"), ("szie", "size", "size"), ("widht", "width", "width"),
    ("Width", "width", "width"), ("h", "H", "H")])
def test_a_typo_of_a_parameter_is_not_a_symbol(tmp_path: Path, symbol: str, param: str,
                                               suggested: str) -> None:
    text = f"network n({param} = 8) {{\n  input x: [3, {symbol}, W]\n  out x -> relu\n}}\n"
    with pytest.raises(SpecError) as caught:
        archspec.load(write(tmp_path, text))
    assert only_error(caught).message == f"unknown name '{symbol}'"
    assert (only_error(caught).span.line, only_error(caught).span.col) == (2, 16)
    assert only_error(caught).hint.startswith(f"did you mean '{suggested}'? (an unbound name")


def test_names_in_scope_are_values_not_symbols(tmp_path: Path) -> None:
    text = "let side = 40\nnetwork n(c = 3) {\n  input x: [c, side, W]\n  out x -> relu\n}\n"
    net = archspec.load(write(tmp_path, text))
    assert net.input_dims == (3, 40, "W")
    assert net.shapes.symbols == ("W",)


@pytest.mark.parametrize("bound,message,col", [
    ("H", "a size bound is a comparison", 28),
    ("3 > 2", "this bound mentions no size symbol of the input", 28),
    ("H * W >= 9", "a size bound is affine: sizes times integers, not sizes times sizes", 28),
    ("H // 0 == 1", "'//' in a size bound takes a positive integer divisor", 28),
    ("H >= 2.5", "a size bound is made of size symbols and integers", 33)])
def test_bad_bounds_are_located(tmp_path: Path, bound: str, message: str, col: int) -> None:
    text = f"network n {{\n  input x: [3, H, W] where {bound}\n  out x -> relu\n}}\n"
    with pytest.raises(SpecError) as caught:
        archspec.load(write(tmp_path, text))
    error = only_error(caught)
    assert (error.message, error.span.line, error.span.col) == (message, 2, col)


def test_bounds_without_symbols_are_an_error(tmp_path: Path) -> None:
    text = "network n {\n  input x: [3, 8, 8] where 8 > 2\n  out x -> relu\n}\n"
    with pytest.raises(SpecError, match="size bounds need size symbols"):
        archspec.load(write(tmp_path, text))


def test_a_second_input_may_not_have_symbols(tmp_path: Path) -> None:
    text = "network n {\n  input x: [3, 8, 8]\n  input y: [3, H, W]\n  out x + y\n}\n"
    with pytest.raises(SpecError) as caught:
        archspec.load(write(tmp_path, text))
    assert only_error(caught).message == "only a network's first input may have size symbols"
    assert only_error(caught).span.line == 3


def test_the_reference_is_the_first_size_that_elaborates(tmp_path: Path) -> None:
    text = ("network n {\n  input x: [3, H, W]\n  out x -> conv(4, 300) -> relu\n}\n")
    net = archspec.load(write(tmp_path, text))
    assert net.shapes.reference == {"H": 320, "W": 320}
    assert net.describe_valid() == "H, W ≥ 300"


def test_no_reference_size_reports_the_first_error_with_a_note(tmp_path: Path) -> None:
    text = "network n {\n  input x: [3, H, W]\n  out x -> conv(4, 5000) -> relu\n}\n"
    with pytest.raises(SpecError) as caught:
        archspec.load(write(tmp_path, text))
    assert only_error(caught).span.line == 3
    assert only_error(caught).notes[-1].message.startswith(
        "input 'x' has size symbols: it was checked at the reference size H = 224, W = 224")


def test_where_is_still_a_name(tmp_path: Path) -> None:
    text = "network n(where = 2) {\n  input x: [3, 8, 8]\n  out x -> maxpool(where)\n}\n"
    assert archspec.load(write(tmp_path, text)).outputs["out"] == (3, 4, 4)


def test_fmt_round_trips_bounds_and_comments() -> None:
    assert format_source(SourceFile("fcn.arch", FCN)) == FCN.replace("width = 8", "width=8")


def test_fmt_to_yaml_and_back(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["fmt", write(tmp_path, FCN), "--to", "yaml"]) == 0
    yaml_text = capsys.readouterr().out
    assert "- input x where H >= 32, W % 4 == 0: '[3, H, W]'  # bounds" in yaml_text
    assert main(["fmt", write(tmp_path, yaml_text, "back.yaml"), "--to", "arch"]) == 0
    assert capsys.readouterr().out == FCN.replace("width = 8", "width=8")


def test_check_prints_formulas_and_valid_set(tmp_path: Path,
                                             capsys: pytest.CaptureFixture) -> None:
    path = write(tmp_path, FCN)
    assert main(["check", path]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [f"ok {path}: fcn -> out [8, ⌊(H - 1)/2⌋ + 1, ⌊(W - 1)/2⌋ + 1] (3 nodes)",
                   "  valid sizes: H ≥ 32; W ≡ 0 (mod 4)"]
    assert main(["check", path, "--input", "3x64x64"]) == 0
    assert capsys.readouterr().out.splitlines() == [f"ok {path}: fcn -> out 8×32×32 (3 nodes)"]


def test_build_needs_a_size(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = write(tmp_path, FCN)
    assert main(["build", path]) == 2
    err = capsys.readouterr().err
    assert "fcn.arch:4:3: error: input 'x' has size symbols [3, 'H', 'W']: build " \
           "needs sizes" in err
    assert "hint: give a size, e.g. --input 3x224x224 (valid sizes: H ≥ 32; W ≡ 0 (mod 4)), " \
           "or export with --dynamic" in err


def test_audit_of_a_symbolic_spec_prints_the_cost_formulas(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture) -> None:
    path = write(tmp_path, FCN)
    assert main(["audit", path]) == 0
    out = capsys.readouterr().out
    assert "valid sizes: H ≥ 32; W ≡ 0 (mod 4)" in out
    assert "costs for every valid H, W" in out
    assert main(["audit", path, "--input", "3xHxW"]) == 0
    assert capsys.readouterr().out == out


def test_audit_table_of_a_symbolic_spec(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["audit", write(tmp_path, FCN), "--sizes", "16,64"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[2].startswith("    16  invalid: H >= 32 (H >= 32 (")
    assert out[3].split()[:2] == ["64", "224"]


def test_lsp_hover_shows_the_formula(tmp_path: Path) -> None:
    from lsprotocol import types as T

    from archspec.lsp.analysis import analyse
    from archspec.lsp.hover import hover
    path = Path(write(tmp_path, FCN))
    analysis = analyse(path, FCN)
    assert analysis.errors == []
    found = hover(analysis, T.Position(4, 6))
    assert found.contents.value == "`x`: [3, H, W]\n\nvalid sizes: H ≥ 32; W ≡ 0 (mod 4)"


def test_an_error_that_does_not_depend_on_the_size_is_not_retried(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import archspec.api as api
    calls = []
    real = api._load
    monkeypatch.setattr(api, "_load", lambda *a: calls.append(a) or real(*a))
    text = "network n {\n  input x: [3, H, W]\n  out x -> cnov(4, 3)\n}\n"
    with pytest.raises(SpecError) as caught:
        archspec.load(write(tmp_path, text))
    assert only_error(caught).message == "unknown name 'cnov'"
    assert len(calls) == 3  # finds the symbols, then 224 and 256 fail alike


@pytest.mark.parametrize("bounds,reference,valid", [
    ("H <= 64, W >= 256", {"H": 64, "W": 256}, "3 ≤ H ≤ 64; W ≥ 256"),
    ("H >= 5000", {"H": 5000, "W": 224}, "H ≥ 5000; W ≥ 3"),
    ("H == 2 * W", {"H": 224, "W": 112}, "H, W ≥ 3, and jointly H = 2·W"),
])
def test_bounds_no_common_reference_size_fits_still_load(tmp_path: Path, bounds: str,
                                                         reference: dict, valid: str) -> None:
    """Bounds that no size shared by every symbol (224, 256, ...) satisfies are not empty:
    the reference is chosen symbol by symbol (these said 'leave no size', or crashed)."""
    text = f"network n {{\n  input x: [3, H, W] where {bounds}\n  out x -> conv(4, 3)\n}}\n"
    net = archspec.load(write(tmp_path, text))
    assert net.shapes.reference == reference
    assert net.describe_valid() == valid


@pytest.mark.parametrize("bounds,valid,inside,outside", [
    ("32 <= H", "H ≥ 32; W ≥ 3", (32, 3), (31, 3)),
    ("H > W", "H, W ≥ 3, and jointly H ≥ W + 1", (5, 4), (4, 4)),
    ("W < H", "H, W ≥ 3, and jointly H - 1 ≥ W", (5, 4), (4, 4)),
    ("H >= W", "H, W ≥ 3, and jointly H ≥ W", (4, 4), (3, 4)),
])
def test_a_symbol_or_a_number_on_either_side_of_a_bound(
        tmp_path: Path, bounds: str, valid: str, inside: tuple, outside: tuple) -> None:
    """A strict comparison or a symbol on the right was an internal error (bool + size)."""
    text = f"network n {{\n  input x: [3, H, W] where {bounds}\n  out x -> conv(4, 3)\n}}\n"
    net = archspec.load(write(tmp_path, text))
    assert net.describe_valid() == valid
    assert (net.is_valid(H=inside[0], W=inside[1]), net.is_valid(H=outside[0], W=outside[1])
            ) == (True, False)


def test_a_concrete_axis_beside_a_symbolic_one_goes_through_the_geometry(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """``--input 3xHx32``: the concrete W kept its input size through every layer (an
    internal error, exit 1, on any network with a stride)."""
    text = "network n {\n  input x: [3, 32, 32]\n  out x -> conv(8, 3, s=2, p=1) -> " \
           "conv(8, 3, s=2, p=1)\n}\n"
    net = archspec.load(write(tmp_path, text), input_shape=(3, "H", 32))
    assert [str(d) for d in net.symbolic_outputs["out"]] == ["8", "⌊(H - 1)/4⌋ + 1", "8"]
    assert tuple(net.at(H=64).outputs["out"]) == (8, 16, 8)
    resnet18 = str(Path(__file__).resolve().parents[2] / "specs" / "resnet18.arch")
    assert main(["check", resnet18, "--input", "3xHx32"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == ["  valid sizes: H ≥ 1"]
