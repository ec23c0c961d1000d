"""PyTorch nn.Module -> FlatNet through ``torch.export``, when torch.fx cannot trace it.

torch.fx traces with proxies, so ``if x.shape[-1] > 8`` fails; ``torch.export`` runs the model
at the given input shape, resolves such conditions and records a graph of core aten ops whose
parameters are lifted to placeholders named by their state_dict keys. Each aten call becomes
one primitive; a stateful layer's path is its parameters' module (``blocks.0.conv``), so the
spec keeps the original keys, and ``nn_module_stack`` gives the enclosing instances for block
recovery, as in ``torch_fx.py``. Computations on parameters alone (``aten.t`` of a linear
weight) are not layers.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from archspec.errors import SpecImportError
from archspec.importers.flat import FlatNet, Layer
from archspec.importers.torch_ops import MODULES, _nondefault, _pair, mean_call
from archspec.source import UNKNOWN

Converted = tuple[str, tuple[Any, ...], dict[str, Any], list[Any]]  # op, args, kwargs, inputs


def export_program(model: Any, shape: tuple[int, ...]) -> Any:
    import torch
    with torch.no_grad():
        return torch.export.export(model, (torch.zeros(1, *shape),), strict=False)


class Exported:
    """One exported program being converted: parameter keys and the data-dependent nodes."""

    def __init__(self, program: Any):
        sig = program.graph_signature
        self.keys = {**sig.inputs_to_parameters, **sig.inputs_to_buffers}
        self.user_inputs = list(sig.user_inputs)
        self.graph = program.graph
        self.alias: dict[str, str] = {}     # passthrough node -> the tensor it is
        self.on_data = self.data_nodes()

    def data_nodes(self) -> set[str]:
        """Nodes computed from the input (the rest compute on parameters only)."""
        data = set(self.user_inputs)
        for n in self.graph.nodes:
            if n.op == "call_function" and any(a.name in data for a in tensor_args(n)):
                data.add(n.name)
        return data

    def module_of(self, param: Any) -> str | None:
        key = self.keys.get(getattr(param, "name", None))
        return key.rsplit(".", 1)[0] if key and "." in key else None

    def ref(self, n: Any) -> str:
        return self.alias.get(n.name, n.name)


def tensor_args(n: Any) -> list[Any]:
    flat: list[Any] = []
    for a in (*n.args, *n.kwargs.values()):
        flat.extend(a if isinstance(a, (list, tuple)) else [a])
    return [a for a in flat if hasattr(a, "op")]


def shape_of(n: Any) -> tuple[int, ...]:
    val = n.meta.get("val")
    return tuple(int(d) for d in val.shape) if hasattr(val, "shape") else ()


def args_with(n: Any, defaults: list[Any]) -> list[Any]:
    """The first len(defaults) arguments, by position or name, else their defaults."""
    names = [a.name for a in n.target._schema.arguments]
    values = (list(n.args) + defaults[len(n.args):])[:len(defaults)]
    for k, v in n.kwargs.items():
        if k in names and names.index(k) < len(values):
            values[names.index(k)] = v
    return values


def conv(n: Any, ex: Exported) -> Converted | None:
    if n.target.overloadpacket.__name__ == "convolution":
        x, w, b, stride, padding, dilation, transposed, _, groups = args_with(
            n, [None] * 3 + [1, 0, 1, False, 0, 1])
        if transposed:
            return None
    else:
        x, w, b, stride, padding, dilation, groups = args_with(n, [None] * 3 + [1, 0, 1, 1])
    if isinstance(padding, str):
        return None
    kwargs = _nondefault(s=(stride, 1), p=(padding, 0), d=(dilation, 1), groups=(groups, 1))
    if b is None:
        kwargs["bias"] = False
    out, _, *kernel = shape_of(w)
    return "conv", (out, _pair(kernel)), kwargs, [x]


def batch_norm(n: Any, ex: Exported) -> Converted | None:
    name = n.target.overloadpacket.__name__
    if name == "batch_norm":
        x, w, _, mean, _, training, momentum, eps = args_with(n, [None] * 5 + [False, .1, 1e-5])
    else:   # _native_batch_norm_legit_no_training(x, w, b, mean, var, momentum, eps)
        x, w, _, mean, _, momentum, eps = args_with(n, [None] * 5 + [.1, 1e-5])
        training = False
    if training or mean is None:
        return None
    return "bn", (), _nondefault(eps=(eps, 1e-5), momentum=(momentum, 0.1),
                                 affine=(w is not None, True)), [x]


def linear(n: Any, ex: Exported) -> Converted | None:
    x, w, b = args_with(n, [None, None, None])
    return "linear", (shape_of(w)[0],), {} if b is not None else {"bias": False}, [x]


def addmm(n: Any, ex: Exported) -> Converted | None:
    """``addmm(bias, x, t(weight))``: a linear layer, as older exports write it."""
    b, x, wt = args_with(n, [None, None, None, 1, 1])[:3]
    if wt.target.overloadpacket.__name__ not in ("t", "permute"):
        return None
    n.meta["archspec_weight"] = wt.args[0]
    return "linear", (shape_of(wt)[1],), {}, [x]


def pool(op: str) -> Callable[[Any, Exported], Converted | None]:
    def rule(n: Any, ex: Exported) -> Converted | None:
        if op == "maxpool":
            x, kernel, stride, padding, dilation, ceil = args_with(n, [None, None, [], 0, 1, 0])
            extra = _nondefault(p=(padding, 0), d=(dilation, 1), ceil=(bool(ceil), False))
        else:
            x, kernel, stride, padding, ceil, include, divisor = args_with(
                n, [None, None, [], 0, False, True, None])
            extra = _nondefault(p=(padding, 0), ceil=(ceil, False),
                                count_include_pad=(include, True), divisor_override=(divisor, None))
        kernel = _pair(kernel)
        stride = kernel if stride in (None, []) else _pair(stride)
        return op, (kernel,), ({} if stride == kernel else {"s": stride}) | extra, [x]
    return rule


def adaptive(op: str, global_op: str) -> Callable[[Any, Exported], Converted | None]:
    def rule(n: Any, ex: Exported) -> Converted | None:
        size = _pair(n.args[1])
        return (global_op, (), {}, [n.args[0]]) if size == 1 else (op, (size,), {}, [n.args[0]])
    return rule


def simple(op: str) -> Callable[[Any, Exported], Converted | None]:
    return lambda n, ex: (op, (), {}, [n.args[0]]) if len(tensor_args(n)) == 1 else None


def hardtanh(n: Any, ex: Exported) -> Converted | None:
    return ("relu6", (), {}, [n.args[0]]) if tuple(n.args[1:3]) == (0.0, 6.0) else None


def binary(op: str) -> Callable[[Any, Exported], Converted | None]:
    def rule(n: Any, ex: Exported) -> Converted | None:
        a, b = n.args[:2]
        if n.kwargs.get("alpha", 1) != 1:
            return None
        if hasattr(a, "op") and hasattr(b, "op"):
            return op, (), {}, [a, b]
        tensor, const = (a, b) if hasattr(a, "op") else (b, a)
        if not isinstance(const, (int, float)):
            return None
        return ("shift" if op == "add" else "scale"), (const,), {}, [tensor]
    return rule


def cat(n: Any, ex: Exported) -> Converted | None:
    items, dim = args_with(n, [None, 0])
    dim = dim + len(shape_of(n)) if dim < 0 else dim
    if dim < 1:
        return None
    return "concat", (), {} if dim == 1 else {"dim": dim - 1}, list(items)


def mean(n: Any, ex: Exported) -> Converted | None:
    x, dims, keepdim = args_with(n, [None, None, False])
    call = mean_call(list(dims), len(shape_of(x)), keepdim) if dims else None
    return None if call is None else (*call, [x])


def reshape(n: Any, ex: Exported) -> Converted | None:
    """view / reshape / flatten at batch 1: ``flatten`` when it keeps the batch and folds the
    rest, else ``reshape`` of the non-batch dims."""
    x = n.args[0]
    before, after = shape_of(x), shape_of(n)
    if not before or not after or before[0] != 1 or after[0] != 1:
        return None
    if len(after) == 2 and len(before) > 2 and after[1] == math.prod(before[1:]):
        return "flatten", (), {}, [x]
    return "reshape", (list(after[1:]),), {}, [x]


def softmax(n: Any, ex: Exported) -> Converted | None:
    x, dim = n.args[:2]
    dim = dim + len(shape_of(x)) if dim < 0 else dim
    return ("softmax", (), {"dim": dim - 1}, [x]) if dim >= 1 else None


def dropout(n: Any, ex: Exported) -> Converted | None:
    p = n.args[1] if len(n.args) > 1 else 0.5
    return "dropout", () if p == 0.5 else (p,), {}, [n.args[0]]


ATEN: dict[str, Callable[[Any, Exported], Converted | None]] = {
    "conv2d": conv, "convolution": conv, "batch_norm": batch_norm,
    "_native_batch_norm_legit_no_training": batch_norm, "linear": linear, "addmm": addmm,
    "max_pool2d": pool("maxpool"), "max_pool2d_with_indices": pool("maxpool"),
    "avg_pool2d": pool("avgpool"),
    "adaptive_avg_pool2d": adaptive("adaptive_avgpool", "gap"),
    "_adaptive_avg_pool2d": adaptive("adaptive_avgpool", "gap"),
    "adaptive_max_pool2d": adaptive("adaptive_maxpool", "gmp"),
    "hardtanh": hardtanh, "hardtanh_": hardtanh, "add": binary("add"), "add_": binary("add"),
    "mul": binary("mul"), "mul_": binary("mul"), "cat": cat, "mean": mean,
    "view": reshape, "reshape": reshape, "_unsafe_view": reshape, "flatten": reshape,
    "softmax": softmax, "_softmax": softmax, "dropout": dropout, "dropout_": dropout,
    **{name: simple(op) for name, op in (
        ("relu", "relu"), ("relu_", "relu"), ("sigmoid", "sigmoid"), ("tanh", "tanh"),
        ("silu", "silu"), ("silu_", "silu"), ("hardswish", "hardswish"),
        ("hardswish_", "hardswish"), ("hardsigmoid", "hardsigmoid"), ("gelu", "gelu"))},
}
PASSTHROUGH = frozenset({"clone", "contiguous", "alias", "detach", "_assert_tensor_metadata",
                         "lift_fresh_copy"})
STATEFUL = frozenset({"conv", "bn", "linear"})


def import_exported(model: Any, shape: tuple[int, ...], name: str,
                    fx_error: SpecImportError) -> FlatNet:
    """The FlatNet of ``model`` from ``torch.export``; when that fails too, ``fx_error`` (it
    names the module that cannot be traced) with export's reason in its hint."""
    try:
        program = export_program(model, shape)
    except Exception as e:  # noqa: BLE001 - any export failure: report both, located
        reason = (str(e).strip().splitlines() or [""])[0][:200]
        fx_error.hint = (f"torch.export (tried next) failed too: {type(e).__name__}: {reason}; "
                         f"{fx_error.hint}")
        raise fx_error from None
    ex = Exported(program)
    net = FlatNet(name, model=model)
    net.inputs = [(ex.user_inputs[0], tuple(shape))]
    unsupported = [f"a second input '{i}'" for i in ex.user_inputs[1:]]
    for n in ex.graph.nodes:
        if n.op == "output":
            net.outputs = [ex.ref(o) for o in n.args[0]]
        elif n.op == "call_function" and n.name in ex.on_data:
            problem = convert_node(n, ex, net)
            if problem:
                unsupported.append(problem)
    if unsupported:
        raise SpecImportError("unsupported operations: " + "; ".join(dict.fromkeys(unsupported)),
                              UNKNOWN, hint="torch.fx could not trace the model, so it was "
                              "exported with torch.export; docs/import.md lists the aten ops "
                              "archspec maps")
    net.shapes = {n.name: shape_of(n)[1:] for n in ex.graph.nodes if n.name in ex.on_data}
    return net


