"""Inference rewrites of a built network: batch norm folded into convolutions, channels_last."""

from __future__ import annotations

import copy
import operator

import torch
from archspec.backends.torch.codegen import Program
from archspec.backends.torch.module import ArchModule, make_class
from torch import fx, nn
from torch.nn.utils.fusion import fuse_conv_bn_eval


def optimize_for_inference(model: ArchModule, *, channels_last: bool = True) -> ArchModule:
    """A copy of ``model`` for inference: each BatchNorm2d that only follows a Conv2d is folded
    into it, activations and residual adds write in place into a fresh value that nothing else
    reads, and (``channels_last``) weights and image inputs use ``torch.channels_last``.

    The copy is in eval mode and refuses to run in training mode; ``model`` is unchanged.
    """
    new = copy.deepcopy(model).eval()
    graph = copy.deepcopy(model.program.forwards["eval"])
    fold_batchnorm(new, graph)
    inplace_elementwise(graph, dict(new.named_modules()))
    if channels_last:
        convert_inputs(graph, model.program)
        new.to(memory_format=torch.channels_last)
    graph.lint()
    program = Program(model.program.inputs, model.program.ranks,
                      {"train": None, "eval": graph})
    cls = type(model)
    new.__class__ = make_class(cls.__name__, program, new.loss_weights,
                               {"Outputs": cls.Outputs, "TrainOutputs": cls.TrainOutputs,
                                "_fixed_sizes": cls._fixed_sizes})
    return new


def fold_batchnorm(model: nn.Module, graph: fx.Graph) -> int:
    """Fold every ``conv -> bn`` pair where the conv feeds only the bn; returns the count."""
    modules = dict(model.named_modules())
    folded = 0
    for n in list(graph.nodes):
        bn = modules.get(n.target) if n.op == "call_module" else None
        src = n.args[0] if n.args else None
        if not isinstance(bn, nn.BatchNorm2d) or bn.running_mean is None or not _lone_conv(
                src, modules):
            continue
        set_module(model, src.target, fuse_conv_bn_eval(modules[src.target], bn))
        n.replace_all_uses_with(src)
        graph.erase_node(n)
        set_module(model, n.target, None)
        folded += 1
    return folded


def _lone_conv(src: object, modules: dict[str, nn.Module]) -> bool:
    return (isinstance(src, fx.Node) and src.op == "call_module"
            and type(modules.get(src.target)) is nn.Conv2d and len(src.users) == 1)


def set_module(root: nn.Module, path: str, module: nn.Module | None) -> None:
    """Replace (or with None, delete) the submodule at dotted ``path``."""
    parent_path, _, name = path.rpartition(".")
    parent = root.get_submodule(parent_path) if parent_path else root
    if module is None:
        delattr(parent, name)
    else:
        setattr(parent, name, module)


def convert_inputs(graph: fx.Graph, program: Program) -> None:
    """Make each image input channels_last at the top of ``forward`` (unless it already is)."""
    placeholders = [n for n in graph.nodes if n.op == "placeholder"]
    for ph, rank in zip(placeholders, program.ranks):
        if rank != 3 or any(u.op == "call_method" and u.target == "contiguous" for u in ph.users):
            continue
        with graph.inserting_after(ph):
            cl = graph.create_node("call_method", "contiguous", (ph,),
                                   {"memory_format": torch.channels_last}, name=f"{ph.name}_cl")
        ph.replace_all_uses_with(cl, delete_user_cb=lambda user, cl=cl: user is not cl)


INPLACE = {torch.relu: torch.relu_, torch.sigmoid: torch.sigmoid_, torch.tanh: torch.tanh_,
           operator.add: operator.iadd, torch.add: operator.iadd}


def inplace_elementwise(graph: fx.Graph, modules: dict[str, nn.Module]) -> int:
    """Rewrite ``relu(x)`` to ``relu_(x)`` and ``x + y`` to ``x += y`` where ``x`` is a layer's
    or an add's fresh output read by nothing else (and, for adds, ``x`` has the result's
    shape). Inference only: autograd may need the overwritten value."""
    count = 0
    for n in graph.nodes:
        src = n.args[0] if n.op == "call_function" and n.target in INPLACE and n.args else None
        if not (isinstance(src, fx.Node) and len(src.users) == 1 and _fresh(src, modules)):
            continue
        if n.target in (operator.add, torch.add) and (
                n.kwargs or src.meta.get("shape") != n.meta.get("shape")):
            continue
        n.target = INPLACE[n.target]
        count += 1
    return count


FRESH_LAYERS = (nn.Conv2d, nn.ConvTranspose2d, nn.Linear, nn.modules.batchnorm._BatchNorm,
                nn.GroupNorm, nn.LayerNorm)


def _fresh(n: fx.Node, modules: dict[str, nn.Module]) -> bool:
    """The value is newly allocated by a layer or an add (never an input or a view of one:
    dropout in eval, for one, returns its input)."""
    if n.op == "call_module":
        return isinstance(modules.get(n.target), FRESH_LAYERS)
    return n.op == "call_function" and n.target in (operator.add, operator.iadd, torch.add)
