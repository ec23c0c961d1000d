"""PyTorch nn.Module -> FlatNet, traced with torch.fx.

Supported leaf modules (``torch_ops.MODULES``) stay whole; every other module is traced
through, and its path and class are recorded on each layer (``Layer.owners``) so that
``recover`` can rebuild the hierarchy as groups and blocks with the original module names.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import operator
from typing import Any

from archspec.errors import SpecImportError
from archspec.importers.built import built_graph
from archspec.importers.flat import FlatNet, Layer
from archspec.importers.fx_patterns import chunk_slice, is_chunking, rewrite_channel_shuffles
from archspec.importers.torch_lowered import FUNCTIONS as LOWERED
from archspec.importers.torch_lowered import MODULES as LOWERED_MODULES
from archspec.importers.torch_lowered import (
    MULTI_INPUT,
    MULTI_INPUT_MODULES,
    getitem_slice,
    port_of,
)
from archspec.importers.torch_ops import FUNCTIONS, MODULES, binary, bind, function_table
from archspec.source import UNKNOWN, SourceFile, Span


def resolve(source: Any, kwargs: dict[str, Any]) -> tuple[Any, str]:
    """An nn.Module, or ``package.module:callable`` called with ``kwargs``; and its name."""
    if not isinstance(source, str):
        return source, type(source).__name__.lower()
    module_name, _, attr = source.partition(":")
    if not attr:
        raise SpecImportError(f"'{source}' is not a .prototxt file nor package.module:callable",
                              UNKNOWN, hint="e.g. torchvision.models:resnet50")
    try:
        target: Any = importlib.import_module(module_name)
        for part in attr.split("."):
            target = getattr(target, part)
    except (ImportError, AttributeError) as e:
        raise SpecImportError(f"cannot find '{source}': {e}", UNKNOWN) from None
    try:
        model = target(**{k: literal(v) for k, v in kwargs.items()})
    except Exception as e:  # noqa: BLE001 - any failure of user code is reported, located
        raise SpecImportError(f"calling {source}({kwargs_text(kwargs)}) failed: "
                              f"{type(e).__name__}: {e}", UNKNOWN) from None
    return model, attr.rsplit(".", 1)[-1]


def literal(v: Any) -> Any:
    """``--kwargs k=v`` values: Python literals where they parse, else the string."""
    if not isinstance(v, str):
        return v
    try:
        return ast.literal_eval(v)
    except (ValueError, SyntaxError):
        return v


def kwargs_text(kwargs: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in kwargs.items())


def class_span(obj: Any) -> Span:
    """Where ``obj``'s class is defined, for errors about a module."""
    try:
        path = inspect.getsourcefile(type(obj))
        lines, line = inspect.getsourcelines(type(obj))
    except (TypeError, OSError):
        return UNKNOWN
    return Span(SourceFile(path or "<unknown>", "\n" * (line - 1) + lines[0]), line, 1)


def make_tracer() -> Any:
    import torch.fx as fx

    class Tracer(fx.Tracer):
        """Keeps supported modules whole; remembers the module a trace failure came from."""

        def is_leaf_module(self, m: Any, qualname: str) -> bool:
            return (module_rule(m) is not None or type(m).__name__ in MULTI_INPUT_MODULES
                    or super().is_leaf_module(m, qualname))

        def call_module(self, m: Any, forward: Any, args: Any, kwargs: Any) -> Any:
            try:
                return super().call_module(m, forward, args, kwargs)
            except Exception as e:
                if not hasattr(e, "archspec_module"):
                    e.archspec_module = (self.path_of_module(m), m)  # type: ignore[attr-defined]
                raise
    return Tracer()


def trace(model: Any) -> Any:
    import torch.fx as fx
    tracer = make_tracer()
    try:
        graph = tracer.trace(model)
    except Exception as e:  # noqa: BLE001 - the message names the module that failed
        path, module = getattr(e, "archspec_module", ("", model))
        where = f"module '{path}' ({type(module).__name__})" if path else \
            f"{type(module).__name__}.forward"
        raise SpecImportError(f"cannot trace {where}: {type(e).__name__}: {e}",
                              class_span(module), hint="torch.fx cannot follow data-"
                              "dependent control flow; make that module a leaf or simplify "
                              "its forward") from None
    return fx.GraphModule(model, graph)


REAL_RUN_MACS = 10**9   # below this bound one real pass is cheaper than fake tensors