def convert_node(n: Any, ex: Exported, net: FlatNet) -> str | None:
    """Append ``n``'s layer to ``net`` (or alias it); a description when it has none."""
    import operator
    target = getattr(n.target, "overloadpacket", n.target)
    name = getattr(target, "__name__", str(target))
    if n.target is operator.getitem and n.args[1] == 0:
        ex.alias[n.name] = ex.ref(n.args[0])      # the output of bn / max_pool with indices
        return None
    if name in PASSTHROUGH:
        ex.alias[n.name] = ex.ref(n.args[0])
        return None
    rule = ATEN.get(name)
    converted = rule(n, ex) if rule else None
    where = stack(n)[-1][0] if stack(n) else ""
    described = f"aten.{name} (in '{where}')" if where else f"aten.{name}"
    if converted is None or not all(a.name in ex.on_data for a in converted[3]):
        return described
    op, args, kwargs, inputs = converted
    path = layer_path(n, ex, op)
    if path is None:
        return described
    net.layers.append(Layer(n.name, op, args, kwargs, [ex.ref(a) for a in inputs], path,
                            owners=tuple(e for e in stack(n) if e[0] != path)))
    return None


def stack(n: Any) -> list[tuple[str, str]]:
    """The enclosing module instances, outside in, as (path, class name)."""
    entries = (n.meta.get("nn_module_stack") or {}).values()
    return [(path, str(cls).rsplit(".", 1)[-1]) for path, cls in entries if path]


def layer_path(n: Any, ex: Exported, op: str) -> str | None:
    """A stateful layer's module (its parameters' owner: the state_dict keys); a supported
    leaf module's path for the others; "" when anonymous. None: stateful but unowned."""
    params = [a for a in tensor_args(n) if a.name in ex.keys]
    if "archspec_weight" in n.meta:
        params.insert(0, n.meta["archspec_weight"])
    if op in STATEFUL:
        owners = {ex.module_of(p) for p in params}
        return owners.pop() if len(owners) == 1 and None not in owners else None
    inner = stack(n)[-1] if stack(n) else ("", "")
    return inner[0] if inner[1] in MODULES else ""
