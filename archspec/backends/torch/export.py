"""Exports: standalone Python source, a torch.export program (.pt2), ONNX.

``export_python`` writes one readable file that imports only torch (and torchvision when a
layer needs it). Torch layers are rebuilt from their ``__init__`` arguments, read back from the
same-named attributes (torch's own convention); each rebuilt layer is checked against the
original (type, repr, state shapes). Helpers that archspec defines (custom layers, functions
called by ``forward``, the init rules) are copied with their source.
"""

from __future__ import annotations

import builtins
import collections
import copy
import importlib
import inspect
import keyword
import math
import operator
import re
import sys
import textwrap
import types
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from archspec.backends.torch.build import build_module
from archspec.backends.torch.module import ArchModule
from archspec.backends.torch.modules import INITS, init_calls
from archspec.fileio import replacing, replacing_with_companions, write_atomic
from archspec.ir.graph import OpGraph, input_shapes, nodes
from archspec.ops.registry import get
from torch import Tensor, nn

HEADER = """from __future__ import annotations

import collections
import math
import operator

import torch
import torch.nn.functional as F
import torch.utils.checkpoint
from torch import Tensor, nn
"""
HEADER_NAMES: dict[str, Any] = {"collections": collections, "math": math, "operator": operator,
                                "torch": torch, "F": F, "Tensor": Tensor, "nn": nn}
FX_BUILTINS = {"inf": "from math import inf", "nan": "from math import nan",
               "NoneType": "NoneType = type(None)", "device": "from torch import device",
               "fx_pytree": "import torch.fx._pytree as fx_pytree",
               "pytree": "import torch.utils._pytree as pytree"}
PUBLIC_ROOTS = ("torch", "torchvision", "operator", "_operator", "math")


class ExportError(Exception):
    """The network uses something export_python cannot write as standalone source."""


def export_python(graph: OpGraph, path: str | Path, *,
                  class_name: str | None = None) -> str:
    """Write a standalone .py defining an ``nn.Module`` equivalent to ``build_module(graph)``
    (same state-dict keys, same forward); returns the source."""
    model = build_module(graph, device="meta", max_param_bytes=None)
    name = python_class_name(class_name or type(model).__name__, given=class_name is not None)
    out = _Writer(graph)
    body = out.module_tree(model) + out.inits(model)
    for key, obj in model._globals.items():
        out.bind(key, obj, model.code)
    text = out.render(name, model, body)
    write_atomic(path, text)
    return text


def python_class_name(name: str, *, given: bool) -> str:
    """A class name that is a plain identifier: a name derived from the network gets a prefix
    when it is a keyword; a name the caller gave must already be one."""
    if name.isidentifier() and not keyword.iskeyword(name):
        return name
    if given:
        raise ValueError(f"class_name must be a Python identifier, got {name!r}")
    safe = re.sub(r"\W", "_", name)
    return safe if safe.isidentifier() and not keyword.iskeyword(safe) else "Net_" + safe