def propagate(gm: Any, shape: tuple[int, ...]) -> dict[str, tuple[int, ...]]:
    """Each fx node's output shape without the batch dimension, from one pass: a real one
    when the model is small for this input (a fake tensor costs about a millisecond per op,
    more than running a small layer), else on fake tensors (no arithmetic, and no fake copy
    of the parameters)."""
    import torch
    from torch._subclasses.fake_tensor import FakeTensorMode
    from torch.fx.passes.shape_prop import ShapeProp
    first = next(gm.parameters(), None)
    device = first.device if first is not None else "cpu"
    with torch.no_grad():
        if device != torch.device("meta") and macs_bound(gm, shape) < REAL_RUN_MACS:
            ShapeProp(gm).propagate(torch.zeros(1, *shape, device=device))
        else:
            try:
                prop = ShapeProp(gm)   # made outside the mode: inside, it copies gm to fakes
                with FakeTensorMode(allow_non_fake_inputs=True):
                    prop.propagate(torch.zeros(1, *shape, device=device))
            except Exception:  # noqa: BLE001 - an op without a fake kernel: run it for real
                ShapeProp(gm).propagate(torch.zeros(1, *shape, device=device))
    return {n.name: tuple(n.meta["tensor_meta"].shape[1:]) for n in gm.graph.nodes
            if hasattr(n.meta.get("tensor_meta"), "shape")}


def macs_bound(gm: Any, shape: tuple[int, ...]) -> int:
    """An upper bound of one pass's multiply-adds when no layer enlarges the input's
    positions: each weight used at most once per position."""
    import math
    return sum(p.numel() for p in gm.parameters()) * math.prod(shape[1:])


def import_torch(source: Any, input_shape: tuple[int, ...] | None, name: str | None = None,
                 **kwargs: Any) -> FlatNet:
    """The FlatNet of a PyTorch model (``input_shape`` is C×H×W)."""
    if input_shape is None:
        raise SpecImportError("a PyTorch model needs an input shape", UNKNOWN,
                              hint="pass --input 3x224x224 (input_shape=(3, 224, 224))")
    model, label = resolve(source, kwargs)
    model.eval()
    gm = built_graph(model)
    if gm is None:
        try:
            gm = trace(model)
        except SpecImportError as fx_error:
            from archspec.importers.torch_export import import_exported
            return import_exported(model, tuple(input_shape), name or label, fx_error)
    rewrite_channel_shuffles(gm)
    net = FlatNet(name or label, model=model)
    net.shapes = propagate(gm, tuple(input_shape))
    convert_graph(gm, net, tuple(input_shape))
    roles = getattr(gm, "archspec_outputs", [])   # a built network's output names and kinds
    net.output_names = [name for name, _ in roles]
    net.aux_weights = {name: weight for name, weight in roles if weight is not None}
    return net


def convert_graph(gm: Any, net: FlatNet, input_shape: tuple[int, ...]) -> None:
    unsupported: list[str] = []
    functions = function_table()
    ports: dict[str, str] = {}      # getitem of a multi-output call -> the port it names
    for n in gm.graph.nodes:
        if n.op == "placeholder":
            if net.inputs:
                unsupported.append(f"a second input '{n.name}'")
            net.inputs.append((n.name, input_shape))
        elif n.op == "output":
            outs = n.args[0] if isinstance(n.args[0], (tuple, list)) else [n.args[0]]
            net.outputs = [o.name for o in outs]
        elif n.op == "get_attr":
            if not all(free_parameter(u) for u in n.users):
                unsupported.append(f"parameter use '{n.target}'")
        elif (port := port_of(n)) is not None:
            ports[n.name] = port
        elif not is_chunking(n):    # its parts become slices
            layer = convert_node(gm, n, functions)
            if layer is None:
                unsupported.append(describe(gm, n))
            else:
                net.layers.append(layer)
    for layer in net.layers:
        layer.inputs = [ports.get(t, t) for t in layer.inputs]
    net.outputs = [ports.get(t, t) for t in net.outputs]
    if unsupported:
        listed = "; ".join(dict.fromkeys(unsupported))
        raise SpecImportError(f"unsupported operations: {listed}", UNKNOWN,
                              hint="docs/import.md lists the modules and functions archspec "
                              "maps")


def describe(gm: Any, n: Any) -> str:
    if n.op == "call_module":
        return f"{type(gm.get_submodule(n.target)).__name__} ('{n.target}')"
    target = n.target if isinstance(n.target, str) else getattr(n.target, "__name__", n.target)
    where = owners(n, None)
    return f"{target} (in '{where[-1][0]}')" if where else str(target)


def owners(n: Any, leaf: str | None) -> tuple[tuple[str, str], ...]:
    stack = n.meta.get("nn_module_stack") or {}
    return tuple((path, cls.__name__ if isinstance(cls, type) else str(cls).rsplit(".", 1)[-1])
                 for path, cls in stack.values() if path != leaf)


