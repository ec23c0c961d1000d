"""The table of torchvision CNN classifiers imported by ``archspec import`` (docs/import.md).

For each builder (random weights, no downloads): import at 3x224x224 (299 for Inception v3),
check, build, strict-load the original state_dict, compare eval outputs (max |diff|) and
parameter counts and MACs (torch.utils.flop_counter). Prints a Markdown table.

"lines" counts the imported spec's lines of code (not blank, not a comment); "hand-written"
counts the same of the zoo spec of that name (specs/NAME.arch) with the definitions it uses
from the standard library, each printed by ``fmt`` as the import is; "ratio" divides the two.

    .venv/bin/python bench/import_table.py [builder ...]
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.importers.readability import code_lines, handwritten_lines  # noqa: E402

BUILDERS = ["alexnet", "vgg11", "vgg16", "vgg16_bn", "resnet18", "resnet50", "resnet152",
            "resnext50_32x4d", "wide_resnet50_2", "densenet121", "googlenet", "inception_v3",
            "mobilenet_v2", "mobilenet_v3_large", "mnasnet1_0", "shufflenet_v2_x1_0",
            "squeezenet1_0", "squeezenet1_1", "efficientnet_b0", "efficientnet_v2_s",
            "regnet_y_400mf", "convnext_tiny"]
NO_AUX = {"googlenet": {"aux_logits": False, "init_weights": False},
          "inception_v3": {"aux_logits": False, "init_weights": False}}


def macs(model: Any, shape: tuple[int, ...]) -> int:
    import torch
    from torch.utils.flop_counter import FlopCounterMode
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        model(torch.zeros(1, *shape))
    return counter.get_total_flops() // 2


def row(builder: str) -> str:
    import torch
    import torchvision.models as models

    import archspec
    from archspec.importers import import_model
    size = 299 if builder == "inception_v3" else 224
    shape = (3, size, size)
    torch.manual_seed(0)
    model = getattr(models, builder)(**NO_AUX.get(builder, {})).eval()
    start = time.perf_counter()
    try:
        text = import_model(model, shape, name=builder)
    except archspec.SpecError as e:
        return f"| {builder} | - | - | - | - | - | {e.message[:90]} |"
    seconds = time.perf_counter() - start
    lines, hand = code_lines(text), handwritten_lines(builder)
    sizes = f"{lines} | {hand or '-'} | {f'{lines / hand:.2f}' if hand else '-'}"
    try:
        net = archspec.load(text)
    except archspec.SpecError as e:
        return f"| {builder} | {sizes} | - | - | does not check: {e} |"
    built = net.build(device="meta").eval()
    built.load_state_dict(model.state_dict(), strict=True, assign=True)
    x = torch.randn(1, *shape)
    with torch.no_grad():
        diff = (built(x) - model(x)).abs().max().item()
    report = net.audit()
    same = report.params == sum(p.numel() for p in model.parameters()) and \
        report.macs == macs(model, shape)
    blocks = ", ".join(re.findall(r"^block (\w+)", text, re.M)) or "-"
    verdict = f"strict load, max diff {diff:.1e}, params+MACs {'equal' if same else 'DIFFER'}"
    return f"| {builder} | {sizes} | {seconds:.2f} s | {blocks} | {verdict} |"


def main() -> None:
    print("| model | lines | hand-written | ratio | import | blocks | match |")
    print("|---|---|---|---|---|---|---|")
    for builder in sys.argv[1:] or BUILDERS:
        print(row(builder), flush=True)


if __name__ == "__main__":
    main()
