"""Graphs built with GraphBuilder for the torch-backend tests, and hand-written references."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from archspec.ir.builder import GraphBuilder
from archspec.ir.graph import OpGraph, Ref


def conv_bn(b: GraphBuilder, x: Ref, path: str, out: int, k: int, s: int = 1, p: int = 0,
            conv: str = "conv1", bn: str = "bn1") -> Ref:
    pre = f"{path}." if path else ""
    y = b.op("conv", [x], out, k, name=pre + conv, block=path, stride=s, padding=p, bias=False)
    return b.op("bn", [y], name=pre + bn, block=path)


def basic_block(b: GraphBuilder, x: Ref, path: str, cin: int, planes: int, stride: int) -> Ref:
    """torchvision's BasicBlock: conv3x3-bn-relu-conv3x3-bn (+ 1x1 downsample) -> add -> relu."""
    b.block(path, "basic_block", path.rsplit(".", 1)[0])
    y = b.op("relu", [conv_bn(b, x, path, planes, 3, stride, 1)], block=path)
    y = conv_bn(b, y, path, planes, 3, 1, 1, "conv2", "bn2")
    sc = x
    if stride != 1 or cin != planes:
        sc = conv_bn(b, x, path, planes, 1, stride, 0, "downsample.0", "downsample.1")
    return b.op("relu", [b.op("add", [y, sc], block=path)], block=path)


def resnet_graph(layers: tuple[int, ...] = (2, 2, 2, 2), num_classes: int = 10,
                 size: int = 32, checkpoint: bool = False, name: str = "resnet18") -> OpGraph:
    """torchvision resnet18 (same names) for a size×size input; ``checkpoint`` marks layer1-4."""
    b = GraphBuilder(name, {"num_classes": num_classes})
    x = b.input("x", (3, size, size))
    y = b.op("relu", [conv_bn(b, x, "", 64, 7, 2, 3)])
    y = b.op("maxpool", [y], 3, name="maxpool", stride=2, padding=1)
    cin = 64
    for i, (n, planes) in enumerate(zip(layers, (64, 128, 256, 512)), 1):
        b.block(f"layer{i}", "group", "", attrs={"checkpoint": checkpoint})
        for j in range(n):
            y = basic_block(b, y, f"layer{i}.{j}", cin, planes, 2 if j == 0 and i > 1 else 1)
            cin = planes
    y = b.op("flatten", [b.op("gap", [y], name="avgpool")])
    b.output("logits", b.op("linear", [y], num_classes, name="fc"))
    return b.graph


def branchy_graph() -> OpGraph:
    """Branches, concat, add, split ports, maxpool indices -> unpool, and a training-only head."""
    b = GraphBuilder("branchy")
    x = b.input("x", (3, 16, 16))
    s = b.op("relu", [conv_bn(b, x, "stem", 8, 3, 1, 1, "conv", "bn")], name="stem.relu")
    pool = b.op("maxpool", [s], 2, name="pool", return_indices=True)
    up = b.op("max_unpool", [pool, Ref(pool.node, 1)], 2, name="unpool")
    mix = b.op("add", [up, s], name="mix")
    b1 = b.op("conv", [mix], 4, 1, name="b1.conv")
    b2 = b.op("conv", [mix], 4, 3, name="b2.conv", padding=1)
    cat = b.op("concat", [b1, b2], name="cat")
    parts = b.op("split", [cat], 2, name="halves")
    prod = b.op("mul", [parts, Ref(parts.node, 1)], name="prod")
    head = b.op("flatten", [b.op("gap", [prod], name="gap")], name="flat")
    b.output("logits", b.op("linear", [head], 5, name="fc"))
    aux = b.op("flatten", [b.op("gap", [mix], name="aux.gap")], name="aux.flat")
    b.output("aux", b.op("linear", [aux], 5, name="aux.fc"), role="aux", loss_weight=0.3)
    return b.graph


class Branchy(nn.Module):
    """The hand-written equivalent of ``branchy_graph`` (same state-dict keys)."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Module()
        self.stem.conv = nn.Conv2d(3, 8, 3, padding=1, bias=False)
        self.stem.bn = nn.BatchNorm2d(8)
        self.b1 = nn.Module()
        self.b1.conv = nn.Conv2d(8, 4, 1)
        self.b2 = nn.Module()
        self.b2.conv = nn.Conv2d(8, 4, 3, padding=1)
        self.fc = nn.Linear(4, 5)
        self.aux = nn.Module()
        self.aux.fc = nn.Linear(8, 5)

    def forward(self, x: torch.Tensor) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        s = F.relu(self.stem.bn(self.stem.conv(x)))
        pooled, idx = F.max_pool2d(s, 2, return_indices=True)
        mix = F.max_unpool2d(pooled, idx, 2) + s
        cat = torch.cat([self.b1.conv(mix), self.b2.conv(mix)], 1)
        a, b = torch.split(cat, 4, 1)
        logits = self.fc(torch.flatten(F.adaptive_avg_pool2d(a * b, 1), 1))
        if not self.training:
            return logits
        return logits, self.aux.fc(torch.flatten(F.adaptive_avg_pool2d(mix, 1), 1))


def tiny_graph(init: dict[str, str] | None = None) -> OpGraph:
    """conv-bn-relu-gap-linear on 3×8×8; ``init`` maps node names to attrs['init']."""
    init = init or {}
    b = GraphBuilder("tiny")
    x = b.input("x", (3, 8, 8))
    y = b.op("conv", [x], 4, 3, name="conv", padding=1, attrs=_init(init, "conv"))
    y = b.op("relu", [b.op("bn", [y], name="bn", attrs=_init(init, "bn"))])
    y = b.op("flatten", [b.op("gap", [y])])
    b.output("out", b.op("linear", [y], 6, name="fc", attrs=_init(init, "fc")))
    return b.graph


def _init(init: dict[str, str], name: str) -> dict[str, str]:
    return {"init": init[name]} if name in init else {}
