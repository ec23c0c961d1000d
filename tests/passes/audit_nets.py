"""Networks built directly with GraphBuilder, for the audit tests and bench/audit.py.

``resnet`` follows torchvision's layout (names, stride on the 3x3, 1x1+BN downsample), so its
parameter count can be compared with the published one and its receptive field with the
literature without any spec file.
"""

from __future__ import annotations

from archspec.ir.builder import GraphBuilder
from archspec.ir.graph import OpGraph, Ref

RESNETS = {18: ("basic", (2, 2, 2, 2)), 34: ("basic", (3, 4, 6, 3)),
           50: ("bottleneck", (3, 4, 6, 3)), 101: ("bottleneck", (3, 4, 23, 3)),
           152: ("bottleneck", (3, 8, 36, 3))}


def conv_bn(b: GraphBuilder, x: Ref, path: str, i: str, out: int, k: int, s: int = 1,
            p: int = 0, relu: bool = True) -> Ref:
    """``path.conv{i}`` -> ``path.bn{i}`` (-> relu)."""
    y = b.op("conv", [x], out, k, name=f"{path}.conv{i}", block=path, stride=s, padding=p,
             bias=False)
    y = b.op("bn", [y], name=f"{path}.bn{i}", block=path)
    return b.op("relu", [y], block=path) if relu else y


def bottleneck(b: GraphBuilder, x: Ref, path: str, cin: int, planes: int, stride: int) -> Ref:
    y = conv_bn(b, x, path, "1", planes, 1)
    y = conv_bn(b, y, path, "2", planes, 3, stride, 1)
    y = conv_bn(b, y, path, "3", planes * 4, 1, relu=False)
    return b.op("relu", [b.op("add", [y, _shortcut(b, x, path, cin, planes * 4, stride)],
                              block=path)], block=path)


def basic(b: GraphBuilder, x: Ref, path: str, cin: int, planes: int, stride: int) -> Ref:
    y = conv_bn(b, x, path, "1", planes, 3, stride, 1)
    y = conv_bn(b, y, path, "2", planes, 3, 1, 1, relu=False)
    return b.op("relu", [b.op("add", [y, _shortcut(b, x, path, cin, planes, stride)],
                              block=path)], block=path)


def _shortcut(b: GraphBuilder, x: Ref, path: str, cin: int, cout: int, stride: int) -> Ref:
    if stride == 1 and cin == cout:
        return x
    ds = f"{path}.downsample"
    b.block(ds, "group", path)
    y = b.op("conv", [x], cout, 1, name=f"{ds}.0", block=ds, stride=stride, bias=False)
    return b.op("bn", [y], name=f"{ds}.1", block=ds)


def resnet(depth: int = 50, num_classes: int = 1000, hw: int = 224) -> OpGraph:
    """torchvision's resnet{depth} as a graph with its block hierarchy."""
    kind, counts = RESNETS[depth]
    unit, expansion = (bottleneck, 4) if kind == "bottleneck" else (basic, 1)
    b = GraphBuilder(f"resnet{depth}", {"num_classes": num_classes})
    x = b.input("x", (3, hw, hw))
    x = b.op("conv", [x], 64, 7, name="conv1", stride=2, padding=3, bias=False)
    x = b.op("relu", [b.op("bn", [x], name="bn1")])
    x = b.op("maxpool", [x], 3, name="maxpool", stride=2, padding=1)
    cin = 64
    for i, (planes, n) in enumerate(zip((64, 128, 256, 512), counts)):
        layer = f"layer{i + 1}"
        b.block(layer, "group", "")
        for j in range(n):
            stride = 2 if j == 0 and i > 0 else 1
            path = f"{layer}.{j}"
            b.block(path, kind, layer, args={"planes": planes, "stride": stride})
            x = unit(b, x, path, cin, planes, stride)
            cin = planes * expansion
    x = b.op("flatten", [b.op("gap", [x], name="avgpool")])
    b.output("logits", b.op("linear", [x], num_classes, name="fc"))
    return b.graph


def conv_stack(rates: list[int], channels: int = 8, hw: int = 64, kernel: int = 3,
               strides: list[int] | None = None) -> OpGraph:
    """Stacked ``kernel``×``kernel`` convolutions with 'same'-style padding and the given
    dilation rates (and strides), each followed by ReLU."""
    b = GraphBuilder("stack")
    x = b.input("x", (3, hw, hw))
    for i, r in enumerate(rates):
        s = strides[i] if strides else 1
        x = b.op("conv", [x], channels, kernel, name=f"conv{i}", stride=s,
                 padding=r * (kernel - 1) // 2, dilation=r)
        x = b.op("relu", [x], name=f"relu{i}")
    b.output("y", x)
    return b.graph


def plain_chain(layers: int, channels: int = 8, hw: int = 8, per_block: int = 30) -> OpGraph:
    """``layers`` nodes: conv3x3 -> bn -> relu repeated, grouped into identical blocks of
    ``per_block`` nodes (for scaling benchmarks)."""
    b = GraphBuilder(f"chain{layers}")
    x = b.input("x", (channels, hw, hw))
    ops = ("conv", "bn", "relu")
    b.block("stage", "group", "")
    for i in range(layers):
        blk = f"stage.{i // per_block}"
        if i % per_block == 0:
            b.block(blk, "unit", "stage", args={"c": channels})
        op = ops[i % 3]
        args = (channels, 3) if op == "conv" else ()
        kw = {"padding": 1, "bias": False} if op == "conv" else {}
        x = b.op(op, [x], *args, name=f"{blk}.{op}{i}", block=blk, **kw)
    b.output("y", x)
    return b.graph
