"""Language reach (issue 13, gaps 2 and 3): free parameters and initialisation values, each
checked against a torch module written here (strict load, equal outputs, equal seeded
initial weights)."""

from __future__ import annotations

import importlib.util

import pytest

import archspec
from archspec.errors import SpecError, flatten

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from archspec.backends.torch.export import export_python  # noqa: E402

LAYER_SCALE = """
block scaled(c) {
  y = in -> conv1: conv(c, 3, p=1) -> layer_scale: scale_param([c, 1, 1]) @init("constant", 1e-6)
  out y + in
}

network t {
  input x: [4, 6, 6]
  y = x -> stages: [scaled(4), scaled(4) @frozen]
  out y -> pos: add_param([1, 4, 6, 6]) @init("trunc_normal", std=0.02)
}
"""


class Scaled(nn.Module):
    def __init__(self, c: int):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1)
        self.layer_scale = nn.Parameter(torch.full((c, 1, 1), 1e-6))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layer_scale * self.conv1(x) + x


class ScaledNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stages = nn.Sequential(Scaled(4), Scaled(4))
        self.pos = nn.Parameter(torch.zeros(1, 4, 6, 6))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.stages(x) + self.pos


def test_free_parameters_are_keys_of_their_own() -> None:
    model = archspec.build(LAYER_SCALE, seed=0)
    assert {k: tuple(v.shape) for k, v in model.state_dict().items()} == {
        "pos": (1, 4, 6, 6),
        "stages.0.layer_scale": (4, 1, 1), "stages.0.conv1.weight": (4, 4, 3, 3),
        "stages.0.conv1.bias": (4,),
        "stages.1.layer_scale": (4, 1, 1), "stages.1.conv1.weight": (4, 4, 3, 3),
        "stages.1.conv1.bias": (4,)}
    assert torch.equal(model.stages[0].layer_scale, torch.full((4, 1, 1), 1e-6))
    assert 0.005 < model.pos.std().item() < 0.04 and model.pos.abs().max() <= 2.0
    reference = ScaledNet()
    with torch.no_grad():
        reference.pos.normal_(0, 0.5)
        reference.stages[1].layer_scale.fill_(0.3)
    model.load_state_dict(reference.state_dict(), strict=True)
    x = torch.randn(2, 4, 6, 6)
    torch.testing.assert_close(model(x), reference(x), rtol=0, atol=0)


def test_free_parameters_are_counted_frozen_and_trained() -> None:
    net = archspec.load(LAYER_SCALE)
    audit = net.audit()
    assert audit.inference.params == 2 * (4 * 4 * 9 + 4 + 4) + 144
    assert audit.inference.non_trainable_params == 4 * 4 * 9 + 4 + 4
    model = net.build(seed=0)
    assert not model.stages[1].layer_scale.requires_grad
    assert model.stages[0].layer_scale.requires_grad and model.pos.requires_grad
    model(torch.randn(2, 4, 6, 6)).sum().backward()
    assert model.stages[0].layer_scale.grad.shape == (4, 1, 1)
    assert model.pos.grad.shape == (1, 4, 6, 6)


def _load_class(path, name: str):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


def test_free_parameters_export_to_standalone_python(tmp_path) -> None:
    net = archspec.load(LAYER_SCALE)
    source = export_python(net.ir, tmp_path / "scaled.py", class_name="Scaled")
    assert ("getattr(self.stages, '0').register_parameter('layer_scale', "
            "nn.Parameter(torch.full((4, 1, 1), 1.0)))") in source
    assert "torch.nn.init.constant_(" in source and "val=1e-06)" in source
    exported = _load_class(tmp_path / "scaled.py", "Scaled")()
    model = net.build(seed=1)
    exported.load_state_dict(model.state_dict(), strict=True)
    x = torch.randn(2, 4, 6, 6)
    torch.testing.assert_close(exported(x), model(x), rtol=0, atol=0)
    assert torch.equal(exported.stages[0].layer_scale, torch.full((4, 1, 1), 1e-6))


