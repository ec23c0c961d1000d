"""Lower every node, place the stateful ones in a module tree named after the spec, initialise.

State-dict keys are the node names: ``layer1.0.conv1`` becomes ``root.layer1[0].conv1``, with
plain ``nn.Module`` containers (``nn.Sequential`` where every child name is a number).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from archspec.errors import ArgumentError, SpecError, SpecNameError
from archspec.ir.graph import OpGraph, OpNode, input_shapes, nodes
from archspec.names import module_name_problem, suggestion
from archspec.ops.init import FREE, InitRule, as_rules, targets
from archspec.ops.registry import Fn, FreeParam, get
from archspec.source import UNKNOWN, Span
from torch import nn

Lowered = dict[str, Any]  # node name -> nn.Module | Fn | FreeParam


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
        if not isinstance(result, (nn.Module, Fn, FreeParam)):
            raise TypeError(f"lowering of '{n.op}' returned {type(result).__name__}, "
                            "expected an nn.Module, an Fn or a FreeParam")
        out[n.name] = result
    return out


def place_modules(root: nn.Module, graph: OpGraph, lowered: Lowered) -> None:
    """Attach every module lowering at its node's dotted path under ``root``, and every free
    parameter as a parameter of the module at its path's parent."""
    leaves = {name: m for name, m in lowered.items() if isinstance(m, (nn.Module, FreeParam))}
    sequential = _numbered_prefixes(leaves)
    for path, leaf in leaves.items():
        parent, parts = root, path.split(".")
        for i, part in enumerate(parts[:-1] if isinstance(leaf, FreeParam) else parts):
            prefix = ".".join(parts[: i + 1])
            child = parent._modules.get(part)
            if child is None:
                child = leaves.get(prefix)
                if not isinstance(child, nn.Module):
                    child = nn.Sequential() if prefix in sequential else nn.Module()
                _add(parent, part, child, _span(graph, path), path)
            parent = child
        if isinstance(leaf, FreeParam):
            _add_parameter(parent, parts[-1], leaf.value, _span(graph, path), path)


def _add_parameter(parent: nn.Module, name: str, value: nn.Parameter, span: Span,
                   path: str) -> None:
    problem = module_name_problem(name)
    if problem or (hasattr(parent, name) and name not in parent._parameters):
        raise SpecNameError(f"'{path}' cannot be a parameter path: '{name}' "
                         f"{problem or 'is taken by the module there'}", span=span,
                         hint=suggestion(name) if problem else "rename the label")
    parent.register_parameter(name, value)


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
        raise SpecNameError(f"'{path}' cannot be a module path: '{name}' {problem}", span=span,
                         hint=suggestion(name))
    if hasattr(parent, name) and name not in parent._modules:
        raise SpecNameError(f"label '{name}' in '{path}' clashes with the torch.nn.Module "
                         f"attribute '{name}'", span=span, hint="rename the label")
    parent.add_module(name, child)


def apply_inits(graph: OpGraph, lowered: Lowered) -> None:
    """Apply each node's declared ``attrs['init']`` rules, in node order and in the order
    written, after torch's default initialisation (so a seeded build is reproducible)."""
    with torch.no_grad():
        for n in nodes(graph):
            if n.attrs.get("init") is not None and n.name in lowered:
                params = parameters_of(lowered[n.name])
                for rule, name in init_calls(n, params):
                    INITS[rule.rule](params[name], **rule.kwargs)


def freeze(graph: OpGraph, lowered: Lowered) -> None:
    """``@frozen`` layers keep their parameters out of training (requires_grad=False), as the
    audit counts them non-trainable."""
    for n in nodes(graph):
        low = lowered.get(n.name)
        if n.attrs.get("frozen") and isinstance(low, nn.Module):
            low.requires_grad_(False)
        elif n.attrs.get("frozen") and isinstance(low, FreeParam):
            low.value.requires_grad_(False)


def parameters_of(low: Any) -> dict[str, torch.Tensor]:
    """A lowering's own parameters by name; a free parameter is the one tensor ``''``."""
    if isinstance(low, FreeParam):
        return {FREE: low.value}
    if isinstance(low, nn.Module):
        return dict(low.named_parameters(recurse=False))
    return {}


def init_calls(n: OpNode, params: dict[str, torch.Tensor]) -> list[tuple[InitRule, str]]:
    """``(rule, parameter name)`` for every tensor each of ``n``'s init rules sets, in order;
    ArgumentError when a rule is unknown or cannot apply (graphs built in Python)."""
    calls = []
    for rule in as_rules(n.attrs["init"]):
        if rule.rule not in INITS:
            raise ArgumentError(f"unknown init '{rule.rule}' for {n.op} '{n.name}'",
                                span=n.span, hint=f"known: {', '.join(sorted(INITS))}")
        found = targets(rule, {k: tuple(v.shape) for k, v in params.items()})
        problem = found if isinstance(found, str) else get(n.op).init_check(rule.rule, n)
        if problem:
            raise ArgumentError(f"{rule} cannot apply to {n.op} '{n.name}': {problem}",
                                span=n.span)
        calls += [(rule, name) for name in found]
    return calls


# The rules are torch.nn.init's; export_python writes the same calls (and copies the source of
# init_identity_affine, which is plain torch).
def init_identity_affine(tensor: torch.Tensor) -> None:
    """The identity 2×3 affine matrix from a linear layer (STN localisation head): the weight
    zero, the bias ``[1, 0, 0, 0, 1, 0]``."""
    if tensor.dim() > 1:
        tensor.zero_()
    else:
        tensor.copy_(torch.tensor([1.0, 0, 0, 0, 1, 0], dtype=tensor.dtype,
                                  device=tensor.device))


INITS: dict[str, Callable[..., Any]] = {
    "zeros": nn.init.zeros_,
    "ones": nn.init.ones_,
    "constant": nn.init.constant_,
    "normal": nn.init.normal_,
    "trunc_normal": nn.init.trunc_normal_,
    "uniform": nn.init.uniform_,
    "kaiming_normal": nn.init.kaiming_normal_,
    "kaiming_uniform": nn.init.kaiming_uniform_,
    "xavier_normal": nn.init.xavier_normal_,
    "xavier_uniform": nn.init.xavier_uniform_,
    "identity_affine": init_identity_affine,
}
