"""The built network's class: generated methods over a module tree named after the spec.

Each build creates a subclass of :class:`ArchModule` whose ``forward`` is Python source
generated from the fx graphs (``print(model.code)``). When training and inference compute
different things (auxiliary heads, checkpointed blocks), ``forward`` dispatches on
``self.training`` to ``forward_train`` / ``forward_eval``; both address the same submodules, so
the state dict has no extra prefix.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import torch
from archspec.backends.torch.codegen import Program
from torch import fx, nn


class ArchModule(nn.Module):
    """Base class of every network built by archspec.

    In eval mode ``forward`` returns the main output (a tensor), or a NamedTuple of the main
    outputs when there are several. In train mode, when the spec has auxiliary outputs, it
    returns a NamedTuple of all outputs, main ones first (``type(model).TrainOutputs``).
    """

    _code: ClassVar[str] = ""
    _loss_weights: ClassVar[dict[str, float]] = {}
    _program: ClassVar[Program | None] = None
    _globals: ClassVar[dict[str, Any]] = {}  # names the generated code uses (for export)
    Outputs: ClassVar[Any] = None        # NamedTuple of the main outputs when there are several
    TrainOutputs: ClassVar[Any] = None   # NamedTuple of all outputs in training, if it differs
    # built with runtime_sizes: the layers that still hold a size read by spec code (None:
    # sizes were not read in forward)
    _fixed_sizes: ClassVar[tuple[str, ...] | None] = None

    @property
    def code(self) -> str:
        """The generated Python source of ``forward`` (and of the methods it calls)."""
        return self._code

    @property
    def loss_weights(self) -> dict[str, float]:
        """Output name -> loss weight (1.0 for main outputs, the spec's weight for aux ones)."""
        return dict(self._loss_weights)

    @property
    def program(self) -> Program:
        """The fx graphs the generated methods were compiled from."""
        assert self._program is not None
        return self._program

    def combine_losses(self, losses: Mapping[str, torch.Tensor]) -> torch.Tensor:
        """``sum(weight[name] * loss)`` over ``losses`` (e.g. main + 0.3·aux1 + 0.3·aux2)."""
        unknown = set(losses) - set(self._loss_weights)
        if unknown:
            raise KeyError(f"not outputs of this network: {sorted(unknown)}; "
                           f"outputs are {list(self._loss_weights)}")
        terms = [self._loss_weights[k] * v for k, v in losses.items()]
        if not terms:
            raise ValueError("combine_losses needs at least one loss")
        return sum(terms[1:], terms[0])


def make_class(name: str, program: Program, loss_weights: dict[str, float],
               extra: dict[str, Any] | None = None) -> type[ArchModule]:
    """Compile ``program`` into methods of a new ArchModule subclass called ``name``."""
    out = _Compiled()
    train, eval_ = program.forwards["train"], program.forwards["eval"]
    assert eval_ is not None
    if train is not None and _source(train, "f") == _source(eval_, "f"):
        out.add("forward", eval_)  # one mode: forward is straight-line
        out.methods.update(forward_train=out.methods["forward"],
                           forward_eval=out.methods["forward"])
    else:
        out.methods["forward"] = make_dispatch(program.inputs)
        out.sources.append(dispatch_source(program.inputs))
        if train is not None:
            out.add("forward_train", train)
        out.add("forward_eval", eval_)
        out.methods.setdefault("forward_train", _refuse_training)
    for fn_name, graph in program.regions.items():
        out.add(fn_name, graph)
    attrs = dict(out.methods, _code="\n".join(out.sources), _globals=out.globals,
                 _loss_weights=dict(loss_weights), _program=program, **(extra or {}))
    return type(class_name(name), (ArchModule,), attrs)


class _Compiled:
    """Methods compiled so far, their sources and the globals they use."""

    def __init__(self) -> None:
        self.methods: dict[str, Callable[..., Any]] = {}
        self.sources: list[str] = []
        self.globals: dict[str, Any] = {}

    def add(self, name: str, graph: fx.Graph) -> None:
        self.methods[name] = compile_graph(graph, name)
        self.sources.append(_source(graph, name))
        for key, obj in graph.python_code(root_module="self").globals.items():
            if self.globals.setdefault(key, obj) is not obj:
                raise AssertionError(f"generated code uses '{key}' for two objects")


def compile_graph(graph: fx.Graph, name: str) -> Callable[..., Any]:
    """The straight-line function torch.fx generates and compiles for ``graph``, taken from a
    GraphModule over stand-in submodules: as a method of the built class it reaches the real
    submodules through ``self``, like hand-written ``forward`` code."""
    stubs = {str(n.target): nn.Module() for n in graph.nodes
             if n.op in ("call_module", "get_attr")}
    module = fx.GraphModule(stubs, graph, class_name=name)
    return type(module).forward


def make_dispatch(inputs: list[str]) -> Callable[..., Any]:
    """``forward`` for networks whose training and inference graphs differ; its signature
    names the network's inputs (torch.export and keyword calls see ``x``, not ``*args``)."""
    signature = inspect.Signature([inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD)
                                   for n in ["self", *inputs]])

    def forward(self: nn.Module, *args: Any, **kwargs: Any) -> Any:
        if kwargs:
            args = signature.bind(self, *args, **kwargs).args[1:]
        if self.training:
            return self.forward_train(*args)
        return self.forward_eval(*args)

    forward.__signature__ = signature  # type: ignore[attr-defined]
    return forward


def dispatch_source(inputs: list[str]) -> str:
    """How ``forward`` reads, for ``model.code`` (it is the function ``_dispatch``)."""
    args = ", ".join(inputs)
    return (f"def forward(self, {args}):\n"
            f"    if self.training:\n"
            f"        return self.forward_train({args})\n"
            f"    return self.forward_eval({args})\n")


def _source(graph: fx.Graph, name: str) -> str:
    """The Python source fx generates for ``graph``, as a method called ``name``."""
    code = graph.python_code(root_module="self")
    src = code.src.strip("\n").replace("def forward(", f"def {name}(", 1)
    return "\n".join(line.rstrip() for line in src.splitlines()) + "\n"


def _refuse_training(self: nn.Module, *args: Any) -> Any:
    raise RuntimeError("this network was optimized for inference (batch norm folded into the "
                       "convolutions); call model.eval() or build it again to train")


def class_name(network: str) -> str:
    """``resnet50`` -> ``Resnet50``; ``wide-resnet`` -> ``WideResnet``."""
    parts = [p for p in re.split(r"\W|_", network) if p]
    name = "".join(p[:1].upper() + p[1:] for p in parts) or "Network"
    return name if name[0].isalpha() else "Net" + name
