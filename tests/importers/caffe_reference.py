"""Caffe's own shape rules, written out from caffe/src/caffe/layers/*.cpp independently of the
importer: every layer's top shape (N dropped) from the prototxt alone."""

from __future__ import annotations

import math

from archspec.importers.prototxt import Message

V1 = {"CONVOLUTION": "Convolution", "POOLING": "Pooling", "INNER_PRODUCT": "InnerProduct",
      "CONCAT": "Concat", "ELTWISE": "Eltwise"}


def per_axis(p: Message, name: str, short: str, default: int) -> tuple[int, int]:
    if p.get(short + "_h") is not None:
        return int(p.get(short + "_h")), int(p.get(short + "_w"))
    vals = [int(v) for v in p.values(name)] or [default]
    return (vals[0], vals[-1])


def conv_shape(p: Message, x: tuple) -> tuple:
    k, s = per_axis(p, "kernel_size", "kernel", 1), per_axis(p, "stride", "stride", 1)
    pad, d = per_axis(p, "pad", "pad", 0), per_axis(p, "dilation", "dilation", 1)
    hw = [(x[i + 1] + 2 * pad[i] - (d[i] * (k[i] - 1) + 1)) // s[i] + 1 for i in (0, 1)]
    return (int(p.get("num_output")), *hw)


def pool_shape(p: Message, x: tuple) -> tuple:
    if p.get("global_pooling", False):
        return (x[0], 1, 1)
    k, s = per_axis(p, "kernel_size", "kernel", 1), per_axis(p, "stride", "stride", 1)
    pad = per_axis(p, "pad", "pad", 0)
    hw = []
    for i in (0, 1):
        out = math.ceil((x[i + 1] + 2 * pad[i] - k[i]) / s[i]) + 1
        if pad[i] and (out - 1) * s[i] >= x[i + 1] + pad[i]:
            out -= 1
        hw.append(out)
    return (x[0], *hw)


def top_shapes(net: Message) -> dict[tuple[str, str], tuple]:
    """(layer name, type) -> its first top's shape (without N)."""
    blobs: dict[str, tuple] = {}
    dims = [int(d) for d in net.values("input_dim")]
    shapes = [[int(d) for d in s.values("dim")] for s in net.values("input_shape")]
    for i, name in enumerate(net.values("input")):
        blobs[str(name)] = tuple(shapes[i][1:] if shapes else dims[4 * i + 1:4 * i + 4])
    result = {}
    for layer in net.values("layer") + net.values("layers"):
        kind = V1.get(str(layer.get("type")), str(layer.get("type")))
        xs = [blobs[str(b)] for b in layer.values("bottom")]
        if kind == "Input":
            shape = tuple(int(d) for d in layer.sub("input_param").sub("shape").values("dim"))[1:]
        elif kind == "Convolution":
            shape = conv_shape(layer.sub("convolution_param"), xs[0])
        elif kind == "Pooling":
            shape = pool_shape(layer.sub("pooling_param"), xs[0])
        elif kind == "InnerProduct":
            shape = (int(layer.sub("inner_product_param").get("num_output")),)
        elif kind == "Concat":
            shape = (sum(x[0] for x in xs), *xs[0][1:])
        else:
            shape = xs[0]
        for top in layer.values("top"):
            blobs[str(top)] = shape
        result[str(layer.get("name")), kind] = shape
    return result