INITS = """
network t {
  input x: [3, 8, 8]
  y = x -> conv: conv(8, 3, p=1) @init("kaiming_normal", mode="fan_out", nonlinearity="relu") \\
                                 @init("zeros", param="bias")
    -> bn: bn @init("constant", 0.5) @init("ones", param="bias")
    -> relu -> gap -> flatten
    -> hidden: linear(16) @init("xavier_uniform", gain=2.0) \\
               @init("uniform", -0.1, 0.1, param="bias")
    -> gate: linear(16) @init("normal", 0, 0.01) @init("constant", -1, param="bias")
  out y -> fc: linear(5) @init("trunc_normal", std=0.02, a=-0.03, b=0.03) \\
    @init("kaiming_uniform", a=1, param="weight") @init("xavier_normal", param="weight")
}
"""


def _reference_inits(seed: int) -> dict[str, torch.Tensor]:
    """The same layers made in the same order, then torch.nn.init in the order written."""
    torch.manual_seed(seed)
    conv, bn = nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8)
    hidden, gate, fc = nn.Linear(8, 16), nn.Linear(16, 16), nn.Linear(16, 5)
    with torch.no_grad():
        nn.init.kaiming_normal_(conv.weight, mode="fan_out", nonlinearity="relu")
        nn.init.zeros_(conv.bias)
        nn.init.constant_(bn.weight, 0.5)
        nn.init.constant_(bn.bias, 0.5)
        nn.init.ones_(bn.bias)
        nn.init.xavier_uniform_(hidden.weight, gain=2.0)
        nn.init.uniform_(hidden.bias, -0.1, 0.1)
        nn.init.normal_(gate.weight, 0, 0.01)
        nn.init.constant_(gate.bias, -1)
        nn.init.trunc_normal_(fc.weight, std=0.02, a=-0.03, b=0.03)
        nn.init.kaiming_uniform_(fc.weight, a=1)
        nn.init.xavier_normal_(fc.weight)
    layers = {"conv": conv, "bn": bn, "hidden": hidden, "gate": gate, "fc": fc}
    return {f"{k}.{n}": v for k, m in layers.items() for n, v in m.state_dict().items()}


def test_seeded_inits_equal_torch_nn_init_bit_for_bit() -> None:
    first = archspec.build(INITS, seed=3).state_dict()
    second = archspec.build(INITS, seed=3).state_dict()
    expected = _reference_inits(3)
    assert set(first) == set(expected)
    for key, value in expected.items():
        assert torch.equal(first[key], value), key
        assert torch.equal(second[key], value), key
    assert torch.all(first["gate.bias"] == -1) and torch.all(first["bn.bias"] == 1)
    assert torch.all(first["bn.weight"] == 0.5) and torch.all(first["conv.bias"] == 0)
    other = archspec.build(INITS, seed=4).state_dict()
    assert not torch.equal(other["conv.weight"], first["conv.weight"])


def test_init_statistics() -> None:
    spec = """network t {
  input x: [512]
  a = x -> wide: linear(1024) @init("trunc_normal", std=0.02)
  b = x -> conv_like: linear(1024, bias=false) @init("kaiming_normal", mode="fan_out")
  out a + b
}"""
    model = archspec.build(spec, seed=0)
    wide = model.wide.weight
    assert abs(wide.mean().item()) < 1e-3 and abs(wide.std().item() - 0.02) < 1e-3
    assert wide.abs().max().item() <= 2.0
    # kaiming_normal, leaky_relu gain sqrt(2 / (1 + 0.01**2)), fan_out = 1024
    expected = (2 / (1 + 0.01 ** 2)) ** 0.5 / 1024 ** 0.5
    assert abs(model.conv_like.weight.std().item() - expected) / expected < 0.01
    assert torch.count_nonzero(model.wide.bias) == 1024  # default init left alone


def test_exported_python_repeats_the_init_calls(tmp_path) -> None:
    net = archspec.load(INITS)
    source = export_python(net.ir, tmp_path / "inits.py", class_name="Inits")
    assert ("torch.nn.init.kaiming_normal_(self.conv.weight, a=0.0, mode='fan_out', "
            "nonlinearity='relu')") in source
    assert "torch.nn.init.constant_(self.gate.bias, val=-1.0)" in source
    exported = _load_class(tmp_path / "inits.py", "Inits")()
    assert torch.all(exported.gate.bias == -1) and torch.all(exported.bn.weight == 0.5)
    assert torch.all(exported.bn.bias == 1)


def _first_error(text: str) -> SpecError:
    with pytest.raises(SpecError) as e:
        archspec.load(text)
    return flatten(e.value)[0]


