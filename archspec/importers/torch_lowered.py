"""archspec's own functional lowerings, read back: the calls a built spec's program makes.

``archspec/ops/*.py`` lowers some primitives to one functional call (``F.pad``,
``F.local_response_norm``, ``F.interpolate``, ``x[:, a:b]``...) and a few to archspec's own
modules (``DropPath``). Each rule here recognises exactly that call, so that a built network
imports back to the primitive it was built from (``tests/importers/test_roundtrip.py``); the
same calls written by hand in a PyTorch model map the same way. A rule returns
``(op, args, kwargs)`` like ``torch_ops``' converters, or None when the call has no primitive.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from archspec.importers.flat import port_ref
from archspec.importers.torch_ops import Call, _nondefault, _pair, bind, f_pool

FULL = slice(None)


def getitem_slice(n: Any) -> Call | None:
    """``x[:, a:b]`` (one sliced non-batch dim) is ``slice``; ``x[:, :, ::sh, ::sw]`` is
    ``subsample``."""
    index = n.args[1]
    index = index if isinstance(index, tuple) else (index,)
    if not index or not all(isinstance(i, slice) for i in index) or index[0] != FULL:
        return None
    if len(index) == 4 and index[1] == FULL and is_stride(index[2]) and is_stride(index[3]):
        return "subsample", (_pair((index[2].step, index[3].step)),), {}
    cut = [(dim, s) for dim, s in enumerate(index[1:]) if s != FULL]
    if len(cut) != 1:
        return None
    dim, s = cut[0]
    kwargs = {k: v for k, v in (("start", s.start), ("stop", s.stop)) if v is not None}
    if s.step not in (None, 1):
        kwargs["step"] = s.step
    if dim:
        kwargs["dim"] = dim
    if s.start is not None and s.stop is not None:   # written slice(start, stop, ...)
        return "slice", (kwargs.pop("start"), kwargs.pop("stop")), kwargs
    return "slice", (), kwargs


def is_stride(s: slice) -> bool:
    return s.start is None and s.stop is None and isinstance(s.step, int) and s.step > 1


def pad(n: Any) -> Call | None:
    """``F.pad(x, (left, right, top, bottom[, before, after]), mode=, value=)``."""
    b = bind(n, ("pad", "mode", "value"), {"mode": "constant", "value": None})
    amounts = b and b.get("pad")
    if not isinstance(amounts, (tuple, list)) or len(amounts) not in (4, 6):
        return None
    kwargs = {} if not any(amounts[:4]) else {"spatial": _pair(amounts[:4])}
    if len(amounts) == 6 and any(amounts[4:]):
        kwargs["channels"] = _pair(amounts[4:])
    if b["mode"] != "constant":
        kwargs["mode"] = b["mode"]
    elif b["value"] not in (None, 0):
        kwargs["value"] = float(b["value"])
    return "pad", (), kwargs


def local_response_norm(n: Any) -> Call | None:
    b = bind(n, ("size", "alpha", "beta", "k"), {"alpha": 1e-4, "beta": 0.75, "k": 1.0})
    if b is None or not isinstance(b.get("size"), int):
        return None
    return "lrn", (b["size"],), _nondefault(alpha=(b["alpha"], 1e-4), beta=(b["beta"], 0.75),
                                            k=(b["k"], 1.0))


def gelu(n: Any) -> Call | None:
    b = bind(n, ("approximate",), {"approximate": "none"})
    if b is None:
        return None
    return "gelu", (), _nondefault(approximate=(b["approximate"], "none"))


def softmax(op: str) -> Callable[[Any], Call | None]:
    """``torch.softmax(x, dim)`` / ``torch.log_softmax`` over a non-batch dim."""
    def rule(n: Any) -> Call | None:
        b = bind(n, ("dim",), {})
        dim = b.get("dim") if b else None
        if not isinstance(dim, int) or dim == 0:
            return None
        return op, (), _nondefault(dim=(dim - 1 if dim > 0 else dim, 0))
    return rule


def reshape(n: Any) -> Call | None:
    """``torch.reshape(x, (-1, *shape))``: the batch dim inferred, the others given."""
    b = bind(n, ("shape",), {})
    shape = b.get("shape") if b else None
    if not isinstance(shape, (tuple, list)) or len(shape) < 2 or shape[0] != -1 or \
            not all(isinstance(s, int) and s > 0 for s in shape[1:]):
        return None
    return "reshape", (list(shape[1:]),), {}


def transpose(n: Any) -> Call | None:
    """``torch.transpose(x, a, b)`` of non-batch dims (bare ``transpose``: the last two)."""
    b = bind(n, ("dim0", "dim1"), {})
    rank = tensor_rank(n.args[0])
    dims = (b or {}).get("dim0"), (b or {}).get("dim1")
    if not all(isinstance(d, int) for d in dims) or rank < 2:
        return None
    d0, d1 = sorted(d % rank for d in dims)
    if d0 == 0:
        return None
    return ("transpose", (), {}) if (d0, d1) == (rank - 2, rank - 1) else \
        ("transpose", (d0 - 1, d1 - 1), {})


def tensor_rank(n: Any) -> int:
    meta = getattr(n, "meta", {}).get("tensor_meta")
    return len(meta.shape) if hasattr(meta, "shape") else -1


def interpolate(n: Any) -> Call | None:
    """``F.interpolate(x, size= | scale_factor=, mode=, align_corners=)``; a size pair stays
    a pair (archspec lowers every size to one)."""
    b = bind(n, ("size", "scale_factor", "mode", "align_corners", "recompute_scale_factor",
                 "antialias"), {"size": None, "scale_factor": None, "mode": "nearest",
                                "align_corners": None, "antialias": False,
                                "recompute_scale_factor": None})
    if b is None or (b["size"] is None) == (b["scale_factor"] is None) or b["antialias"] or \
            b["recompute_scale_factor"]:
        return None
    size = tuple(b["size"]) if isinstance(b["size"], (tuple, list)) else b["size"]
    kwargs = {"size": size} if size is not None else {"scale": _pair(b["scale_factor"])}
    kwargs.update(_nondefault(mode=(b["mode"], "nearest"),
                              align_corners=(b["align_corners"], None)))
    return "upsample", (), kwargs


def drop_path(m: Any) -> Call | None:
    """archspec's DropPath (``p``), or timm's (``drop_prob``, scaled by the kept fraction)."""
    p = getattr(m, "p", None)
    if p is None and getattr(m, "scale_by_keep", False):
        p = getattr(m, "drop_prob", None)
    if not isinstance(p, (int, float)):
        return None
    return "drop_path", () if p == 0.0 else (float(p),), {}


def affine_grid(n: Any) -> Call | None:
    """archspec's ``affine_grid(theta, like, align_corners)`` (``ops/torch_modules.py``)."""
    b = bind(n, ("like", "align_corners"), {"align_corners": False})
    if b is None or not hasattr(b.get("like"), "op"):
        return None
    return "affine_grid", (), _nondefault(align_corners=(b["align_corners"], False))


