"""Language reach (issue 13): optional items, `none`, and the hints for Python spellings, each
checked against a torch module written here (strict load, equal outputs)."""

from __future__ import annotations

import pytest

import archspec
from archspec.errors import SpecError, flatten

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

OPTIONAL = """
block unit(c, use_bn=false) {
  out in -> [conv(c, 3, p=1, bias=not use_bn), if use_bn { bn }, relu]
}

network t(use_bn=false, extra=none) {
  input x: [3, 8, 8]
  y = x -> features: [unit(8, use_bn), unit(16, use_bn), if extra != none { conv(extra, 1) }]
  out y -> gap -> flatten -> fc: linear(10)
}
"""


class Unit(nn.Module):
    def __init__(self, cin: int, c: int, use_bn: bool):
        super().__init__()
        self.conv = nn.Conv2d(cin, c, 3, padding=1, bias=not use_bn)
        self.bn = nn.BatchNorm2d(c) if use_bn else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv(x)
        return torch.relu(self.bn(x) if self.bn is not None else x)


class Reference(nn.Module):
    def __init__(self, use_bn: bool, extra: int | None):
        super().__init__()
        layers = [Unit(3, 8, use_bn), Unit(8, 16, use_bn)]
        layers += [nn.Conv2d(16, extra, 1)] if extra else []
        self.features = nn.Sequential(*layers)
        self.fc = nn.Linear(extra or 16, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.features(x).mean((2, 3)))


@pytest.mark.parametrize("use_bn, extra", [(False, None), (True, 4), (False, 6)])
def test_optional_items_take_no_index(use_bn: bool, extra: int | None) -> None:
    model = archspec.build(OPTIONAL, seed=0, use_bn=use_bn, extra=extra).eval()
    reference = Reference(use_bn, extra).eval()
    model.load_state_dict(reference.state_dict(), strict=True)
    x = torch.randn(2, 3, 8, 8)
    torch.testing.assert_close(model(x), reference(x))


def test_none_is_the_empty_layer_and_an_absent_argument() -> None:
    spec = """network t {
  input x: [3, 8, 8]
  let c = make_divisible(30, 8, min_value=none)
  out x -> seq: [conv(c, 3), none, relu, if false { bn }, conv(4, 1)] -> none
}"""
    net = archspec.load(spec)
    assert [n for n in net.ir.nodes][1:] == ["seq.0", "seq.1", "seq.2"]
    assert net.outputs == {"out": (4, 6, 6)}


@pytest.mark.parametrize("text, line, col, message, hint", [
    ("out x -> conv(4, 3, bias=False)", 3, 28, "unknown name 'False'",
     "the spec language writes False as 'false'"),
    ("out x -> if True { relu }", 3, 15, "unknown name 'True'",
     "the spec language writes True as 'true'"),
    ("out x -> conv(None, 3)", 3, 17, "unknown name 'None'",
     "the spec language writes None as 'none'"),
    ("out x -> conv(none, 3)", 3, 12, "conv: out expects an integer, got none", None),
    ("let a = none + 1\n  out x", 3, 11, "cannot apply '+' to none and the number 1", None),
])
def test_python_spellings_and_misused_none(text: str, line: int, col: int, message: str,
                                           hint: str | None) -> None:
    with pytest.raises(SpecError) as e:
        archspec.load("network t {\n  input x: [3, 8, 8]\n  " + text + "\n}")
    first = flatten(e.value)[0]
    assert (first.span.line, first.span.col) == (line, col)
    assert first.message == message and first.hint == hint


def test_quoted_labels_name_any_torch_module() -> None:
    spec = """network t {
  input x: [3, 8, 8]
  out x -> trunk: ["block1-0": conv(4, 3), "block1_0": conv(4, 1), "a b": bn]
}"""
    model = archspec.build(spec, seed=0)
    assert list(model.state_dict())[:4] == ["trunk.block1-0.weight", "trunk.block1-0.bias",
                                            "trunk.block1_0.weight", "trunk.block1_0.bias"]
    reference = nn.Module()
    reference.trunk = nn.Module()
    reference.trunk.add_module("block1-0", nn.Conv2d(3, 4, 3))
    reference.trunk.add_module("block1_0", nn.Conv2d(4, 4, 1))
    reference.trunk.add_module("a b", nn.BatchNorm2d(4))
    model.load_state_dict(reference.state_dict(), strict=True)
    x = torch.randn(2, 3, 8, 8)
    trunk = reference.eval().trunk
    expected = getattr(trunk, "a b")(trunk.block1_0(getattr(trunk, "block1-0")(x)))
    torch.testing.assert_close(model.eval()(x), expected)


@pytest.mark.parametrize("label, message, hint", [
    ("a.b", "label 'a.b' contains '.'", "rename it, e.g. 'a_b' (if that name is free) or 'a_b_'"),
    ("training", "label 'training' is an attribute of torch.nn.Module",
     "rename it, e.g. 'training_'"),
    ("", "label '' is empty", "rename it, e.g. 'x' (if that name is free) or 'x_'"),
])
def test_labels_torch_cannot_take_are_located(label: str, message: str, hint: str) -> None:
    spec = f'network t {{\n  input x: [3, 8, 8]\n  out x -> f: ["{label}": conv(8, 3)]\n}}'
    with pytest.raises(SpecError) as e:
        archspec.load(spec)
    first = flatten(e.value)[0]
    assert (first.span.line, first.span.col, first.message, first.hint) == (3, 16, message, hint)


def test_a_numbered_position_taken_by_an_unlabelled_item_is_explained() -> None:
    spec = 'network t {\n  input x: [3, 8, 8]\n  out x -> f: [conv(8, 3), relu, "1": conv(8, 1)]\n}'
    with pytest.raises(SpecError) as e:
        archspec.load(spec)
    first = flatten(e.value)[0]
    assert (first.span.line, first.span.col) == (3, 39)
    assert first.message == "duplicate module name 'f.1'"
    assert [(n.message, n.span.col) for n in first.notes] == [
        ("the relu here took position 1 of group 'f'", 28)]
    assert first.hint.startswith("a labelled group numbers its items 0, 1, 2, ...")


def test_empty_groups_are_empty_layers() -> None:
    spec = """network t {
  input x: [3, 8, 8]
  out x -> f: [conv(8, 3), [], if false { relu } else { [] }, bn]
}"""
    assert list(archspec.load(spec).ir.nodes) == ["x", "f.0", "f.1"]
