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
