"""ONNX (opset 13+) -> FlatNet. Module paths and the hierarchy come from the scoped node names
torch's exporter writes (``/layer1/layer1.0/conv1/Conv``); initializers become the weights of
the labelled layers (``FlatNet.weights``, spec key -> array)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from archspec.errors import SpecImportError
from archspec.importers.flat import FlatNet, Layer
from archspec.source import UNKNOWN, SourceFile, Span

STATEFUL = {"Conv", "Gemm", "BatchNormalization"}


def load(path: str | Path) -> Any:
    import onnx
    where = Span(SourceFile(str(path), ""), 1, 1)
    try:
        model = onnx.load(str(path))
    except Exception as e:  # noqa: BLE001 - any decoding failure is the file's
        raise SpecImportError(f"cannot read {path} as ONNX: {e}", where) from None
    opset = max((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")),
                default=0)
    if opset < 13:
        raise SpecImportError(f"{path} uses opset {opset}; archspec reads opset 13 and later",
                              where, hint="re-export with opset_version=13 or later")
    return model


def import_onnx(path: str | Path, input_shape: tuple[int, ...] | None = None,
                name: str | None = None) -> FlatNet:
    from onnx import numpy_helper
    model = load(path)
    g = model.graph
    arrays = {i.name: numpy_helper.to_array(i) for i in g.initializer}
    net = FlatNet(name or Path(path).stem.split(".")[0], guessed_classes=True)
    real_inputs = [i for i in g.input if i.name not in arrays]
    dims = [d.dim_value for d in real_inputs[0].type.tensor_type.shape.dim][1:]
    net.inputs.append((real_inputs[0].name, tuple(input_shape or dims)))
    aliases: dict[str, str] = {}
    unsupported: list[str] = []
    scopes = scope_sizes(g.node)
    for node in g.node:
        if node.op_type == "Identity" and node.input[0] in arrays:
            arrays[node.output[0]] = arrays[node.input[0]]
            continue
        if node.op_type == "Identity":
            aliases[node.output[0]] = aliases.get(node.input[0], node.input[0])
            continue
        layer = convert(node, arrays, aliases, scopes, net)
        if layer is None:
            unsupported.append(f"{node.op_type} ('{node.name}')")
        else:
            net.layers.append(layer)
    if unsupported:
        raise SpecImportError(f"unsupported ONNX operations: {'; '.join(unsupported)}",
                              Span(SourceFile(str(path), ""), 1, 1))
    net.outputs = [aliases.get(o.name, o.name) for o in g.output]
    return net


def scope_sizes(nodes: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for node in nodes:
        for path in full_paths(node.name.strip("/").split("/")[:-1]):
            counts[path] = counts.get(path, 0) + 1
    return counts


def full_paths(segments: list[str]) -> list[str]:
    """``layer2, layer2.0, downsample, downsample.0`` -> ``layer2, layer2.0,
    layer2.0.downsample, layer2.0.downsample.0``."""
    paths: list[str] = []
    for s in segments:
        current = paths[-1].split(".") if paths else []
        parts = s.split(".")
        overlap = max((k for k in range(1, min(len(current), len(parts)) + 1)
                       if current[-k:] == parts[:k]), default=0)
        paths.append(".".join(current + parts[overlap:]))
    return paths


def family(path: str) -> str:
    named = [p for p in path.split(".") if not p.isdigit()]
    return re.sub(r"_?\d+[a-z]?$", "", named[-1]) if named else "block"


def placement(node: Any, scopes: dict[str, int]) -> tuple[str, tuple[tuple[str, str], ...]]:
    paths = full_paths(node.name.strip("/").split("/")[:-1])
    leaf = ""
    if paths and (node.op_type in STATEFUL or scopes[paths[-1]] == 1):
        leaf = paths.pop()
    return leaf if node.op_type in STATEFUL else "", tuple((p, family(p)) for p in paths)


def attrs(node: Any) -> dict[str, Any]:
    from onnx import helper
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def pair(v: list[int]) -> Any:
    return v[0] if len(set(v)) == 1 else tuple(v)


def convert(node: Any, arrays: dict[str, Any], aliases: dict[str, str],
            scopes: dict[str, int], net: FlatNet) -> Layer | None:
    a = attrs(node)
    tensors = [aliases.get(i, i) for i in node.input if i and i not in arrays]
    path, owners = placement(node, scopes)
    call = OPS.get(node.op_type)
    converted = call(node, a, arrays) if call else None
    if converted is None:
        return None
    op, args, kwargs, weights = converted
    for key, array in weights.items():
        net.weights[f"{path}.{key}"] = array
    return Layer(node.output[0], op, args, kwargs, tensors, path, UNKNOWN, owners)


def conv(node: Any, a: dict[str, Any], arrays: dict[str, Any]) -> tuple | None:
    pads = a.get("pads", [0, 0, 0, 0])
    if pads[:2] != pads[2:] or a.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
        return None
    w = arrays[node.input[1]]
    kwargs: dict[str, Any] = {}
    for key, name, default in (("s", "strides", 1), ("p", None, 0), ("d", "dilations", 1)):
        value = pair(pads[:2]) if name is None else pair(a.get(name, [default, default]))
        if value != default:
            kwargs[key] = value
    if a.get("group", 1) != 1:
        kwargs["groups"] = a["group"]
    weights = {"weight": w}
    if len(node.input) > 2 and node.input[2]:
        weights["bias"] = arrays[node.input[2]]
    else:
        kwargs["bias"] = False
    return "conv", (w.shape[0], pair(list(w.shape[2:]))), kwargs, weights


def gemm(node: Any, a: dict[str, Any], arrays: dict[str, Any]) -> tuple | None:
    if a.get("transA", 0) or a.get("alpha", 1.0) != 1.0 or a.get("beta", 1.0) != 1.0:
        return None
    w = arrays[node.input[1]]
    w = w if a.get("transB", 0) else w.T
    weights = {"weight": w}
    kwargs = {}
    if len(node.input) > 2:
        weights["bias"] = arrays[node.input[2]]
    else:
        kwargs["bias"] = False
    return "linear", (w.shape[0],), kwargs, weights


def pool(op: str) -> Any:
    def rule(node: Any, a: dict[str, Any], arrays: dict[str, Any]) -> tuple | None:
        pads = a.get("pads", [0, 0, 0, 0])
        if pads[:2] != pads[2:]:
            return None
        kernel, stride = pair(a["kernel_shape"]), pair(a.get("strides", [1, 1]))
        kwargs: dict[str, Any] = {} if stride == kernel else {"s": stride}
        if pair(pads[:2]) != 0:
            kwargs["p"] = pair(pads[:2])
        if a.get("ceil_mode", 0):
            kwargs["ceil"] = True
        if op == "avgpool" and not a.get("count_include_pad", 0):
            kwargs["count_include_pad"] = False
        return op, (kernel,), kwargs, {}
    return rule


def simple(op: str) -> Any:
    return lambda node, a, arrays: (op, (), {}, {})


def batch_norm(node: Any, a: dict[str, Any], arrays: dict[str, Any]) -> tuple:
    names = ("weight", "bias", "running_mean", "running_var")
    weights = {k: arrays[i] for k, i in zip(names, node.input[1:])}
    eps = a.get("epsilon", 1e-5)
    return "bn", (), {} if abs(eps - 1e-5) < 1e-12 else {"eps": eps}, weights


def flatten(node: Any, a: dict[str, Any], arrays: dict[str, Any]) -> tuple | None:
    return ("flatten", (), {}, {}) if a.get("axis", 1) == 1 else None


def concat(node: Any, a: dict[str, Any], arrays: dict[str, Any]) -> tuple | None:
    axis = a.get("axis", 1)
    return ("concat", (), {} if axis == 1 else {"dim": axis - 1}, {}) if axis >= 1 else None


def hard_sigmoid(node: Any, a: dict[str, Any], arrays: dict[str, Any]) -> tuple | None:
    torch_like = abs(a.get("alpha", 0.2) - 1 / 6) < 1e-6 and a.get("beta", 0.5) == 0.5
    return ("hardsigmoid", (), {}, {}) if torch_like else None


OPS = {
    "Conv": conv, "Gemm": gemm, "BatchNormalization": batch_norm,
    "MaxPool": pool("maxpool"), "AveragePool": pool("avgpool"),
    "GlobalAveragePool": simple("gap"), "GlobalMaxPool": simple("gmp"),
    "Relu": simple("relu"), "Sigmoid": simple("sigmoid"), "Tanh": simple("tanh"),
    "HardSwish": simple("hardswish"), "HardSigmoid": hard_sigmoid, "Add": simple("add"),
    "Mul": simple("mul"), "Concat": concat, "Flatten": flatten,
}
