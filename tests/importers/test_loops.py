"""Loops in imported specs: DenseNet's accumulating concat, and group items whose numbers
follow the index."""

from __future__ import annotations

import pytest

from archspec.frontend import ast as A
from archspec.frontend.fmt import format_expr
from archspec.importers import import_model
from archspec.importers.loops import index_loops
from tests.importers.test_torch import assert_faithful

torch = pytest.importorskip("torch")
models = pytest.importorskip("torchvision.models")
nn = torch.nn

DENSE_BLOCK = """\
block dense_block(num_layers) {
  feats = [in]
  for i in range(num_layers) {
    new = concat(feats) -> "denselayer{i + 1}": dense_layer()
    feats = feats + [new]
  }
  out concat(feats)
}
"""


def test_densenet_dense_blocks_are_one_loop_block() -> None:
    text = assert_faithful(models.densenet121(), (3, 32, 32), "densenet121")
    assert DENSE_BLOCK in text
    assert "denseblock3: dense_block(24)," in text
    assert len(text.splitlines()) == 43


def dilated(dilations: list[int], widths: list[int]) -> nn.Module:
    layers, c = [], 3
    for d, w in zip(dilations, widths):
        layers.append(nn.Conv2d(c, w, 3, padding=d, dilation=d))
        c = w
    return nn.Sequential(nn.Sequential(*layers))   # a group: its items are unlabelled


@pytest.mark.parametrize(("dilations", "widths", "expected"), [
    ([1, 2, 4, 8], [16] * 4, "for i in range(4) { conv(16, 3, p=2 ** i, d=2 ** i) }"),
    ([1] * 4, [8, 16, 24, 32], "for i in range(4) { conv(8 * (i + 1), 3, p=1) }"),
    ([1, 2, 3], [5, 6, 7], "for i in range(3) { conv(i + 5, 3, p=i + 1, d=i + 1) }"),
])
def test_index_varying_items_become_a_loop(dilations: list[int], widths: list[int],
                                           expected: str) -> None:
    text = assert_faithful(dilated(dilations, widths), (3, 8, 8), "dilated")
    assert f'out input_1 -> "0": [{expected}]' in text


def test_short_or_irregular_runs_stay_written_out() -> None:
    text = import_model(dilated([1, 2, 5], [4, 4, 4]), (3, 20, 20))
    assert "conv(4, 3, p=5, d=5)" in text and "for" not in text
    text = import_model(dilated([1, 2], [4, 4]), (3, 20, 20))
    assert "for" not in text


def call(*values: int) -> A.Call:
    return A.Call(A.Name("b"), [A.Num(v) for v in values], [])


def test_a_loop_ends_where_the_progression_does() -> None:
    items = index_loops([call(1), call(1), call(1), call(2), call(4), call(8), call(9)])
    assert [format_expr(e) for e in items] == [
        "b(1)", "b(1)", "for i in range(4) { b(2 ** i) }", "b(9)"]
    assert format_expr(index_loops([call(3, 1), call(3, 3), call(3, 5)])[0]) == \
        "for i in range(3) { b(3, 1 + 2 * i) }"
