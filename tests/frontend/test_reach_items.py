"""Language reach (issue 13, gap 4): `@item` makes a parenthesised chain one layer at its
group position (or label), checked against torch modules written here (strict load, equal
outputs)."""

from __future__ import annotations

import pytest

import archspec
from archspec.errors import SpecError, flatten

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402
from torchvision.models.convnext import CNBlock  # noqa: E402


class LayerNorm2d(nn.LayerNorm):
    """torchvision's ConvNeXt LayerNorm2d."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.layer_norm(x.permute(0, 2, 3, 1), self.normalized_shape, self.weight, self.bias,
                         self.eps)
        return x.permute(0, 3, 1, 2)


ITEMS = """
network t {
  input x: [4, 6, 6]
  y = x -> features: [
      [conv(8, 3, p=1),
       (permute([1, 2, 0]) -> layer_norm(dims=-1, eps=1e-6) -> permute([2, 0, 1])) @item],
      (c1: conv(8, 1) -> bn) @item,
      relu]
  out y -> norm: (permute([1, 2, 0]) -> layer_norm(dims=-1) -> permute([2, 0, 1])) @item \\
        -> gap -> flatten
}
"""


class Pair(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(8, 8, 1)
        self.add_module("1", nn.BatchNorm2d(8))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return getattr(self, "1")(self.c1(x))


class Items(nn.Module):
    def __init__(self):
        super().__init__()
        stem = nn.Sequential(nn.Conv2d(4, 8, 3, padding=1), LayerNorm2d(8, eps=1e-6))
        self.features = nn.Sequential(stem, Pair(), nn.ReLU())
        self.norm = LayerNorm2d(8, eps=1e-5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(self.features(x)).mean((2, 3))


def test_an_item_takes_one_index_and_its_one_layer_takes_it() -> None:
    model = archspec.build(ITEMS, seed=0).eval()
    assert list(model.state_dict()) == [
        "features.0.0.weight", "features.0.0.bias", "features.0.1.weight", "features.0.1.bias",
        "features.1.c1.weight", "features.1.c1.bias", "features.1.1.weight",
        "features.1.1.bias", "features.1.1.running_mean", "features.1.1.running_var",
        "features.1.1.num_batches_tracked", "norm.weight", "norm.bias"]
    reference = Items().eval()
    with torch.no_grad():
        for p in reference.parameters():
            p.normal_()
    model.load_state_dict(reference.state_dict(), strict=True)
    x = torch.randn(2, 4, 6, 6)
    torch.testing.assert_close(model(x), reference(x))


def test_an_item_that_is_already_one_layer_is_unchanged() -> None:
    def keys(item: str) -> list[str]:
        text = f"network t {{\n  input x: [4, 6, 6]\n  out x -> f: [conv(4, 1), {item}]\n}}"
        return list(archspec.build(text, seed=0).state_dict())
    assert keys("[conv(4, 1), bn] @item") == keys("[conv(4, 1), bn]") == [
        "f.0.weight", "f.0.bias", "f.1.0.weight", "f.1.0.bias", "f.1.1.weight", "f.1.1.bias",
        "f.1.1.running_mean", "f.1.1.running_var", "f.1.1.num_batches_tracked"]
    assert keys("bn @item") == keys("bn")


def test_annotations_on_an_item_reach_its_layer() -> None:
    spec = """network t {
  input x: [4, 6, 6]
  out x -> ln: (permute([1, 2, 0]) -> layer_norm(dims=-1) -> permute([2, 0, 1])) @item \\
               @init("constant", 2.0) @frozen
}"""
    model = archspec.build(spec, seed=0)
    assert torch.all(model.ln.weight == 2.0) and torch.all(model.ln.bias == 2.0)
    assert not model.ln.weight.requires_grad


def test_init_on_an_item_of_several_layers_is_located() -> None:
    spec = """network t {
  input x: [4, 6, 6]
  out x -> f: [(conv(4, 1) -> bn) @item @init("zeros")]
}"""
    with pytest.raises(SpecError) as e:
        archspec.load(spec)
    first = flatten(e.value)[0]
    assert (first.span.line, first.span.col, first.message) == (
        3, 17, "@init applies to a primitive layer, not a block")


CNBLOCK = """
network t {
  input x: [8, 5, 5]
  out x -> blk: convnext_block(8)
}

block convnext_block(dim: int) {
  y = in -> block: [conv(dim, 7, p=3, g=dim), permute([1, 2, 0]), layer_norm(dims=-1, eps=1e-6),
                    linear(4 * dim), gelu, linear(dim), permute([2, 0, 1])]
    -> layer_scale: scale_param([dim, 1, 1]) @init("constant", 1e-6)
  out y + in
}
"""


def test_a_convnext_block_is_torchvisions_cnblock() -> None:
    reference = nn.Module()
    reference.blk = CNBlock(8, layer_scale=1e-6, stochastic_depth_prob=0.0)
    model = archspec.build(CNBLOCK, seed=0).eval()
    assert sorted(model.state_dict()) == sorted(reference.state_dict())
    assert torch.equal(model.blk.layer_scale, reference.blk.layer_scale)
    with torch.no_grad():
        reference.blk.layer_scale.fill_(0.7)
    model.load_state_dict(reference.state_dict(), strict=True)
    x = torch.randn(2, 8, 5, 5)
    torch.testing.assert_close(model(x), reference.blk.eval()(x))
