"""PyTorch leaf modules and functions -> archspec primitive calls (torch_fx.py's tables).

A converter returns ``(op, args, kwargs)``, or None when the call has no equivalent; its
arguments are omitted where they equal the primitive's default.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

Call = tuple[str, tuple[Any, ...], dict[str, Any]]


def _pair(v: Any) -> Any:
    if isinstance(v, (tuple, list)):
        return v[0] if len(set(v)) == 1 else tuple(v)
    return v


def _nondefault(**values: tuple[Any, Any]) -> dict[str, Any]:
    return {k: _pair(v) for k, (v, default) in values.items() if _pair(v) != default}


def conv(m: Any) -> Call | None:
    if m.padding_mode != "zeros":
        return None
    kwargs = _nondefault(s=(m.stride, 1), p=(m.padding, 0), d=(m.dilation, 1),
                         groups=(m.groups, 1))
    if m.bias is None:
        kwargs["bias"] = False
    return "conv", (m.out_channels, _pair(m.kernel_size)), kwargs


def batch_norm(m: Any) -> Call:
    return "bn", (), _nondefault(eps=(m.eps, 1e-5), momentum=(m.momentum, 0.1),
                                 affine=(m.affine, True),
                                 track_running_stats=(m.track_running_stats, True))


def linear(m: Any) -> Call:
    return "linear", (m.out_features,), {} if m.bias is not None else {"bias": False}


def max_pool(m: Any) -> Call | None:
    if m.return_indices:
        return None
    stride = _pair(m.stride)
    kwargs = _nondefault(p=(m.padding, 0), d=(m.dilation, 1), ceil=(m.ceil_mode, False))
    if stride != _pair(m.kernel_size):
        kwargs = {"s": stride, **kwargs}
    return "maxpool", (_pair(m.kernel_size),), kwargs


def avg_pool(m: Any) -> Call:
    stride = _pair(m.stride)
    kwargs = _nondefault(p=(m.padding, 0), ceil=(m.ceil_mode, False),
                         count_include_pad=(m.count_include_pad, True),
                         divisor_override=(m.divisor_override, None))
    if stride != _pair(m.kernel_size):
        kwargs = {"s": stride, **kwargs}
    return "avgpool", (_pair(m.kernel_size),), kwargs


def adaptive_avg(m: Any) -> Call:
    size = _pair(m.output_size)
    return ("gap", (), {}) if size == 1 else ("adaptive_avgpool", (size,), {})


def adaptive_max(m: Any) -> Call:
    size = _pair(m.output_size)
    return ("gmp", (), {}) if size == 1 else ("adaptive_maxpool", (size,), {})


def dropout(op: str) -> Callable[[Any], Call]:
    return lambda m: (op, () if m.p == 0.5 else (m.p,), {})


def flatten(m: Any) -> Call | None:
    if m.start_dim != 1:
        return None
    end = m.end_dim if m.end_dim < 0 else m.end_dim - 1
    return "flatten", (), {} if end == -1 else {"end": end}


def stochastic_depth(m: Any) -> Call | None:
    """torchvision's StochasticDepth in "row" mode is drop_path (per sample)."""
    return ("drop_path", (m.p,), {}) if m.mode == "row" else None


def layer_norm(m: Any) -> Call | None:
    """nn.LayerNorm over its last len(normalized_shape) dims (ConvNeXt's, channels-last)."""
    if m.elementwise_affine and getattr(m, "bias", True) is None:
        return None
    count = len(m.normalized_shape)
    dims = -1 if count == 1 else tuple(range(-count, 0))
    return "layer_norm", (), {"dims": dims, **_nondefault(eps=(m.eps, 1e-5),
                                                          affine=(m.elementwise_affine, True))}


def layer_norm2d(m: Any) -> Call | None:
    """torchvision's and timm's LayerNorm2d: over the channels of a C×H×W map."""
    if len(m.normalized_shape) != 1 or (m.elementwise_affine and m.bias is None):
        return None
    return "layer_norm2d", (), _nondefault(eps=(m.eps, 1e-6), affine=(m.elementwise_affine, True))


def permute(m: Any) -> Call | None:
    """torchvision's Permute module (batch dim first and kept)."""
    return permutation(list(m.dims))


def permutation(dims: list[Any]) -> Call | None:
    if not dims or dims[0] != 0 or not all(isinstance(d, int) and d > 0 for d in dims[1:]):
        return None
    return "permute", ([d - 1 for d in dims[1:]],), {}


def simple(op: str) -> Callable[[Any], Call]:
    return lambda m: (op, (), {})


MODULES: dict[str, Callable[[Any], Call | None]] = {
    "Conv2d": conv, "BatchNorm2d": batch_norm, "BatchNorm1d": batch_norm, "Linear": linear,
    "MaxPool2d": max_pool, "AvgPool2d": avg_pool, "AdaptiveAvgPool2d": adaptive_avg,
    "AdaptiveMaxPool2d": adaptive_max, "Dropout": dropout("dropout"),
    "Dropout2d": dropout("dropout2d"), "Flatten": flatten, "Identity": simple("identity"),
    "StochasticDepth": stochastic_depth, "LayerNorm": layer_norm, "LayerNorm2d": layer_norm2d,
    "Permute": permute,
    "ReLU": simple("relu"), "ReLU6": simple("relu6"), "Sigmoid": simple("sigmoid"),
    "Tanh": simple("tanh"), "SiLU": simple("silu"), "Hardswish": simple("hardswish"),
    "Hardsigmoid": simple("hardsigmoid"),
    "GELU": lambda m: ("gelu", (), {} if m.approximate == "none" else
                       {"approximate": m.approximate}),
    "LeakyReLU": lambda m: ("leaky_relu", () if m.negative_slope == 0.01 else
                            (m.negative_slope,), {}),
    "LocalResponseNorm": lambda m: ("lrn", (m.size,), _nondefault(
        alpha=(m.alpha, 0.0001), beta=(m.beta, 0.75), k=(m.k, 1.0))),
    "Softmax": lambda m: ("softmax", (), {"dim": m.dim - 1}) if m.dim and m.dim > 0 else None,
    "ChannelShuffle": lambda m: ("channel_shuffle", (m.groups,), {}),
}