class _Writer:
    def __init__(self, graph: OpGraph):
        self.graph = graph
        self.imports: list[str] = []
        self.bindings: list[str] = []
        self.helpers: list[str] = []
        self.aliases: list[str] = []  # fx's names for copied helpers, bound after them
        self.copied: dict[str, Any] = {}

    def module_tree(self, model: nn.Module) -> list[str]:
        """Statements creating the containers, layers and free parameters, in the build's
        order."""
        modules = dict(model.named_modules())
        leaves = {n.name for n in nodes(self.graph) if n.name in modules}
        params = [n.name for n in nodes(self.graph) if get(n.op).parameter]
        tree = leaves | {p.rsplit(".", i)[0] for p in [*leaves, *params]
                         for i in range(1, p.count(".") + 1)}
        lines = []
        for path, module in model.named_modules():
            if path not in tree:
                continue
            parent, _, child = path.rpartition(".")
            ctor = self.ctor(path, module) if path in leaves else (
                "nn.Sequential()" if type(module) is nn.Sequential else "nn.Module()")
            target = attr_expr("self", parent)
            lines.append(f"{target}.{child} = {ctor}" if child.isidentifier()
                         else f"{target}.add_module({child!r}, {ctor})")
        return lines + [self.free_parameter(path) for path in params]

    def free_parameter(self, path: str) -> str:
        """``register_parameter`` with the tensor the lowering starts from (a constant)."""
        value = self.relower(path).value
        first = value.flatten()[0].item() if value.numel() else 0.0
        if not torch.all(value == first):
            raise ExportError(f"'{path}': the free parameter does not start from a constant")
        parent, _, name = path.rpartition(".")
        return (f"{attr_expr('self', parent)}.register_parameter({name!r}, "
                f"nn.Parameter(torch.full({tuple(value.shape)!r}, {first!r})))")

    def inits(self, model: nn.Module) -> list[str]:
        lines = []
        for n in nodes(self.graph):
            if n.attrs.get("init") is None:
                continue
            params = ({"": model.get_parameter(n.name)} if get(n.op).parameter else
                      dict(model.get_submodule(n.name).named_parameters(recurse=False)))
            for rule, name in init_calls(n, params):
                fn = INITS[rule.rule]
                if fn.__module__.startswith("archspec."):
                    self.copy(fn)
                ref = fn.__name__ if fn.__module__.startswith("archspec.") else public_path(fn)
                args = [attr_expr("self", f"{n.name}.{name}" if name else n.name)]
                args += [f"{k}={v!r}" for k, v in rule.args]
                lines.append(f"    {ref}({', '.join(args)})")
        return ["with torch.no_grad():", *lines] if lines else []

    def ctor(self, path: str, module: nn.Module) -> str:
        cls = type(module)
        pos, kw = ctor_call(module, lambda: self.relower(path))
        check_rebuilt(path, module, pos, kw)
        args = [repr(v) for v in pos] + [f"{k}={v!r}" for k, v in kw.items()]
        return f"{self.class_ref(cls)}({', '.join(args)})"

    def relower(self, path: str) -> nn.Module:
        """The layer at ``path`` built again on the CPU (to read tensor-valued arguments)."""
        n = self.graph.nodes[path]["data"]
        with torch.device("cpu"):
            return get(n.op).lower(n, input_shapes(self.graph, n))

    def class_ref(self, cls: type) -> str:
        if cls.__module__.startswith("archspec."):
            self.copy(cls)
            return cls.__name__
        ref = public_path(cls)
        if ref.startswith("torch.nn.") and getattr(nn, cls.__name__, None) is cls:
            return "nn." + cls.__name__
        if ref.startswith("torchvision"):
            self.add_import("import torchvision")
        return ref

    def bind(self, key: str, obj: Any, code: str) -> None:
        """Make global ``key`` of the generated forward exist in the exported file."""
        if HEADER_NAMES.get(key) is obj:
            return
        if key in FX_BUILTINS:
            if re.search(rf"\b{key}\b", code):
                self.add_import(FX_BUILTINS[key])
        elif isinstance(obj, type) and issubclass(obj, tuple) and hasattr(obj, "_fields"):
            self.bindings.append(f"{key} = collections.namedtuple({obj.__name__!r}, "
                                 f"{list(obj._fields)!r})")
        elif getattr(obj, "__module__", "").startswith("archspec."):
            self.copy(obj)
            if key != obj.__name__:
                self.aliases.append(f"{key} = {obj.__name__}")
        else:
            ref = public_path(obj)
            if ref.startswith("torchvision"):
                self.add_import("import torchvision")
            self.bindings.append(f"{key} = {ref}")

    def copy(self, obj: Any) -> None:
        """Copy the source of an archspec function/class and of the helpers it uses."""
        name = obj.__name__
        if name in self.copied:
            if self.copied[name] is not obj:
                raise ExportError(f"two helpers are called '{name}'")
            return
        self.copied[name] = obj
        module = sys.modules[obj.__module__]
        for dep in referenced_names(obj):
            self.copy_dependency(obj, dep, module.__dict__.get(dep, _MISSING))
        self.helpers.append(textwrap.dedent(inspect.getsource(obj)).strip("\n") + "\n")

    def copy_dependency(self, owner: Any, dep: str, value: Any) -> None:
        if value is _MISSING or HEADER_NAMES.get(dep) is value or dep in builtins.__dict__:
            return
        if isinstance(value, types.ModuleType):
            self.add_import(f"import {value.__name__} as {dep}" if value.__name__ != dep
                            else f"import {dep}")
        elif inspect.isfunction(value) or inspect.isclass(value):
            if value.__module__ == owner.__module__:
                self.copy(value)
            else:
                self.bindings.append(f"{dep} = {public_path(value)}")
        elif isinstance(value, (int, float, str, bool, tuple, frozenset)):
            self.bindings.append(f"{dep} = {value!r}")
        else:
            raise ExportError(f"{owner.__name__} uses '{dep}' ({type(value).__name__}), which "
                              "cannot be written into a standalone file")

    def add_import(self, line: str) -> None:
        if line not in self.imports:
            self.imports.append(line)

    def render(self, name: str, model: ArchModule, body: list[str]) -> str:
        network = self.graph.meta.name or "?"
        doc = repr(f"{name}: generated by archspec from network {network!r}. Standalone: needs "
                   "only torch.") + "\n\n"  # repr: spec text never reaches the file unescaped
        parts = [doc + HEADER + "".join(line + "\n" for line in self.imports)]
        parts += ["\n".join(self.bindings) + "\n"] if self.bindings else []
        parts += self.helpers
        parts += ["\n".join(self.aliases) + "\n"] if self.aliases else []
        init = "\n".join("        " + line for line in ["super().__init__()", *body])
        methods = textwrap.indent(model.code, "    ")
        parts.append(f"class {name}(nn.Module):\n"
                     f"    loss_weights = {model.loss_weights!r}\n\n"
                     f"    def __init__(self) -> None:\n{init}\n\n{methods}")
        return "\n\n".join(p.strip("\n") + "\n" for p in parts)


