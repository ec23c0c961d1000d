"""One converter per Caffe layer type: CaffeLayer -> archspec primitives (caffe.py's table)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from archspec.errors import SpecImportError
from archspec.importers.caffe_model import CaffeImport, CaffeLayer, add_input
from archspec.importers.prototxt import Message

Converter = Callable[[CaffeImport, CaffeLayer], None]
CONVERTERS: dict[str, Converter] = {}
SKIPPED = frozenset({"Silence"})


def converter(*types: str) -> Callable[[Converter], Converter]:
    def register(fn: Converter) -> Converter:
        for t in types:
            CONVERTERS[t] = fn
        return fn
    return register


def convert_all(state: CaffeImport, layers: list[CaffeLayer]) -> None:
    for cl in layers:
        CONVERTERS[cl.type](state, cl)


def pair_value(h: int, w: int) -> int | tuple[int, int]:
    return h if h == w else (h, w)


def spatial(cl: CaffeLayer, p: Message, name: str, short: str, default: int | None
            ) -> int | tuple[int, int]:
    """A per-axis Caffe value: ``name: v``, ``name: h name: w``, or ``short_h`` / ``short_w``."""
    h, w = p.get(short + "_h"), p.get(short + "_w")
    if h is not None or w is not None:
        if h is None or w is None:
            raise SpecImportError(f"layer '{cl.name}' gives only one of {short}_h and "
                                  f"{short}_w", p.span)
        return pair_value(int(h), int(w))
    values = [int(v) for v in p.values(name)]
    if not values:
        if default is None:
            raise SpecImportError(f"layer '{cl.name}' has no {name}", p.span)
        return default
    if len(values) > 2:
        raise SpecImportError(f"layer '{cl.name}': {len(values)}-D {name} (only 2-D)",
                              p.all(name)[2].span)
    return values[0] if len(values) == 1 else pair_value(*values)


def required(cl: CaffeLayer, p: Message, name: str) -> Any:
    value = p.get(name)
    if value is None:
        raise SpecImportError(f"layer '{cl.name}' ({cl.type}) needs `{name}`", p.span)
    return value


@converter("Input")
def input_layer(state: CaffeImport, cl: CaffeLayer) -> None:
    shapes = [s.value for s in cl.param("input_param").all("shape")]
    for i, top in enumerate(cl.tops):
        if i >= len(shapes) or not isinstance(shapes[i], Message):
            raise SpecImportError(f"Input layer '{cl.name}' has no shape for '{top}'", cl.span)
        add_input(state, top, [int(d) for d in shapes[i].values("dim")], cl.msg.span)


@converter("Convolution")
def convolution(state: CaffeImport, cl: CaffeLayer) -> None:
    p = cl.param("convolution_param")
    kwargs: dict[str, Any] = {}
    for key, name, default in (("s", "stride", 1), ("p", "pad", 0), ("d", "dilation", 1)):
        value = spatial(cl, p, name, name, default)
        if value != default:
            kwargs[key] = value
    if int(p.get("group", 1)) != 1:
        kwargs["groups"] = int(p.get("group", 1))
    if p.get("bias_term", True) is False:
        kwargs["bias"] = False
    kernel = spatial(cl, p, "kernel_size", "kernel", None)
    state.add(cl, "conv", (int(required(cl, p, "num_output")), kernel), kwargs)


@converter("InnerProduct")
def inner_product(state: CaffeImport, cl: CaffeLayer) -> None:
    p = cl.param("inner_product_param")
    x = state.source(cl)
    if x not in state.vectors:
        x = state.add(cl, "flatten", vector=True, labeled=False).out
    kwargs = {} if p.get("bias_term", True) is not False else {"bias": False}
    state.add(cl, "linear", (int(required(cl, p, "num_output")),), kwargs, [x], vector=True)


@converter("Pooling")
def pooling(state: CaffeImport, cl: CaffeLayer) -> None:
    """Caffe rounds the output size up, then drops a last window starting at or past
    ``H + pad`` when pad > 0: torch's ``ceil_mode`` rule, which also drops it when pad == 0.
    The two differ only when stride > kernel with no padding, which is refused."""
    p = cl.param("pooling_param")
    kind = str(p.get("pool", "MAX"))
    if kind not in ("MAX", "AVE"):
        raise SpecImportError(f"pooling '{kind}' of layer '{cl.name}' is not supported",
                              (p.first("pool") or cl).span, hint="MAX and AVE are")
    if p.get("global_pooling", False):
        state.add(cl, "gmp" if kind == "MAX" else "gap")
        return
    kernel = spatial(cl, p, "kernel_size", "kernel", None)
    stride = spatial(cl, p, "stride", "stride", 1)
    pad = spatial(cl, p, "pad", "pad", 0)
    if pad == 0 and any(s > k for s, k in zip(_two(stride), _two(kernel))):
        raise SpecImportError(f"pooling layer '{cl.name}': stride larger than the kernel "
                              "without padding rounds differently in Caffe and torch",
                              cl.span, hint="pad the input or use stride <= kernel")
    kwargs: dict[str, Any] = {"s": stride}
    if pad != 0:
        kwargs["p"] = pad
    if stride != 1:
        kwargs["ceil"] = True
    state.add(cl, "maxpool" if kind == "MAX" else "avgpool", (kernel,), kwargs)


def _two(v: int | tuple[int, int]) -> tuple[int, int]:
    return (v, v) if isinstance(v, int) else v


@converter("ReLU")
def relu(state: CaffeImport, cl: CaffeLayer) -> None:
    slope = float(cl.param("relu_param").get("negative_slope", 0.0))
    if slope:
        state.add(cl, "leaky_relu", (slope,))
    else:
        state.add(cl, "relu")


@converter("Sigmoid", "TanH")
def squash(state: CaffeImport, cl: CaffeLayer) -> None:
    state.add(cl, "sigmoid" if cl.type == "Sigmoid" else "tanh")


@converter("LRN")
def lrn(state: CaffeImport, cl: CaffeLayer) -> None:
    p = cl.param("lrn_param")
    if str(p.get("norm_region", "ACROSS_CHANNELS")) != "ACROSS_CHANNELS":
        raise SpecImportError(f"LRN layer '{cl.name}': only ACROSS_CHANNELS is supported",
                              (p.first("norm_region") or cl).span)
    kwargs = {"alpha": float(p.get("alpha", 1.0)), "beta": float(p.get("beta", 0.75))}
    if float(p.get("k", 1.0)) != 1.0:
        kwargs["k"] = float(p.get("k", 1.0))
    state.add(cl, "lrn", (int(p.get("local_size", 5)),), kwargs)


@converter("Dropout")
def dropout(state: CaffeImport, cl: CaffeLayer) -> None:
    ratio = float(cl.param("dropout_param").get("dropout_ratio", 0.5))
    state.add(cl, "dropout", () if ratio == 0.5 else (ratio,))


@converter("Softmax")
def softmax(state: CaffeImport, cl: CaffeLayer) -> None:
    axis = int(cl.param("softmax_param").get("axis", 1))
    state.add(cl, "softmax", (), {} if axis == 1 else {"dim": axis - 1})


@converter("Flatten")
def flatten(state: CaffeImport, cl: CaffeLayer) -> None:
    state.add(cl, "flatten", vector=True)


@converter("Split")
def split(state: CaffeImport, cl: CaffeLayer) -> None:
    state.alias(cl, state.source(cl))


@converter("Concat")
def concat(state: CaffeImport, cl: CaffeLayer) -> None:
    p = cl.param("concat_param")
    axis = int(p.get("axis", p.get("concat_dim", 1)))
    state.add(cl, "concat", (), {} if axis == 1 else {"dim": axis - 1},
              inputs=state.sources(cl))


@converter("Eltwise")
def eltwise(state: CaffeImport, cl: CaffeLayer) -> None:
    p = cl.param("eltwise_param")
    operation = str(p.get("operation", "SUM"))
    inputs = state.sources(cl)
    if operation == "MAX":
        raise SpecImportError(f"Eltwise MAX (layer '{cl.name}') has no archspec primitive",
                              (p.first("operation") or cl).span,
                              hint="SUM and PROD are supported")
    coeffs = [float(c) for c in p.values("coeff")]
    if coeffs and operation == "SUM":
        inputs = [x if c == 1.0 else state.add(cl, "scale", (c,), inputs=[x], labeled=False).out
                  for x, c in zip(inputs, coeffs)]
    state.add(cl, "add" if operation == "SUM" else "mul", inputs=inputs)


@converter("BatchNorm")
def batch_norm(state: CaffeImport, cl: CaffeLayer) -> None:
    """Caffe's BatchNorm has no affine part; a following Scale supplies it (see scale)."""
    eps = float(cl.param("batch_norm_param").get("eps", 1e-5))
    kwargs: dict[str, Any] = {"affine": False}
    if eps != 1e-5:
        kwargs = {"eps": eps, **kwargs}
    state.add(cl, "bn", (), kwargs)


@converter("Scale")
def scale(state: CaffeImport, cl: CaffeLayer) -> None:
    """A Scale with a bias right after a BatchNorm is that batch norm's affine part."""
    x = state.source(cl)
    bn = state.producers.get(x)
    p = cl.param("scale_param")
    if bn is None or bn.op != "bn" or bn.kwargs.get("affine") is not False:
        raise SpecImportError(f"Scale layer '{cl.name}' must follow a BatchNorm layer",
                              cl.span, hint="a standalone Scale has no archspec primitive")
    if p.get("bias_term", False) is not True:
        raise SpecImportError(f"Scale layer '{cl.name}' has no bias; only BatchNorm + "
                              "Scale(bias_term: true) maps to one batch norm", cl.span)
    del bn.kwargs["affine"]
    state.net.origins[bn.path].append(cl.name)   # its blobs are the bn's weight and bias
    state.alias(cl, x)
