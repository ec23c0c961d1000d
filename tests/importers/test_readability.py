"""Readability bound: an imported torchvision CNN has at most twice the lines of code of the
hand-written zoo spec of the same network (counted alike: tests/importers/readability.py)."""

from __future__ import annotations

import pytest

from archspec.importers import import_model
from tests.importers.readability import code_lines, handwritten_lines

models = pytest.importorskip("torchvision.models")

# Small inputs keep the imports quick; the line count does not depend on the input size.
# The plain chains (AlexNet, VGG: ratio under 1) are in bench/import_table.py's table only.
BUILDERS = {
    "resnet50": (32, {}), "densenet121": (32, {}),
    "googlenet": (64, {"aux_logits": False, "init_weights": False}),
    "inception_v3": (80, {"aux_logits": False, "init_weights": False}),
    "mobilenet_v2": (32, {}), "regnet_y_400mf": (32, {}), "efficientnet_b0": (32, {}),
}


@pytest.mark.parametrize("builder", sorted(BUILDERS))
def test_imported_spec_is_at_most_twice_the_hand_written_one(builder: str) -> None:
    size, kwargs = BUILDERS[builder]
    text = import_model(getattr(models, builder)(**kwargs), (3, size, size), name=builder)
    hand = handwritten_lines(builder)
    assert hand is not None and code_lines(text) <= 2 * hand


def test_hand_written_lines_count_the_std_definitions_used() -> None:
    assert handwritten_lines("densenet121") == 38   # the variant, std/densenet.arch's blocks
    assert handwritten_lines("mobilenet_v2") == 31  # std/mobilenet.arch's v2 part only
    assert handwritten_lines("mobilenet_v3") is None
    assert code_lines("# a comment\n\nblock b() {\n  ## doc\n  out in\n}\n") == 3
