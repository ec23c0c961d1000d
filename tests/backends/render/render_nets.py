"""Small graphs with a block hierarchy, built with GraphBuilder, for the renderer's tests."""

from __future__ import annotations

from archspec.ir.builder import GraphBuilder
from archspec.ir.graph import OpGraph, Ref


def conv_bn_relu(b: GraphBuilder, x: Ref, out: int, k: int, block: str, name: str,
                 stride: int = 1) -> Ref:
    y = b.op("conv", [x], out, k, s=stride, p=k // 2, bias=False, name=f"{block}.{name}",
             block=block)
    y = b.op("bn", [y], name=f"{block}.bn_{name}", block=block)
    return b.op("relu", [y], block=block)


def basic_block(b: GraphBuilder, x: Ref, path: str, planes: int, stride: int = 1) -> Ref:
    """torchvision's BasicBlock: conv1/bn1/relu/conv2/bn2 + shortcut, add, relu."""
    b.block(path, "basic_block", parent=path.rpartition(".")[0],
            args={"planes": planes, "stride": stride})
    y = b.op("conv", [x], planes, 3, s=stride, p=1, bias=False, name=f"{path}.conv1", block=path)
    y = b.op("bn", [y], name=f"{path}.bn1", block=path)
    y = b.op("relu", [y], block=path)
    y = b.op("conv", [y], planes, 3, p=1, bias=False, name=f"{path}.conv2", block=path)
    y = b.op("bn", [y], name=f"{path}.bn2", block=path)
    sc = x
    if stride != 1:
        ds = f"{path}.downsample"
        b.block(ds, "group", parent=path)
        sc = b.op("conv", [x], planes, 1, s=stride, bias=False, name=f"{ds}.0", block=ds)
        sc = b.op("bn", [sc], name=f"{ds}.1", block=ds)
    y = b.op("add", [y, sc], block=path)
    return b.op("relu", [y], block=path)


def stem(b: GraphBuilder, x: Ref) -> Ref:
    y = b.op("conv", [x], 64, 7, s=2, p=3, bias=False, name="conv1")
    y = b.op("bn", [y], name="bn1")
    y = b.op("relu", [y])
    return b.op("maxpool", [y], 3, s=2, p=1, name="maxpool")


def head(b: GraphBuilder, y: Ref, classes: int) -> Ref:
    y = b.op("gap", [y], name="avgpool")
    y = b.op("flatten", [y])
    return b.op("linear", [y], classes, name="fc")


def small_resnet(blocks_per_layer: int = 2, layers: int = 2) -> OpGraph:
    """stem -> layer1 (basic blocks, 64) [-> layer2 (128, stride 2) ...] -> head."""
    b = GraphBuilder("small_resnet", {"num_classes": 10})
    y = stem(b, b.input("x", (3, 64, 64)))
    for i in range(layers):
        layer = f"layer{i + 1}"
        b.block(layer, "group")
        for j in range(blocks_per_layer):
            stride = 2 if i > 0 and j == 0 else 1
            y = basic_block(b, y, f"{layer}.{j}", 64 * 2 ** i, stride)
    b.output("logits", head(b, y, 10))
    return b.graph


