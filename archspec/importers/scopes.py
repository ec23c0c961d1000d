"""The module hierarchy of a FlatNet: a tree of Scopes (module instances) holding layers.

Each scope is one module instance that was called once; its layers are contiguous in the
trace. ``boundary`` gives the tensors a scope reads from outside and the ones it produces
for outside use, which decides whether it can be written as one layer of a chain.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from archspec.errors import SpecImportError
from archspec.importers.flat import FlatNet, Layer
from archspec.source import UNKNOWN

CONTAINERS = frozenset({"Sequential"})


@dataclass(eq=False)
class Scope:
    path: str
    cls: str
    items: list[Scope | Layer] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.rsplit(".", 1)[-1]

    def layers(self) -> list[Layer]:
        out: list[Layer] = []
        for item in self.items:
            out.extend(item.layers() if isinstance(item, Scope) else [item])
        return out


def build_tree(net: FlatNet) -> Scope:
    root = Scope("", "")
    index: dict[str, Scope] = {"": root}
    for layer in net.layers:
        parent = root
        for path, cls in layer.owners:
            scope = index.get(path)
            if scope is None:
                scope = index[path] = Scope(path, cls)
                parent.items.append(scope)
            elif not parent.items or parent.items[-1] is not scope:
                raise SpecImportError(f"module '{path}' ({cls}) is called more than once, or "
                                      "its calls interleave with other modules", UNKNOWN,
                                      hint="a spec layer is applied once; share only "
                                      "parameter-free modules")
            parent = scope
        parent.items.append(layer)
    return root


def boundary(scope: Scope | Layer, consumers: Counter[str]) -> tuple[list[str], list[str]]:
    """(tensors read from outside, tensors used outside) of ``scope``."""
    layers = scope.layers() if isinstance(scope, Scope) else [scope]
    made = {layer.out for layer in layers}
    inside: Counter[str] = Counter()
    reads: list[str] = []
    for layer in layers:
        inside.update(layer.inputs)
        reads.extend(t for t in layer.inputs if t not in made and t not in reads)
    used = [layer.out for layer in layers if consumers[layer.out] > inside[layer.out]]
    return reads, used


def call_counts(net: FlatNet) -> Counter[str]:
    """How often each module path is called (a shared ReLU is called several times)."""
    return Counter(layer.path for layer in net.layers if layer.path)


def is_sequence(scope: Scope, consumers: Counter[str]) -> bool:
    """Items that each read just the one before it."""
    previous = None
    for item in scope.items:
        reads, used = boundary(item, consumers) if isinstance(item, Scope) else (
            item.inputs, [item.out])
        if len(reads) != 1 or len(used) != 1 or (previous is not None and reads[0] != previous):
            return False
        previous = used[0]
    return True