def function_table() -> dict[Any, str]:
    """Functions and methods whose single tensor argument maps to an argument-free op."""
    import torch
    import torch.nn.functional as F
    table: dict[Any, str] = {}
    for op in ("relu", "sigmoid", "tanh"):
        table[getattr(torch, op)] = table[getattr(F, op, None)] = table[op] = op
    for op in ("relu6", "silu", "hardswish", "hardsigmoid"):
        table[getattr(F, op)] = table[op] = op
    table.pop(None, None)
    return table


def binary(target: Any) -> str | None:
    import torch
    if target in (operator.add, operator.iadd, torch.add, "add", "add_"):
        return "add"
    if target in (operator.mul, operator.imul, torch.mul, "mul", "mul_"):
        return "mul"
    return None


def bind(n: Any, names: tuple[str, ...], defaults: dict[str, Any]) -> dict[str, Any] | None:
    """The arguments after the tensor, by name (None if one is unknown)."""
    values = dict(defaults)
    values.update(zip(names, n.args[1:]))
    for k, v in n.kwargs.items():
        if k not in names and k not in ("inplace", "training"):
            return None
        values[k] = v
    return values


def f_adaptive(op: str, global_op: str) -> Callable[[Any], Call | None]:
    def rule(n: Any) -> Call | None:
        b = bind(n, ("output_size",), {})
        if b is None or "output_size" not in b:
            return None
        size = _pair(b["output_size"])
        return (global_op, (), {}) if size == 1 else (op, (size,), {})
    return rule


POOL_ARGS = {"avg_pool2d": ("kernel_size", "stride", "padding", "ceil_mode",
                            "count_include_pad", "divisor_override"),
             "max_pool2d": ("kernel_size", "stride", "padding", "dilation", "ceil_mode",
                            "return_indices")}


def f_pool(name: str) -> Callable[[Any], Call | None]:
    def rule(n: Any) -> Call | None:
        b = bind(n, POOL_ARGS[name], {"stride": None, "padding": 0, "dilation": 1,
                                       "ceil_mode": False, "count_include_pad": True,
                                       "divisor_override": None, "return_indices": False})
        if b is None or "kernel_size" not in b or b["return_indices"]:
            return None
        kernel = _pair(b["kernel_size"])
        stride = kernel if b["stride"] in (None, []) else _pair(b["stride"])
        kwargs = {} if stride == kernel else {"s": stride}
        kwargs.update(_nondefault(p=(b["padding"], 0), d=(b["dilation"], 1),
                                  ceil=(b["ceil_mode"], False),
                                  count_include_pad=(b["count_include_pad"], True),
                                  divisor_override=(b["divisor_override"], None)))
        if name == "avg_pool2d":
            kwargs.pop("d", None)
        return ("avgpool" if name == "avg_pool2d" else "maxpool"), (kernel,), kwargs
    return rule


def f_mean(n: Any) -> Call | None:
    b = bind(n, ("dim", "keepdim"), {"dim": None, "keepdim": False})
    if b is None or b["dim"] is None:
        return None
    dims = b["dim"] if isinstance(b["dim"], (list, tuple)) else [b["dim"]]
    meta = n.args[0].meta.get("tensor_meta")
    return mean_call(dims, len(meta.shape) if hasattr(meta, "shape") else 0, b["keepdim"])


def mean_call(dims: list[int], rank: int, keepdim: bool) -> Call | None:
    """``mean`` over torch ``dims`` of a rank-``rank`` tensor (0: unknown), written as
    non-batch dims, negative when the rank is known (the last two: the default)."""
    if rank:
        dims = [d - rank if d >= 0 else d for d in dims]
    if any(d == 0 or d == -rank for d in dims):
        return None
    shifted = tuple(d - 1 if d > 0 else d for d in dims)
    return "mean", (), _nondefault(dims=(shifted, (-2, -1)), keepdim=(keepdim, True))


def f_dropout(n: Any) -> Call | None:
    b = bind(n, ("p", "training", "inplace"), {"p": 0.5})
    return None if b is None else ("dropout", () if b["p"] == 0.5 else (b["p"],), {})


def f_permute(n: Any) -> Call | None:
    """``x.permute(0, 2, 3, 1)``, ``torch.permute(x, [0, 2, 3, 1])``, ``dims=`` by name."""
    dims = list(n.args[1:])
    if len(dims) == 1 and isinstance(dims[0], (list, tuple)):
        dims = list(dims[0])
    if not dims and isinstance(n.kwargs.get("dims"), (list, tuple)):
        dims = list(n.kwargs["dims"])
    return permutation(dims)


FUNCTIONS: dict[Any, Callable[[Any], Call | None]] = {
    "adaptive_avg_pool2d": f_adaptive("adaptive_avgpool", "gap"),
    "adaptive_max_pool2d": f_adaptive("adaptive_maxpool", "gmp"),
    "avg_pool2d": f_pool("avg_pool2d"), "max_pool2d": f_pool("max_pool2d"),
    "mean": f_mean, "dropout": f_dropout, "permute": f_permute,
}