def inception_net() -> OpGraph:
    """One inception-like block (4 branches + concat) followed by an aux head and a main head."""
    b = GraphBuilder("inception_net")
    x = b.op("conv", [b.input("x", (3, 32, 32))], 32, 3, p=1, name="stem")
    p = "mixed"
    b.block(p, "inception", args={"c1": 16, "c3": 24, "c5": 8, "pool": 8})
    outs = []
    for i, (k, c) in enumerate([(1, 16), (3, 24), (5, 8)]):
        br = f"{p}.branch{i + 1}"
        b.block(br, "group", parent=p)
        y = x if k == 1 else conv_bn_relu(b, x, c // 2, 1, br, "reduce")
        outs.append(conv_bn_relu(b, y, c, k, br, "conv"))
    br = f"{p}.branch4"
    b.block(br, "group", parent=p)
    y = b.op("maxpool", [x], 3, s=1, p=1, block=br)
    outs.append(conv_bn_relu(b, y, 8, 1, br, "proj"))
    y = b.op("concat", outs, block=p)
    b.block("aux", "aux_head", args={"classes": 10})
    a = b.op("conv", [y], 16, 1, name="aux.conv", block="aux")
    b.output("aux_logits", head_in(b, a, "aux"), role="aux", loss_weight=0.3)
    b.output("logits", head(b, y, 10))
    return b.graph


def head_in(b: GraphBuilder, y: Ref, block: str) -> Ref:
    y = b.op("gap", [y], block=block)
    y = b.op("flatten", [y], block=block)
    return b.op("linear", [y], 10, name=f"{block}.fc", block=block)


def dense_net(layers: tuple[int, ...] = (6, 12, 48, 32), growth: int = 32) -> OpGraph:
    """A densenet201-sized graph: dense layers (bn-relu-1x1-bn-relu-3x3, concat) in 4 dense
    blocks with transitions: 2 * sum(layers) + len(layers) convs (200 for the default)."""
    b = GraphBuilder("dense_net")
    y = b.op("conv", [b.input("x", (3, 224, 224))], 64, 7, s=2, p=3, bias=False, name="conv0")
    y = b.op("maxpool", [b.op("relu", [b.op("bn", [y], name="norm0")])], 3, s=2, p=1,
             name="pool0")
    for i, n in enumerate(layers):
        blk = f"denseblock{i + 1}"
        b.block(blk, "dense_block", args={"layers": n, "growth": growth})
        for j in range(n):
            y = dense_layer(b, y, f"{blk}.denselayer{j + 1}", growth)
        if i < len(layers) - 1:
            y = transition(b, y, f"transition{i + 1}")
    b.output("logits", head(b, b.op("relu", [b.op("bn", [y], name="norm5")]), 1000))
    return b.graph


def dense_layer(b: GraphBuilder, x: Ref, path: str, growth: int) -> Ref:
    b.block(path, "dense_layer", parent=path.rpartition(".")[0],
            args={"growth": growth, "bn_size": 4})
    y = b.op("relu", [b.op("bn", [x], name=f"{path}.norm1", block=path)], block=path)
    y = b.op("conv", [y], 4 * growth, 1, bias=False, name=f"{path}.conv1", block=path)
    y = b.op("relu", [b.op("bn", [y], name=f"{path}.norm2", block=path)], block=path)
    y = b.op("conv", [y], growth, 3, p=1, bias=False, name=f"{path}.conv2", block=path)
    return b.op("concat", [x, y], block=path)


def transition(b: GraphBuilder, x: Ref, path: str) -> Ref:
    b.block(path, "transition")
    y = b.op("relu", [b.op("bn", [x], name=f"{path}.norm", block=path)], block=path)
    cin = b.graph.nodes[y.node]["data"].shape[0]
    y = b.op("conv", [y], cin // 2, 1, bias=False, name=f"{path}.conv", block=path)
    return b.op("avgpool", [y], 2, s=2, name=f"{path}.pool", block=path)


def broken_net() -> OpGraph:
    """A graph that 'failed part-way': layer1.0.conv2 is flagged, and layer1.1.conv2 failed
    before it was created (the error names a node the graph lacks); no outputs were reached."""
    from archspec.errors import ShapeError

    b = GraphBuilder("broken")
    y = basic_block(b, stem(b, b.input("x", (3, 64, 64))), "layer1.0", 64)
    b.block("layer1", "group")
    b.block("layer1.1", "basic_block", parent="layer1", args={"planes": 64, "stride": 1})
    b.op("conv", [y], 64, 3, p=1, bias=False, name="layer1.1.conv1", block="layer1.1")
    b.graph.meta.errors = [
        ("layer1.0.conv2", ShapeError("conv: weight is suspicious",
                                      hint="use a groups value that divides 64")),
        ("layer1.1.conv2", ShapeError("conv: input channels 64 are not divisible by groups=5")),
    ]
    return b.graph
