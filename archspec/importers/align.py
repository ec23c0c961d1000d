"""Optional children: an instance without a child that its siblings have (torchvision's
``downsample`` exists only in the first block of a stage) gets a ``__skip__`` placeholder at
the same place, so that all instances have one structure and unify into one block with
``if with_downsample { in -> downsample: [...] } else { in }``."""

from __future__ import annotations

from collections import Counter

from archspec.importers.emit import SKIP
from archspec.importers.flat import Layer
from archspec.importers.scopes import Scope, boundary


def item_keys(scope: Scope) -> dict[str, Scope | Layer]:
    """A name for each item that is the same across instances of one class."""
    keys: dict[str, Scope | Layer] = {}
    seen: Counter[str] = Counter()
    for item in scope.items:
        base = item.name if isinstance(item, Scope) else (item.path.rsplit(".", 1)[-1]
                                                          if item.path else item.op)
        keys[f"{base}#{seen[base]}"] = item
        seen[base] += 1
    return keys


def align(instances: list[Scope], consumers: Counter[str]) -> None:
    keyed = [item_keys(s) for s in instances]
    for key in {k for ks in keyed for k in ks}:
        holders = [ks[key] for ks in keyed if key in ks]
        if len(holders) == len(keyed) or not isinstance(holders[0], Scope):
            continue
        full = next(i for i, ks in enumerate(keyed) if key in ks)
        for scope, ks in zip(instances, keyed):
            if key not in ks and set(ks) <= set(keyed[full]):
                insert_skip(scope, ks, keyed[full], key, consumers)


def insert_skip(scope: Scope, keys: dict[str, Scope | Layer], full: dict[str, Scope | Layer],
                key: str, consumers: Counter[str]) -> None:
    child = full[key]
    reads, used = boundary(child, consumers)
    if len(reads) != 1 or len(used) != 1:
        return
    consumer_key = next((k for k, item in full.items() if isinstance(item, Layer)
                         and used[0] in item.inputs), None)
    target = keys.get(consumer_key or "")
    if consumer_key is None or not isinstance(target, Layer):
        return
    source_layer = full[consumer_key]
    assert isinstance(source_layer, Layer) and isinstance(child, Scope)
    j = source_layer.inputs.index(used[0])
    if len(target.inputs) != len(source_layer.inputs) or target.op != source_layer.op:
        return
    skip = Layer(f"{target.out}#skip:{key}", SKIP, inputs=[target.inputs[j]],
                 path=f"{scope.path}.{child.name}")
    target.inputs[j] = skip.out
    consumers[skip.out] += 1
    scope.items.insert(scope.items.index(target), skip)