def _net(line: str, input_shape: str = "[4, 6, 6]") -> str:
    return f"network t {{\n  input x: {input_shape}\n  out x -> {line}\n}}\n"


@pytest.mark.parametrize("line, kind, message", [
    ('conv(4, 1) @init("kaiming")', "ArgumentError", "unknown init rule 'kaiming'"),
    ('conv(4, 1) @init("constant")', "ArgumentError",
     "@init('constant') is missing required argument 'val'"),
    ('conv(4, 1) @init("zeros", 1)', "ArgumentError",
     "@init('zeros') takes no positional arguments, got 1"),
    ('conv(4, 1) @init("normal", std=0.1, sd=1)', "ArgumentError",
     "@init('normal') has no parameter 'sd'"),
    ('conv(4, 1) @init("kaiming_normal", mode="fan")', "SpecTypeError",
     "@init('kaiming_normal'): mode must be one of 'fan_in', 'fan_out', got 'fan'"),
    ('conv(4, 1) @init()', "ArgumentError", "@init needs a rule name"),
    ('conv(4, 1) @frozen(1)', "ArgumentError", "@frozen takes no arguments"),
    ('conv(4, 1, bias=false) @init("zeros", param="bias")', "SpecTypeError",
     "@init('zeros') cannot apply to conv 'conv': it has no parameter 'bias' (it has weight)"),
    ('bn @init("kaiming_normal")', "SpecTypeError",
     "@init('kaiming_normal') cannot apply to bn 'bn': kaiming_normal needs a tensor of two "
     "dims or more (fan-in and fan-out); 'weight' has shape (4,)"),
    ('conv(4, 1) @init("xavier_normal", param="bias")', "SpecTypeError",
     "@init('xavier_normal') cannot apply to conv 'conv': xavier_normal needs a tensor of two "
     "dims or more (fan-in and fan-out); 'bias' has shape (4,)"),
    ('bn(affine=false) @init("ones")', "SpecTypeError",
     "@init('ones') cannot apply to bn 'bn': it has no parameters"),
    ('scale_param([4, 1, 1]) @init("ones", param="weight")', "SpecTypeError",
     "@init('ones') cannot apply to scale_param 'scale_param': a free parameter is one "
     "tensor: leave out param="),
    ('scale_param([3, 1, 1])', "ShapeError",
     "scale_param: a 3×1×1 parameter does not broadcast onto the 4×6×6 input"),
    ('add_param([2, 4, 6, 6])', "ShapeError",
     "add_param: a 2×4×6×6 parameter has more dims than the 4×6×6 input"),
    ('scale_param([4, 0, 1])', "ArgumentError",
     "scale_param: shape must be a list of positive sizes, got [4, 0, 1]"),
])
def test_bad_inits_and_free_parameters_are_located(line: str, kind: str, message: str) -> None:
    """Each error points at the annotated layer (line 3, column 12)."""
    err = _first_error(_net(line))
    assert (err.span.line, err.span.col, err.kind, err.message) == (3, 12, kind, message)


def test_init_hints_name_the_close_rules_and_the_signature() -> None:
    err = _first_error(_net('conv(4, 1) @init("kaiming")'))
    assert err.hint == "did you mean 'kaiming_normal' or 'kaiming_uniform'?"
    err = _first_error(_net('conv(4, 1) @init("constant")'))
    assert err.hint == '@init("constant", val, param=...)'
    err = _first_error(_net('conv(4, 1) @init("normal", 0, 1, 2)'))
    assert err.message == "@init('normal') takes at most 2 positional arguments, got 3"
    assert err.hint == '@init("normal", mean=0.0, std=1.0, param=...)'


def test_free_parameters_in_a_checkpointed_block_get_the_same_gradients() -> None:
    def grads(annotation: str) -> dict[str, torch.Tensor]:
        text = LAYER_SCALE.replace("[scaled(4), scaled(4) @frozen]", f"[scaled(4){annotation}]")
        model = archspec.build(text, seed=0).train()
        model(torch.ones(2, 4, 6, 6)).square().sum().backward()
        return {k: p.grad for k, p in model.named_parameters()}
    plain, checkpointed = grads(""), grads(" @checkpoint")
    assert list(plain) == ["pos", "stages.0.layer_scale", "stages.0.conv1.weight",
                           "stages.0.conv1.bias"]
    assert all(torch.equal(plain[k], checkpointed[k]) for k in plain)