def convert_node(gm: Any, n: Any, functions: dict[Any, str]) -> Layer | None:
    tensors = [a.name for a in n.args if hasattr(a, "op")]
    if n.op == "call_module":
        module = gm.get_submodule(n.target)
        multi = MULTI_INPUT_MODULES.get(type(module).__name__)
        if multi is not None and len(tensors) > 1:
            call = multi(module, n)
        else:
            rule = module_rule(module)
            call = rule(module) if rule and len(tensors) == 1 else None
        if call is None:
            return None
        return Layer(n.name, call[0], call[1], call[2], tensors, n.target,
                     owners=owners(n, n.target))
    if free_parameter(n) is not None:
        return param_layer(gm, n)
    call = convert_function(n, functions)
    if call is None:
        return None
    op, args, kwargs, inputs = call
    return Layer(n.name, op, args, kwargs, inputs, "", owners=owners(n, None))


def convert_function(n: Any, functions: dict[Any, str]) -> tuple | None:
    import torch
    args = list(n.args)
    tensors = [a.name for a in args if hasattr(a, "op")]
    if n.target in functions and len(tensors) == 1 and len(args) == 1:
        return functions[n.target], (), {}, tensors
    op = binary(n.target)
    if op and len(args) == 2:
        return binary_op(op, args)
    if n.target in (torch.flatten, "flatten"):
        b = bind(n, ("start_dim", "end_dim"), {"start_dim": 0, "end_dim": -1})
        if b is not None and b["end_dim"] == rank(args[0]) - 1:
            b["end_dim"] = -1
        if b == {"start_dim": 1, "end_dim": -1}:
            return "flatten", (), {}, tensors[:1]
    rule = function_rule(n.target)
    if rule is not None and len(tensors) == 1 and hasattr(args[0], "op"):
        call = rule(n)
        return None if call is None else (*call, tensors)
    multi = MULTI_INPUT.get(getattr(n.target, "__name__", None))
    if multi is not None and len(tensors) > 1 and hasattr(args[0], "op"):
        call = multi(n)
        return None if call is None else (*call, tensors)
    if n.target is operator.getitem and is_chunking(args[0]):
        return chunk_slice(n, rank(args[0].args[0]))
    if n.target is operator.getitem and hasattr(args[0], "op"):
        call = getitem_slice(n)
        return None if call is None else (*call, tensors[:1])
    if n.target is torch.channel_shuffle and isinstance(args[1], int):
        return "channel_shuffle", (args[1],), {}, tensors[:1]
    if n.target is torch.cat:
        items = args[0]
        dim = args[1] if len(args) > 1 else n.kwargs.get("dim", 0)
        dim = dim + rank(n) if isinstance(dim, int) and dim < 0 else dim
        if dim >= 1 and all(hasattr(a, "op") for a in items):
            return "concat", (), {} if dim == 1 else {"dim": dim - 1}, [a.name for a in items]
    return None


def module_rule(m: Any) -> Any:
    name = type(m).__name__
    return MODULES.get(name) or LOWERED_MODULES.get(name)


def function_rule(target: Any) -> Any:
    name = getattr(target, "__name__", None)
    return (FUNCTIONS.get(target) or FUNCTIONS.get(name) or LOWERED.get(target)
            or LOWERED.get(name))


def rank(n: Any) -> int:
    meta = getattr(n, "meta", {}).get("tensor_meta")
    return len(meta.shape) if hasattr(meta, "shape") else -1


def free_parameter(n: Any) -> tuple[Any, Any] | None:
    """``(parameter, tensor)`` when ``n`` is ``param * x`` or ``param + x`` (either order)
    with a parameter used in forward (ConvNeXt's ``layer_scale``)."""
    if n.op not in ("call_function", "call_method") or binary(n.target) is None or \
            len(n.args) != 2 or n.kwargs:
        return None
    a, b = n.args
    param, x = (a, b) if getattr(a, "op", None) == "get_attr" else (b, a)
    if getattr(param, "op", None) != "get_attr" or getattr(x, "op", None) in (None, "get_attr"):
        return None
    return param, x


def param_layer(gm: Any, n: Any) -> Layer | None:
    """``scale_param`` / ``add_param`` labelled with the parameter's name (its state key)."""
    param, x = free_parameter(n)
    try:
        value = gm.get_parameter(param.target)
    except AttributeError:     # a buffer or a plain tensor attribute: no spec equivalent
        return None
    op = "scale_param" if binary(n.target) == "mul" else "add_param"
    return Layer(n.name, op, (list(value.shape),), {}, [x.name], param.target,
                 owners=owners(n, None))


def binary_op(op: str, args: list[Any]) -> tuple | None:
    a, b = args
    if hasattr(a, "op") and hasattr(b, "op"):
        return op, (), {}, [a.name, b.name]
    tensor, const = (a, b) if hasattr(a, "op") else (b, a)
    if not isinstance(const, (int, float)) or not hasattr(tensor, "op"):
        return None
    return ("shift" if op == "add" else "scale"), (const,), {}, [tensor.name]

