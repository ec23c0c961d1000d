"""The importers' intermediate form: a flat, ordered list of primitive calls.

Each importer (Caffe, PyTorch) produces a :class:`FlatNet`; ``recover`` turns it into an AST
with blocks, loops and chains; archspec's own loader then elaborates that text, so check, audit,
render and build apply to an imported model exactly as to a hand-written one.
"""

from __future__ import annotations

import keyword
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from archspec.source import UNKNOWN, Span

SPEC_KEYWORDS = frozenset("import as let block network input out aux for in if else assert "
                          "and or not true false".split())


@dataclass
class Layer:
    """One primitive call: ``out = op(*args, **kwargs)(*inputs)``.

    ``path`` is the module path (``layer1.0.conv1``) for a layer that has a name in the source
    model, ``""`` for an anonymous one; ``owners`` lists the enclosing module instances from the
    outside in, as (path, class name, constructor values) triples, for block recovery."""

    out: str
    op: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    inputs: list[str] = field(default_factory=list)
    path: str = ""
    span: Span = UNKNOWN
    owners: tuple[tuple[str, str], ...] = ()
    hint: str = ""         # a name for the variable that holds ``out``, if it needs one


@dataclass
class FlatNet:
    name: str
    inputs: list[tuple[str, tuple[int, ...]]] = field(default_factory=list)
    layers: list[Layer] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    doc: str | None = None
    shapes: dict[str, tuple[int, ...]] = field(default_factory=dict)  # tensor -> shape, if known
    model: Any = None      # the source nn.Module (its state_dict has the spec's keys)
    guessed_classes: bool = False   # module classes come from names (Caffe), not the source
    weights: dict[str, Any] = field(default_factory=dict)   # spec key -> array (ONNX)
    origins: dict[str, list[str]] = field(default_factory=dict)  # path -> Caffe layers
    output_names: list[str] = field(default_factory=list)   # per output, where the source has
    aux_weights: dict[str, float] = field(default_factory=dict)  # aux output -> loss weight


def identifier(text: str, taken: set[str] | None = None) -> str:
    """``text`` as a spec identifier: other characters become ``_``, a leading digit gets a
    prefix, keywords and names in ``taken`` get a ``_`` suffix."""
    name = re.sub(r"\W", "_", text, flags=re.ASCII) or "x"
    if name[0].isdigit():
        name = "n" + name
    if name in SPEC_KEYWORDS or keyword.iskeyword(name):
        name += "_"
    base, n = name, 1
    while taken and name in taken:
        name, n = f"{base}_{n}", n + 1
    return name


def reserved_names() -> set[str]:
    """Primitive and built-in function names: a spec variable may not shadow them."""
    from archspec.elaborate.builtins import BUILTINS
    from archspec.ops.registry import load_all
    return set(load_all()) | set(BUILTINS)


def stateful(op: str) -> bool:
    from archspec.ops.registry import PRIMITIVES, load_all
    load_all()
    return op in PRIMITIVES and PRIMITIVES[op].stateful


def consumer_counts(net: FlatNet) -> Counter[str]:
    """How many times each tensor is read: by layers, and once more per network output."""
    counts: Counter[str] = Counter()
    for layer in net.layers:
        counts.update(layer.inputs)
    counts.update(net.outputs)
    return with_port_calls(counts)


PORT_SEP = "\x1f"   # in no source's tensor names (ONNX's hold dots: 'input.1')


def port_ref(call: str, port: str) -> str:
    """The tensor name of output port ``port`` of the layer computing ``call``."""
    return f"{call}{PORT_SEP}{port}"


def split_port(tensor: str) -> tuple[str, str]:
    """``(call, port)`` of a port reference; ``(tensor, "")`` for a plain tensor."""
    call, _, port = tensor.partition(PORT_SEP)
    return call, port


def with_port_calls(counts: Counter[str]) -> Counter[str]:
    """Counts a read of a named port (``pool.indices``) as a read of its call too: the call
    then gets a variable, which the port is read from."""
    counts.update(split_port(t)[0] for t in list(counts.elements()) if PORT_SEP in t)
    return counts