_MISSING = object()


def attr_expr(base: str, path: str) -> str:
    """``self.layer1[0]``-style access as fx writes it: ``getattr(self.layer1, "0")``."""
    for part in path.split(".") if path else []:
        base = f"{base}.{part}" if part.isidentifier() else f"getattr({base}, {part!r})"
    return base


def public_path(obj: Any) -> str:
    """The shortest importable dotted name of ``obj`` under torch/torchvision/operator/math."""
    module, name = getattr(obj, "__module__", "") or "", getattr(obj, "__qualname__", "")
    if module.split(".")[0] in PUBLIC_ROOTS:
        parts = module.replace("_operator", "operator").split(".")
        for i in range(1, len(parts) + 1):
            candidate = ".".join(parts[:i])
            try:
                if getattr(importlib.import_module(candidate), name, None) is obj:
                    return f"{candidate}.{name}"
            except ImportError:
                continue
    raise ExportError(f"cannot refer to {obj!r} from a standalone file")


def ctor_call(module: nn.Module, on_cpu: Any) -> tuple[list[Any], dict[str, Any]]:
    """``__init__`` arguments of ``module`` read back from its same-named attributes: the
    required ones positionally, the others by keyword when they differ from the default."""
    params = list(inspect.signature(type(module).__init__).parameters.values())[1:]
    pos: list[Any] = []
    kw: dict[str, Any] = {}
    for p in params:
        if p.name in ("device", "dtype") or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if not hasattr(module, p.name):
            if p.default is p.empty:
                raise ExportError(f"{type(module).__name__} does not keep its __init__ argument "
                                  f"'{p.name}' as an attribute")
            continue
        value = ctor_value(module, p, on_cpu)
        if p.default is p.empty:
            pos.append(value)
        elif not _same(value, p.default):
            kw[p.name] = value
    return pos, kw


