"""Caffe .prototxt -> FlatNet (one labelled primitive per Caffe layer).

Both the ``layer {}`` syntax and the legacy ``layers {}`` one (V1 enum types), the three input
declarations (``input`` + 4 ``input_dim``, ``input`` + ``input_shape``, an ``Input`` layer) and
in-place layers (top == bottom) are read. Layer names become labels (``fire2/squeeze1x1`` ->
``fire2_squeeze1x1``). Layer conversions live in ``caffe_layers.py``.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from archspec.errors import SpecErrors, SpecImportError
from archspec.importers.caffe_model import CaffeImport, CaffeLayer, add_input
from archspec.importers.flat import FlatNet
from archspec.importers.prototxt import Field, Message, parse_prototxt
from archspec.source import SourceFile, Span

V1_TYPES = {
    "CONVOLUTION": "Convolution", "POOLING": "Pooling", "RELU": "ReLU", "LRN": "LRN",
    "INNER_PRODUCT": "InnerProduct", "DROPOUT": "Dropout", "SOFTMAX": "Softmax",
    "CONCAT": "Concat", "ELTWISE": "Eltwise", "SPLIT": "Split", "FLATTEN": "Flatten",
    "SIGMOID": "Sigmoid", "TANH": "TanH", "SOFTMAX_LOSS": "SoftmaxWithLoss",
    "ACCURACY": "Accuracy", "DATA": "Data", "POWER": "Power", "BNLL": "BNLL",
    "ABSVAL": "AbsVal", "DECONVOLUTION": "Deconvolution",
}


MAX_PROTOTXT_BYTES = 16 * 2**20   # ResNet-152's deploy file is 0.2 MiB


def load_prototxt(path: str | Path | SourceFile) -> tuple[SourceFile, Message]:
    if isinstance(path, SourceFile):
        return path, parse_prototxt(path)
    from archspec.reading import decode
    try:
        with Path(path).open("rb") as f:
            data = f.read(MAX_PROTOTXT_BYTES + 1)
    except OSError as e:
        raise SpecImportError(f"cannot read {path}: {e.strerror}",
                              Span(SourceFile(str(path), ""), 1, 1)) from None
    if len(data) > MAX_PROTOTXT_BYTES:
        raise SpecImportError("the prototxt is larger than 16 MiB (a .caffemodel?)",
                              Span(SourceFile(str(path), ""), 1, 1),
                              hint="import the text network definition (deploy.prototxt)")
    source = decode(str(path), data)
    return source, parse_prototxt(source)


def import_caffe(path: str | Path | SourceFile, input_shape: tuple[int, ...] | None = None,
                 name: str | None = None) -> FlatNet:
    """The FlatNet of a Caffe deploy prototxt (raises SpecError / SpecErrors, located)."""
    from archspec.importers.caffe_layers import CONVERTERS, SKIPPED, convert_all
    source, msg = load_prototxt(path)
    stem = Path(source.name).name.split(".")[0]
    state = CaffeImport(FlatNet(name or str(msg.get("name") or stem) or "imported",
                                guessed_classes=True))
    declare_net_inputs(state, msg)
    layers = [caffe_layer(f) for f in msg.all("layer") + msg.all("layers")
              if isinstance(f.value, Message) and not train_only(f.value)]
    layers.sort(key=lambda cl: (cl.msg.span.line, cl.msg.span.col))
    unsupported = [cl for cl in layers if cl.type not in CONVERTERS and cl.type not in SKIPPED]
    if unsupported:
        raise_unsupported(unsupported)
    state.families = families([cl.name for cl in layers])
    convert_all(state, [cl for cl in layers if cl.type not in SKIPPED])
    if input_shape is not None:
        override_input(state, input_shape)
    state.net.outputs = [t for t in state.producers if t not in state.consumed]
    return state.net


def families(names: list[str]) -> dict[str, str]:
    """Name prefixes (before ``/``) that number one family: fire2 ... fire9 -> fire,
    inception_3a ... inception_5b -> inception; a family needs two members."""
    prefixes = dict.fromkeys(n.split("/")[0] for n in names if "/" in n)
    family = {p: re.sub(r"_?\d+[a-z]?$", "", p) for p in prefixes}
    counts = Counter(family.values())
    return {p: f for p, f in family.items() if f and f != p and counts[f] >= 2}


def caffe_layer(f: Field) -> CaffeLayer:
    msg = f.value
    assert isinstance(msg, Message)
    type_field = msg.first("type")
    if type_field is None:
        raise SpecImportError("layer without a `type`", f.span)
    kind = str(type_field.value)
    return CaffeLayer(str(msg.get("name", kind)), V1_TYPES.get(kind, kind),
                      [str(b) for b in msg.values("bottom")],
                      [str(t) for t in msg.values("top")], msg, type_field.span)


def train_only(msg: Message) -> bool:
    phases = [str(inc.value.get("phase")) for inc in msg.all("include")
              if isinstance(inc.value, Message)]
    return bool(phases) and "TEST" not in phases


def raise_unsupported(layers: list[CaffeLayer]) -> None:
    from archspec.importers.caffe_layers import CONVERTERS
    known = ", ".join(sorted(CONVERTERS))
    errors = [SpecImportError(f"unsupported Caffe layer type '{cl.type}' (layer '{cl.name}')",
                              cl.span, hint=f"supported: {known}") for cl in layers]
    raise errors[0] if len(errors) == 1 else SpecErrors(errors)


def declare_net_inputs(state: CaffeImport, msg: Message) -> None:
    """``input: "data"`` with four ``input_dim`` per input, or one ``input_shape`` each."""
    names = msg.all("input")
    dims = [int(v) for v in msg.values("input_dim")]
    shapes = [[int(d) for d in s.value.values("dim")] for s in msg.all("input_shape")
              if isinstance(s.value, Message)]
    for i, f in enumerate(names):
        if i < len(shapes):
            shape = shapes[i]
        elif len(dims) >= 4 * (i + 1):
            shape = dims[4 * i:4 * i + 4]
        else:
            raise SpecImportError(f"input '{f.value}' has no shape", f.span,
                                  hint="give four `input_dim` values or an `input_shape`")
        add_input(state, str(f.value), shape, f.span)


def override_input(state: CaffeImport, shape: tuple[int, ...]) -> None:
    if not state.net.inputs:
        return
    name, _ = state.net.inputs[0]
    state.net.inputs[0] = (name, tuple(shape))
