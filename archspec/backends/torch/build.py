"""``build_module``: an elaborated graph -> a ready ``torch.nn.Module``."""

from __future__ import annotations

import collections
import contextlib
from collections.abc import Iterator
from typing import Any

import torch
from archspec.backends.torch.codegen import build_program, ident, output_refs
from archspec.backends.torch.hierarchy import block_scopes
from archspec.backends.torch.limits import check_param_budget, dtype_itemsize
from archspec.backends.torch.module import ArchModule, class_name, make_class
from archspec.backends.torch.modules import apply_inits, freeze, lower_all, place_modules
from archspec.backends.torch.runtime_sizes import lower_runtime_sizes
from archspec.ir.graph import OpGraph, outputs

DEFAULT_MAX_PARAM_BYTES = 4 * 2**30


def build_module(graph: OpGraph, *, device: str | torch.device | None = None,
                 dtype: torch.dtype | None = None, seed: int | None = None,
                 max_param_bytes: int | None = DEFAULT_MAX_PARAM_BYTES,
                 memory_format: torch.memory_format | None = None,
                 runtime_sizes: Any = None) -> ArchModule:
    """Lower ``graph`` to a module whose state-dict keys are the spec's node names.

    ``device='meta'`` allocates nothing; other devices construct the parameters there directly.
    ``seed`` makes the initial weights bit-identical across builds on the same device (the
    global RNG state is left untouched). ``dtype`` (floating) is the dtype of parameters and
    floating buffers, used from construction on so that no float32 copy is ever allocated.
    Raises SpecLimitError, before allocating, when parameters and buffers would exceed
    ``max_param_bytes`` (None: no limit). ``memory_format=torch.channels_last`` converts the
    weights and makes ``forward`` convert image inputs. ``runtime_sizes`` (a symbolic
    network's ``shapes``): sizes the spec read from maps whose size depends on the input
    (``upsample(size=[in.h, in.w])``) are read from those tensors in forward, so the module is
    right at every valid size (runtime_sizes.py; a layer whose constructor takes one keeps
    the reference's value, and the dynamic export refuses it).
    """
    dev = torch.device(device) if device is not None else None
    if dev is None or dev.type != "meta":
        check_param_budget(graph, dtype_itemsize(dtype), max_param_bytes)
    with seeded(seed, dev), default_dtype(dtype), (dev if dev is not None
                                                    else contextlib.nullcontext()):
        lowered = lower_all(graph)
        fixed = None if runtime_sizes is None else tuple(
            lower_runtime_sizes(graph, lowered, runtime_sizes))
        types = output_types(graph)
        program = build_program(graph, lowered, types, memory_format)
        weights = {name: o.loss_weight for name, o in outputs(graph).items()}
        cls = make_class(graph.meta.name or "network", program, weights,
                         {"Outputs": types["eval"], "TrainOutputs": types["train"],
                          "_scopes": block_scopes(graph),
                          "_fixed_sizes": fixed})
        model = cls()
        place_modules(model, graph, lowered)
        apply_inits(graph, lowered)
        freeze(graph, lowered)
    if dtype is not None:
        model.to(dtype)
    if memory_format is not None:
        model.to(memory_format=memory_format)
    return model


def output_types(graph: OpGraph) -> dict[str, Any]:
    """Per mode, the NamedTuple packing several outputs, or None for a single tensor."""
    base = class_name(graph.meta.name or "network")
    main, every = list(output_refs(graph, "eval")), list(output_refs(graph, "train"))
    if not main:
        raise ValueError(f"network '{graph.meta.name}' declares no main output")
    eval_type = None if len(main) == 1 else _tuple_type(base + "Outputs", main)
    train_type = eval_type if every == main else _tuple_type(base + "TrainOutputs", every)
    return {"eval": eval_type, "train": train_type}


def _tuple_type(name: str, fields: list[str]) -> Any:
    return collections.namedtuple(name, [ident(f) for f in fields])


@contextlib.contextmanager
def seeded(seed: int | None, device: torch.device | None) -> Iterator[None]:
    """Seed the generator of ``device`` (CPU by default), restoring every RNG state after."""
    if seed is None:
        yield
        return
    cuda = device is not None and device.type == "cuda"
    index = device.index if cuda and device.index is not None else (
        torch.cuda.current_device() if cuda else None)
    with torch.random.fork_rng(devices=[index] if cuda else []):
        torch.default_generator.manual_seed(seed)
        if cuda:
            with torch.cuda.device(index):
                torch.cuda.manual_seed(seed)
        yield


@contextlib.contextmanager
def default_dtype(dtype: torch.dtype | None) -> Iterator[None]:
    """Construct layers directly in ``dtype`` (build_module converts stragglers after)."""
    if dtype is None:
        yield
        return
    if not dtype.is_floating_point:
        raise ValueError(f"dtype must be a floating type, got {dtype}")
    old = torch.get_default_dtype()
    try:
        torch.set_default_dtype(dtype)
    except (TypeError, RuntimeError):  # a torch that refuses this default: convert afterwards
        pass
    try:
        yield
    finally:
        torch.set_default_dtype(old)
