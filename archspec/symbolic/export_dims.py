"""Dynamic sizes for torch.export, derived from the valid set (docs/build.md, "Dynamic
sizes"): each size symbol becomes ``step·k + residue`` with ``k ≥ k_min``, or a plain range
when every size is valid. Pure Python: the torch side (backends/torch/dynamic.py) only turns
these plans into ``torch.export.Dim`` objects.

torch.export can state a lower bound and one arithmetic progression per dynamic dim (a
derived dim ``a·k + b``); it cannot state a union of residues ("H ≡ 4, 5 (mod 8)"), sizes
tied by a joint constraint, finitely many sizes, or sizes the spec's own code read. Such a
network is refused with a NotExportable that says which.

torch also specialises sizes 0 and 1: a map that could be 1 wide adds a guard ``size != 1``
that the range must respect. So the exported range starts at the first valid size where
every map that depends on the symbol is at least 2 wide (ResNet-50: H ≥ 33).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from archspec.symbolic.dims import evaluate, is_symbolic
from archspec.symbolic.load import fmt_reference

SEARCH = 4096  # progression steps searched for the first size with no 1-wide map


class NotExportable(ValueError):
    """The valid set is not something torch.export can state."""


@dataclass(frozen=True)
class DimPlan:
    """Symbol ``name`` is exported as ``step·k + residue`` with ``k ≥ k_min``."""

    name: str
    step: int
    residue: int
    k_min: int

    @property
    def minimum(self) -> int:
        return self.step * self.k_min + self.residue

    def contains(self, size: int) -> bool:
        return size >= self.minimum and (size - self.residue) % self.step == 0

    def __str__(self) -> str:
        if self.step == 1:
            return f"{self.name} ≥ {self.minimum}"
        residue = f" + {self.residue}" if self.residue else ""
        return f"{self.name} = {self.step}·k{residue}, k ≥ {self.k_min} ({self.name} ≥ " \
               f"{self.minimum})"


def dynamic_plans(shapes: Any, caveats: list[str], nodes: set[str] | None = None,
                  graph: Any = None) -> list[DimPlan]:
    """One plan per symbol of ``shapes`` (a NetworkShapes); NotExportable when torch.export
    cannot state the valid set. ``nodes``: those the exported program runs (an eval-mode
    program skips the auxiliary heads), all by default; with ``graph`` (the IR), a layer
    whose weights' shape depends on the sizes is refused too."""
    if graph is not None:
        check_fixed_weights(graph, shapes, nodes)
    if shapes.size_reads:
        raise NotExportable(
            f"the spec reads sizes that depend on {', '.join(shapes.symbols)} ("
            f"{shapes.size_reads[0].attr} at {shapes.size_reads[0].span}): its module holds "
            f"values computed at {fmt_reference(shapes.reference)}, so no program is right at "
            "other sizes; export at a concrete --input")
    if caveats:
        raise NotExportable(caveats[0])
    valid = without_broadcasts(shapes)
    progressions = {name: progression(valid, name) for name in shapes.symbols}
    return [DimPlan(name, p.step, p.start % p.step,
                    first_wide(shapes, name, progressions, nodes))
            for name, p in progressions.items()]


def check_fixed_weights(graph: Any, shapes: Any, nodes: set[str] | None) -> None:
    """NotExportable naming the first layer (of ``nodes``) whose parameter or buffer count
    depends on the sizes (a linear after a flatten): a program has one set of weights."""
    from archspec.ir.graph import nodes as graph_nodes
    from archspec.symbolic.costs import NoFormula, symbolic_cost
    from archspec.symbolic.dims import is_symbolic
    for n in graph_nodes(graph):
        ins = [shapes.shapes[(r.node, r.port)] for r in n.inputs]
        if (nodes is not None and n.name not in nodes) or n.op == "input" or not any(
                is_symbolic(d) for shape in ins for d in shape):
            continue
        try:
            cost = symbolic_cost(n, ins, shapes.shapes)
        except NoFormula:
            continue
        weights = cost.params + cost.buffers
        if not isinstance(weights, int) and not weights.is_constant:
            what = "parameters" if cost.buffers == 0 else "parameters and buffers"
            raise NotExportable(
                f"'{n.name}' ({n.op}, {n.span}) has {weights} {what}: their number depends "
                f"on {', '.join(shapes.symbols)}, and an exported program holds one set of "
                "weights; export at a concrete --input, or make the layer's input size-free "
                "(a global pool before the flatten)")


def without_broadcasts(shapes: Any) -> Any:
    """The valid set with every alternative taken as its first option: merge operands equal
    (a broadcast size-1 operand is below the exported range anyway, whose maps are all ≥ 2
    wide); for a flatten's size product, one factorisation (a finite set: refused)."""
    from archspec.symbolic.constraints import AnyOf
    from archspec.symbolic.validset import ValidSet
    if not any(isinstance(c, AnyOf) for c in shapes.constraints):
        return shapes.valid
    strict = [item for c in shapes.constraints
              for item in (c.options[0] if isinstance(c, AnyOf) else [c])]
    return ValidSet(strict, shapes.symbols)


def progression(valid: Any, name: str) -> Any:
    try:
        found = valid.progression(name)
    except ValueError:
        found = None
    if found is None:
        raise NotExportable(
            f"the valid sizes are {valid.describe()}: torch.export states a dynamic size as "
            f"one range a·k + b (k ≥ k_min) per dimension, and cannot represent this set of "
            f"{name}; export at a concrete --input")
    return found


def first_wide(shapes: Any, name: str, progressions: dict[str, Any],
               nodes: set[str] | None) -> int:
    """The smallest k at which every map (of ``nodes``) depending on ``name`` is ≥ 2 wide
    (the other symbols at a large valid size)."""
    p = progressions[name]
    env = {n: q.start + q.step * SEARCH for n, q in progressions.items()}
    dims = [d for (node, _), shape in shapes.shapes.items() for d in shape
            if (nodes is None or node in nodes) and is_symbolic(d) and name in d.symbols]
    for step in range(SEARCH):
        env[name] = p.start + p.step * step
        if all(evaluate(d, env) >= 2 for d in dims):
            return p.start // p.step + step
    raise NotExportable(f"some map stays 1 wide for every {name} up to {env[name]}: torch "
                        "specialises size 1, so it cannot export this size as dynamic")
