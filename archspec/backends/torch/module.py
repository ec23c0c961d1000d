"""The built network's class: generated methods over a module tree named after the spec.

Each build creates a subclass of :class:`ArchModule` whose ``forward`` is Python source
generated from the fx graphs (``print(model.code)``). When training and inference compute
different things (auxiliary heads, checkpointed blocks), ``forward`` dispatches on
``self.training`` to ``forward_train`` / ``forward_eval``; both address the same submodules, so
the state dict has no extra prefix.
"""

from __future__ import annotations

import itertools
import linecache
import re
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import torch
from archspec.backends.torch.codegen import Program
from torch import fx, nn

_counter = itertools.count()


class ArchModule(nn.Module):
    """Base class of every network built by archspec.

    In eval mode ``forward`` returns the main output (a tensor), or a NamedTuple of the main
    outputs when there are several. In train mode, when the spec has auxiliary outputs, it
    returns a NamedTuple of all outputs, main ones first (``type(model).TrainOutputs``).
    """

    _code: ClassVar[str] = ""
    _loss_weights: ClassVar[dict[str, float]] = {}
    _program: ClassVar[Program | None] = None
    _globals: ClassVar[dict[str, Any]] = {}
    Outputs: ClassVar[Any] = None        # NamedTuple of the main outputs when there are several
    TrainOutputs: ClassVar[Any] = None   # NamedTuple of all outputs in training, if it differs

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
    train_src = _source(train, "forward_eval")[0] if train is not None else None
    if train_src == _source(eval_, "forward_eval")[0]:
        out.add("forward", *_source(eval_, "forward"))  # one mode: forward is straight-line
        out.methods.update(forward_train=out.methods["forward"],
                           forward_eval=out.methods["forward"])
    else:
        out.add("forward", dispatch_source(program.inputs), {})
        if train is not None:
            out.add("forward_train", *_source(train, "forward_train"))
        out.add("forward_eval", *_source(eval_, "forward_eval"))
        out.methods.setdefault("forward_train", _refuse_training)
    for fn_name, graph in program.regions.items():
        out.add(fn_name, *_source(graph, fn_name))
    attrs = dict(out.methods, _code="\n".join(out.sources), _globals=out.globals,
                 _loss_weights=dict(loss_weights), _program=program, **(extra or {}))
    return type(class_name(name), (ArchModule,), attrs)


class _Compiled:
    """Methods compiled so far, their sources and the globals they use."""

    def __init__(self) -> None:
        self.methods: dict[str, Callable[..., Any]] = {}
        self.sources: list[str] = []
        self.globals: dict[str, Any] = {}

    def add(self, name: str, src: str, globals_: dict[str, Any]) -> None:
        self.methods[name] = compile_source(src, globals_, name)
        self.sources.append(src)
        for key, obj in globals_.items():
            if self.globals.setdefault(key, obj) is not obj:
                raise AssertionError(f"generated code uses '{key}' for two objects")


def dispatch_source(inputs: list[str]) -> str:
    args = ", ".join(inputs)
    return (f"def forward(self, {args}):\n"
            f"    if self.training:\n"
            f"        return self.forward_train({args})\n"
            f"    return self.forward_eval({args})\n")


def _source(graph: fx.Graph, name: str) -> tuple[str, dict[str, Any]]:
    """The Python source of ``graph`` as a method called ``name``, and its globals."""
    code = graph.python_code(root_module="self")
    src = code.src.strip("\n").replace("def forward(", f"def {name}(", 1)
    src = "\n".join(line.rstrip() for line in src.splitlines()) + "\n"
    return shorten_globals(src, code.globals)


def shorten_globals(src: str, globals_: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """fx names helpers by their module path (``archspec_ops_x_f``); use ``f`` when free."""
    out = dict(globals_)
    for key, obj in globals_.items():
        short = getattr(obj, "__name__", key)
        if (short != key and short.isidentifier() and short not in out
                and not re.search(rf"\b{short}\b", src)):
            src = re.sub(rf"\b{key}\b", short, src)
            out[short] = out.pop(key)
    return src, out


def compile_source(src: str, globals_: dict[str, Any], name: str) -> Callable[..., Any]:
    """Exec ``src`` defining ``name``; registered in linecache so tracebacks show the code."""
    key = f"<archspec-generated {name} {next(_counter)}>"
    linecache.cache[key] = (len(src), None, src.splitlines(True), key)
    scope = dict(globals_)
    exec(compile(src, key, "exec"), scope)  # noqa: S102 (our own generated code)
    return scope[name]


def _refuse_training(self: nn.Module, *args: Any) -> Any:
    raise RuntimeError("this network was optimized for inference (batch norm folded into the "
                       "convolutions); call model.eval() or build it again to train")


def class_name(network: str) -> str:
    """``resnet50`` -> ``Resnet50``; ``wide-resnet`` -> ``WideResnet``."""
    parts = [p for p in re.split(r"\W|_", network) if p]
    name = "".join(p[:1].upper() + p[1:] for p in parts) or "Network"
    return name if name[0].isalpha() else "Net" + name
