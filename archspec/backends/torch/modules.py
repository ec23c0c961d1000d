"""Lower every node, place the stateful ones in a module tree named after the spec, initialise.

State-dict keys are the node names: ``layer1.0.conv1`` becomes ``root.layer1[0].conv1``, with
plain ``nn.Module`` containers (``nn.Sequential`` where every child name is a number).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from archspec.errors import ArgumentError, NameError_, SpecError
from archspec.ir.graph import OpGraph, OpNode, input_shapes, nodes
from archspec.names import module_name_problem, suggestion
from archspec.ops.registry import Fn, get
from archspec.source import UNKNOWN, Span
from torch import nn

Lowered = dict[str, Any]  # node name -> nn.Module | Fn


def lower_all(graph: OpGraph) -> Lowered:
    """Each non-input node's lowering, in node order (so seeded initialisation is stable)."""
    out: Lowered = {}
    for n in nodes(graph):
        if n.op == "input":
            continue
        prim = get(n.op)
        if prim.lower is None:
            raise SpecError(f"primitive '{n.op}' has no torch lowering", span=n.span)
        result = prim.lower(n, input_shapes(graph, n))
        if not isinstance(result, (nn.Module, Fn)):
            raise TypeError(f"lowering of '{n.op}' returned {type(result).__name__}, "
                            "expected an nn.Module or an Fn")
        out[n.name] = result
    return out


def place_modules(root: nn.Module, graph: OpGraph, lowered: Lowered) -> None:
    """Attach every module lowering at its node's dotted path under ``root``."""
    leaves = {name: m for name, m in lowered.items() if isinstance(m, nn.Module)}
    sequential = _numbered_prefixes(leaves)
    for path in leaves:
        parent, parts = root, path.split(".")
        for i, part in enumerate(parts):
            prefix = ".".join(parts[: i + 1])
            child = parent._modules.get(part)
            if child is None:
                child = leaves.get(prefix)
                if child is None:
                    child = nn.Sequential() if prefix in sequential else nn.Module()
                _add(parent, part, child, _span(graph, path), path)
            parent = child


def _numbered_prefixes(leaves: dict[str, Any]) -> set[str]:
    """Container paths whose children are all named by numbers."""
    children: dict[str, set[str]] = {}
    for path in leaves:
        parts = path.split(".")
        for i in range(1, len(parts)):
            children.setdefault(".".join(parts[:i]), set()).add(parts[i])
    return {p for p, names in children.items() if all(n.isdigit() for n in names)}


def _span(graph: OpGraph, path: str) -> Span:
    return graph.nodes[path]["data"].span if path in graph else UNKNOWN


def _add(parent: nn.Module, name: str, child: nn.Module, span: Span, path: str) -> None:
    """Elaboration applies the same rule (archspec/names.py); this guards graphs built in
    Python or imported."""
    problem = module_name_problem(name)
    if problem:
        raise NameError_(f"'{path}' cannot be a module path: '{name}' {problem}", span=span,
                         hint=suggestion(name))
    if hasattr(parent, name) and name not in parent._modules:
        raise NameError_(f"label '{name}' in '{path}' clashes with the torch.nn.Module "
                         f"attribute '{name}'", span=span, hint="rename the label")
    parent.add_module(name, child)


def apply_inits(graph: OpGraph, lowered: Lowered) -> None:
    """Apply each node's declared ``attrs['init']`` after torch's default initialisation."""
    with torch.no_grad():
        for n in nodes(graph):
            if n.attrs.get("init") is not None and n.name in lowered:
                INITS[check_init(n, lowered[n.name])](lowered[n.name])


def freeze(graph: OpGraph, lowered: Lowered) -> None:
    """``@frozen`` layers keep their parameters out of training (requires_grad=False), as the
    audit counts them non-trainable."""
    for n in nodes(graph):
        module = lowered.get(n.name)
        if n.attrs.get("frozen") and isinstance(module, nn.Module):
            module.requires_grad_(False)


def check_init(n: OpNode, module: Any) -> str:
    """The name of ``n``'s init rule; ArgumentError when unknown or inapplicable."""
    init = n.attrs["init"]
    if not isinstance(init, str) or init not in INITS or not isinstance(module, nn.Module):
        raise ArgumentError(f"unknown init '{init}' for {n.op} '{n.name}'", span=n.span,
                            hint=f"known: {', '.join(sorted(INITS))}")
    bias = getattr(module, "bias", None)
    if init == "identity_affine" and (getattr(module, "weight", None) is None or bias is None
                                      or tuple(bias.shape) != (6,)):
        raise ArgumentError(f"init 'identity_affine' needs a linear layer with 6 outputs and a "
                            f"bias; '{n.name}' is {n.op} with shape {n.shape}", span=n.span)
    return init


# The rules are plain torch (no archspec imports): export_python copies their source.
def init_zeros(module: nn.Module) -> None:
    """Every parameter of the module zero (zero_init_residual, offset convs, non-local W)."""
    for p in module.parameters():
        p.zero_()


def init_ones(module: nn.Module) -> None:
    for p in module.parameters():
        p.fill_(1.0)


def init_identity_affine(module: nn.Module) -> None:
    """A linear layer that outputs the identity 2×3 affine matrix (STN localisation head)."""
    module.weight.zero_()
    module.bias.copy_(torch.tensor([1.0, 0, 0, 0, 1, 0], dtype=module.bias.dtype,
                                   device=module.bias.device))


INITS: dict[str, Callable[[nn.Module], None]] = {
    "zeros": init_zeros,
    "ones": init_ones,
    "identity_affine": init_identity_affine,
}
