"""Checking a node's operands against its primitive's port types, before its shape rule runs.

An index tensor (max-pool indices) is not data: feeding it to a convolution, a norm or an
activation crashes at forward (integer dtype), and a float tensor cannot serve as indices.
A primitive can also declare a ``link`` rule that checks what its operands were made by
(``max_unpool`` checks that it inverts the maxpool whose indices it reads).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from archspec.errors import SpecTypeError
from archspec.ir.graph import OpNode, Shape
from archspec.ops.geometry import INDEX, PortType
from archspec.ops.registry import Primitive, get


class Operand(NamedTuple):
    """One operand of a new node: its type and the node that made it. (A named tuple: a frozen
    dataclass cost 0.5 ms of every start-up in generated methods.)"""

    name: str                      # the producing node
    port: int
    shape: Shape
    type: PortType
    op: str
    params: dict[str, Any]
    source: Shape | None = None    # the producer's primary input shape (None: a graph input)


def operand(producer: OpNode, port: int, source: Shape | None) -> Operand:
    return Operand(producer.name, port, producer.port_shape(port),
                   get(producer.op).ports.output(port), producer.op, producer.params, source)


def types_match(prim: Primitive, producers: list[OpNode], refs: list[Any]) -> bool:
    """The cheap test run for every node: each operand's port type is the declared one."""
    return all(get(n.op).ports.output(r.port) == prim.ports.input(i)
               for i, (n, r) in enumerate(zip(producers, refs)))


def check_operands(prim: Primitive, params: dict[str, Any], operands: list[Operand]) -> None:
    """SpecTypeError when an operand's port type is not the one ``prim`` declares for it;
    then ``prim.link`` (if any) checks the producers."""
    for index, got in enumerate(operands):
        want = prim.ports.input(index)
        if got.type == want:
            continue
        role = describe_input(prim, index)
        if got.type == INDEX:
            raise SpecTypeError(
                f"{prim.name}: {role} is the index tensor of '{got.name}' (port {got.port}), "
                "not data", hint=f"indices only feed max_unpool; use '{got.name}' itself for "
                                 "the pooled values")
        raise SpecTypeError(
            f"{prim.name}: {role} must be an index tensor, got data from '{got.name}'",
            hint="pass `.indices` of a maxpool(..., return_indices=true)")
    if prim.link is not None:
        prim.link(params, operands)


def describe_input(prim: Primitive, index: int) -> str:
    names = prim.all_inputs
    if index < len(names) and not (prim.variadic and index >= len(prim.inputs) - 1):
        return f"input '{names[index]}'"
    return f"operand {index + 1}"