def ctor_value(module: nn.Module, p: inspect.Parameter, on_cpu: Any) -> Any:
    value = getattr(module, p.name)
    if isinstance(p.default, bool) and (value is None or isinstance(value, Tensor)):
        return value is not None  # bias=True/False stored as a Parameter or None
    if isinstance(value, Tensor):
        return getattr(on_cpu(), p.name).tolist()
    return value


def _same(value: Any, default: Any) -> bool:
    """Whether an argument equals its default (``(1, 1)`` counts as ``1``)."""
    if isinstance(value, tuple) and isinstance(default, int) and value:
        return all(v == default and type(v) is int for v in value)
    try:
        return bool(value == default) and type(value) is type(default)
    except (TypeError, RuntimeError):
        return False


def check_rebuilt(path: str, module: nn.Module, pos: list[Any], kw: dict[str, Any]) -> None:
    """Rebuild the layer from the arguments the exported source will pass, on the meta
    device, and compare it with ``module`` (type, repr, state shapes)."""
    cls = type(module)
    expr = f"{cls.__name__}({pos}, {kw})"
    with torch.device("meta"):
        rebuilt = cls(*pos, **kw)
    shapes = {k: tuple(v.shape) for k, v in module.state_dict().items()}
    if (type(rebuilt) is not cls or repr(rebuilt) != repr(module)
            or {k: tuple(v.shape) for k, v in rebuilt.state_dict().items()} != shapes):
        raise ExportError(f"'{path}': {expr} does not rebuild {module!r}")


def referenced_names(obj: Any) -> list[str]:
    """Global names used by a function, or by the methods and bases of a class."""
    codes: list[types.CodeType] = []
    if inspect.isfunction(obj):
        codes.append(obj.__code__)
    else:
        for value in vars(obj).values():
            fn = getattr(value, "__func__", value)
            for f in (fn, getattr(fn, "fget", None)):
                if inspect.isfunction(f):
                    codes.append(f.__code__)
    names: list[str] = [b.__name__ for b in getattr(obj, "__bases__", ())]
    while codes:
        code = codes.pop()
        names += code.co_names
        codes += [c for c in code.co_consts if isinstance(c, types.CodeType)]
    return list(dict.fromkeys(names))


def export_program(model: nn.Module, example: Tensor | tuple[Tensor, ...],
                   path: str | Path) -> torch.export.ExportedProgram:
    """``torch.export`` the model (in its current mode) and save it as ``path`` (.pt2).

    Several outputs come out as a plain tuple in the NamedTuple's order, so loading the file
    needs no archspec type.
    """
    args = example if isinstance(example, tuple) else (example,)
    program = torch.export.export(plain_outputs(model), args)
    with replacing(path) as tmp:
        torch.export.save(program, str(tmp))
    return program


def plain_outputs(model: nn.Module) -> nn.Module:
    """A shallow copy of an ArchModule whose forward returns a tuple instead of a NamedTuple."""
    cls = type(model)
    if not isinstance(model, ArchModule) or (cls.TrainOutputs if model.training
                                             else cls.Outputs) is None:
        return model

    def forward(self: nn.Module, *args: Any) -> Any:
        out = cls.forward(self, *args)
        return tuple(out) if isinstance(out, tuple) else out

    forward.__signature__ = inspect.signature(cls.forward)  # type: ignore[attr-defined]
    plain = copy.copy(model)
    plain.__class__ = type(cls.__name__, (cls,), {"forward": forward})
    return plain


def export_onnx(model: nn.Module, example: Tensor | tuple[Tensor, ...], path: str | Path,
                **options: Any) -> None:
    """Export to ONNX with ``torch.onnx.export`` (``options`` pass through, e.g. opset)."""
    args = example if isinstance(example, tuple) else (example,)
    names = list(getattr(getattr(model, "program", None), "inputs", []) or [])
    if names and "input_names" not in options:
        options["input_names"] = names
    options.setdefault("verbose", False)
    with replacing_with_companions(path) as tmp:  # the weights go to NAME.data beside it
        torch.onnx.export(model, args, str(tmp), **options)
