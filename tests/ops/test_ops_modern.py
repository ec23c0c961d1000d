"""drop_path and layer_norm2d against torchvision's StochasticDepth and ConvNeXt LayerNorm2d."""

from __future__ import annotations

import pytest

import archspec

torch = pytest.importorskip("torch")
convnext = pytest.importorskip("torchvision.models.convnext")
from torchvision.ops import StochasticDepth  # noqa: E402

SPEC = """network t {
  input x: [8, 6, 6]
  y = x -> ln: layer_norm2d -> drop_path(0.5)
  out y
}"""


def test_layer_norm2d_equals_torchvision() -> None:
    model = archspec.build(SPEC, seed=0).eval()
    reference = convnext.LayerNorm2d(8, eps=1e-6)
    reference.load_state_dict({"weight": torch.randn(8), "bias": torch.randn(8)})
    model.ln.load_state_dict(reference.state_dict(), strict=True)
    x = torch.randn(4, 8, 6, 6)
    torch.testing.assert_close(model(x), reference(x))
    assert archspec.load(SPEC).audit().params == 16


def test_drop_path_drops_whole_samples_like_stochastic_depth() -> None:
    model = archspec.build(SPEC, seed=0).train()
    reference = StochasticDepth(0.5, "row").train()
    x = torch.randn(64, 8, 6, 6)
    torch.manual_seed(1)
    ours = model(x)
    torch.manual_seed(1)
    theirs = reference(model.ln(x))
    torch.testing.assert_close(ours, theirs)
    dropped = (ours.flatten(1) == 0).all(1)
    assert 0 < int(dropped.sum()) < 64
    kept = model.ln(x)[~dropped] * 2
    torch.testing.assert_close(ours[~dropped], kept)
    model.eval()
    torch.testing.assert_close(model(x), model.ln(x))


@pytest.mark.parametrize("text, message", [
    ("x -> drop_path(1.5)", "drop_path: p must be between 0 and 1, got 1.5"),
    ("x -> flatten -> layer_norm2d", "layer_norm2d expects a C×H×W input, got 288"),
])
def test_bad_uses_are_located(text: str, message: str) -> None:
    spec = "network t {\n  input x: [8, 6, 6]\n  out " + text + "\n}"
    with pytest.raises(archspec.SpecError) as e:
        archspec.load(spec)
    assert e.value.message == message and e.value.span.line == 3