def grid_sample(n: Any) -> Call | None:
    b = bind(n, ("grid", "mode", "padding_mode", "align_corners"),
             {"mode": "bilinear", "padding_mode": "zeros", "align_corners": None})
    if b is None or not hasattr(b.get("grid"), "op"):
        return None
    return "grid_sample", (), _nondefault(mode=(b["mode"], "bilinear"),
                                          padding_mode=(b["padding_mode"], "zeros"),
                                          align_corners=(bool(b["align_corners"]), False))


def matmul(n: Any) -> Call | None:
    return ("matmul", (), {}) if len(n.args) == 2 and not n.kwargs else None


def deform_conv(m: Any, n: Any) -> Call | None:
    """torchvision's DeformConv2d called on ``(x, offset[, mask])``; its offset groups are
    the offset's channels over 2·kh·kw."""
    offset = getattr(n.args[1], "meta", {}).get("tensor_meta") if len(n.args) > 1 else None
    kh, kw = m.kernel_size
    if not hasattr(offset, "shape") or offset.shape[1] % (2 * kh * kw):
        return None
    kwargs = _nondefault(s=(m.stride, 1), p=(m.padding, 0), d=(m.dilation, 1),
                         groups=(m.groups, 1),
                         offset_groups=(offset.shape[1] // (2 * kh * kw), 1))
    if m.bias is None:
        kwargs["bias"] = False
    return "deform_conv", (m.out_channels, _pair(m.kernel_size)), kwargs


def max_pool_with_indices(n: Any) -> Call | None:
    """``F.max_pool2d_with_indices``: a maxpool whose port 1 is ``.indices`` (``port_of``)."""
    call = f_pool("max_pool2d")(n)
    return None if call is None else (call[0], call[1], {**call[2], "return_indices": True})


def max_unpool(n: Any) -> Call | None:
    """``F.max_unpool2d(x, indices, kernel, stride, padding, output_size)``."""
    b = bind(n, ("indices", "kernel_size", "stride", "padding", "output_size"),
             {"stride": None, "padding": 0, "output_size": None})
    if b is None or "kernel_size" not in b:
        return None
    kernel = _pair(b["kernel_size"])
    stride = kernel if b["stride"] is None else _pair(b["stride"])
    kwargs = {} if stride == kernel else {"s": stride}
    kwargs.update(_nondefault(p=(b["padding"], 0)))
    if b["output_size"] is not None:
        kwargs["output_size"] = list(b["output_size"])[-2:]
    return "max_unpool", (kernel,), kwargs


# Multi-output calls whose parts are taken with ``getitem``: the spec name of each port.
PORTS = {"max_pool2d_with_indices": ("", "indices")}


def port_of(n: Any) -> str | None:
    """The tensor ``parts[i]`` stands for: the call itself for port 0, ``call.name`` for a
    named port (``pool.indices``); None when ``n`` is not such a part."""
    import operator
    source = n.args[0] if n.target is operator.getitem and n.args else None
    names = PORTS.get(getattr(getattr(source, "target", None), "__name__", None))
    index = n.args[1] if source is not None else None
    if names is None or not isinstance(index, int) or not 0 <= index < len(names):
        return None
    return port_ref(source.name, names[index]) if names[index] else source.name


def conv_transpose(m: Any) -> Call | None:
    if m.padding_mode != "zeros":
        return None
    kwargs = _nondefault(s=(m.stride, 1), p=(m.padding, 0),
                         output_padding=(m.output_padding, 0), d=(m.dilation, 1),
                         groups=(m.groups, 1))
    if m.bias is None:
        kwargs["bias"] = False
    return "conv_transpose", (m.out_channels, _pair(m.kernel_size)), kwargs


def group_norm(m: Any) -> Call:
    return "group_norm", (m.num_groups,), _nondefault(eps=(m.eps, 1e-5),
                                                      affine=(m.affine, True))


def prelu(m: Any) -> Call:
    """nn.PReLU: one slope, or one per channel (``channels="all"``)."""
    kwargs = {} if m.num_parameters == 1 else {"channels": "all"}
    return "prelu", (), {**kwargs, **_nondefault(init=(getattr(m, "init", 0.25), 0.25))}


def activation(op: str, arg: str, default: float) -> Callable[[Any], Call | None]:
    """``F.elu(x, alpha)``, ``F.leaky_relu(x, negative_slope)``: one number after x."""
    def rule(n: Any) -> Call | None:
        b = bind(n, (arg,), {arg: default})
        value = b.get(arg) if b else None
        if not isinstance(value, (int, float)):
            return None
        return op, () if value == default else (value,), {}
    return rule


def select(n: Any) -> Call | None:
    """``torch.select(x, dim, index)`` of a non-batch dim."""
    b = bind(n, ("dim", "index"), {})
    dim, index = (b or {}).get("dim"), (b or {}).get("index")
    if not isinstance(dim, int) or not isinstance(index, int) or dim < 1:
        return None
    return "select", (index,), _nondefault(dim=(dim - 1, 0))


def lenet_pool(m: Any) -> Call:
    kernel = _pair(m.kernel_size)
    return "lenet_pool", () if kernel == 2 else (kernel,), {}


def table_conv(m: Any) -> Call:
    from archspec.ops.lenet import LENET_C3_TABLE
    table = tuple(tuple(row) for row in m.table)
    kwargs: dict[str, Any] = {} if table == LENET_C3_TABLE else \
        {"table": [list(row) for row in table]}
    if m.bias is None:
        kwargs["bias"] = False
    return "table_conv", (m.out_channels, _pair(m.kernel_size)), kwargs


def rbf(m: Any) -> Call:
    """LeNet's RBF output: its prototypes are the seven-segment digits ('lenet') or the
    seeded pattern ('binary'); a model on the meta device has no values to tell, and its
    10×84 prototypes are taken for the digits."""
    import torch

    from archspec.ops.lenet import rbf_prototypes
    out, fan_in = m.prototypes.shape
    kind = "lenet" if (out, fan_in) == (10, 84) else "binary"
    if kind == "lenet" and not m.prototypes.is_meta:
        digits = torch.tensor(rbf_prototypes("lenet", 10, 84), dtype=m.prototypes.dtype)
        kind = "lenet" if torch.equal(m.prototypes.cpu(), digits) else "binary"
    return "rbf", (out,), {} if kind == "lenet" else {"prototypes": kind}


MODULES: dict[str, Callable[[Any], Call | None]] = {
    "DropPath": drop_path, "LeNetPool2d": lenet_pool, "TableConv2d": table_conv, "RBF": rbf,
    "ConvTranspose2d": conv_transpose, "GroupNorm": group_norm, "PReLU": prelu,
}

# Modules called on several tensors: ``rule(module, fx node)``.
MULTI_INPUT_MODULES: dict[str, Callable[[Any, Any], Call | None]] = {
    "DeformConv2d": deform_conv,
}


FUNCTIONS: dict[Any, Callable[[Any], Call | None]] = {
    "pad": pad, "local_response_norm": local_response_norm, "gelu": gelu,
    "softmax": softmax("softmax"), "log_softmax": softmax("log_softmax"),
    "interpolate": interpolate, "reshape": reshape, "transpose": transpose,
    "max_pool2d_with_indices": max_pool_with_indices, "select": select,
    "elu": activation("elu", "alpha", 1.0),
    "leaky_relu": activation("leaky_relu", "negative_slope", 0.01),
    "identity": lambda n: ("identity", (), {}) if len(n.args) == 1 and not n.kwargs else None,
}

# Functions of several tensors: the call's tensors, in order, are the layer's inputs.
MULTI_INPUT: dict[Any, Callable[[Any], Call | None]] = {
    "affine_grid": affine_grid, "grid_sample": grid_sample, "matmul": matmul,
    "max_unpool2d": max_unpool,
}
