"""The graph -> torch.fx graphs, one per mode: straight-line forwards with no interpreter loop.

``train`` computes every output; ``eval`` only the main ones, so nodes needed only by auxiliary
heads do not run at inference. In ``train``, the nodes of a block marked ``checkpoint`` form a
region: a separate fx graph, called through ``torch.utils.checkpoint.checkpoint``.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

import torch
import torch.utils.checkpoint
from archspec.backends.torch.limits import network_span
from archspec.backends.torch.runtime_sizes import ReadSize, size_refs
from archspec.errors import GraphError
from archspec.ir.graph import OpGraph, Ref, ancestors, blocks, node, outputs
from archspec.ops.registry import INPUTS, FreeParam, In
from torch import fx, nn

MODES = ("train", "eval")
Reads = dict[str, list[Ref]]  # node -> maps whose sizes it reads in forward


def ident(name: str) -> str:
    """A Python identifier for a node path: ``layer1.0.conv1`` -> ``layer1_0_conv1``. The
    generated methods bind ``self``, so a node called ``self`` becomes ``self_`` (torch.fx
    itself renames keywords and builtins)."""
    out = re.sub(r"\W", "_", name)
    out = out if out and not out[0].isdigit() else "_" + out
    return out + "_" if out == "self" else out


@dataclass
class Region:
    """The nodes of one checkpointed block instance, run as one function."""

    path: str
    nodes: list[str]
    inputs: list[Ref] = field(default_factory=list)   # values from outside, in first-use order
    outputs: list[Ref] = field(default_factory=list)  # values used outside or returned

    @property
    def fn_name(self) -> str:
        return "_ckpt_" + ident(self.path or "network")


@dataclass
class Program:
    """What a built network runs: an fx graph per mode and per checkpoint region."""

    inputs: list[str]                       # placeholder names, in declaration order
    ranks: list[int]                        # each input's rank without the batch dim
    forwards: dict[str, fx.Graph | None]    # "train" / "eval" -> graph (None: mode refused)
    regions: dict[str, fx.Graph] = field(default_factory=dict)  # fn name -> graph


class Emitter:
    """Appends nodes to one fx graph, tracking the fx value of every (node, port)."""

    def __init__(self, graph: OpGraph, lowered: dict[str, Any], fxg: fx.Graph):
        self.g, self.lowered, self.fx = graph, lowered, fxg
        self.raw: dict[str, fx.Node] = {}     # node -> its result (a tuple for multi-port nodes)
        self.ports: dict[Ref, fx.Node] = {}

    def value(self, ref: Ref) -> fx.Node:
        if ref in self.ports:
            return self.ports[ref]
        if not node(self.g, ref.node).port_shapes:
            return self.raw[ref.node]
        name = f"{ident(ref.node)}_{ref.port}"
        got = self.fx.create_node("call_function", operator.getitem,
                                  (self.raw[ref.node], ref.port), name=name)
        self.ports[ref] = got
        return got

    def emit(self, name: str) -> None:
        n = node(self.g, name)
        args = [self.value(r) for r in n.inputs]
        low = self.lowered[name]
        if isinstance(low, nn.Module):
            made = self.fx.create_node("call_module", name, tuple(args), {}, name=ident(name))
        elif isinstance(low, FreeParam):
            value = self.fx.create_node("get_attr", name, name=ident(name) + "_param")
            made = self.fx.create_node("call_function", low.target, (*args, value),
                                       name=ident(name))
        else:
            made = self.fx.create_node("call_function", low.target,
                                       self.subst(low.args, args), self.subst(low.kwargs, args),
                                       name=ident(name))
        made.meta["shape"] = n.shape  # without the batch dim; read by optimize passes
        self.raw[name] = made

    def subst(self, value: Any, args: list[fx.Node]) -> Any:
        """Replace ``In(i)`` / ``INPUTS`` markers by the input values, and sizes read at run
        time (runtime_sizes.py) by the nodes computing them."""
        if isinstance(value, In):
            return args[value.index]
        if value is INPUTS:
            return list(args)
        if isinstance(value, ReadSize):
            return value.emit(self)
        if isinstance(value, tuple) and not hasattr(value, "_fields"):
            return tuple(self.subst(v, args) for v in value)
        if isinstance(value, list):
            return [self.subst(v, args) for v in value]
        if isinstance(value, dict):
            return {k: self.subst(v, args) for k, v in value.items()}
        return value


def output_refs(graph: OpGraph, mode: str) -> dict[str, Ref]:
    """The outputs computed in ``mode``: main ones first, auxiliary ones only in training."""
    return {k: o.node for k, o in outputs(graph).items() if mode == "train" or o.role == "main"}


def build_program(graph: OpGraph, lowered: dict[str, Any], out_types: dict[str, Any],
                  memory_format: Any = None) -> Program:
    """Both modes' fx graphs; ``out_types[mode]`` packs several outputs (None: one tensor)."""
    prog = Program([], [len(node(graph, n).shape) for n in graph.meta.inputs], {})
    reads = {name: refs for name, low in lowered.items() if (refs := size_refs(low))}
    for mode in MODES:
        fxg = fx.Graph()
        em = Emitter(graph, lowered, fxg)
        prog.inputs = add_inputs(em, graph, memory_format)
        refs = list(output_refs(graph, mode).values())
        order = needed_order(graph, refs, reads)
        regions = checkpoint_regions(graph) if mode == "train" else {}
        for unit in plan_units(graph, order, regions, refs, reads):
            if isinstance(unit, Region):
                prog.regions[unit.fn_name] = emit_region(em, unit)
            else:
                em.emit(unit)
        add_outputs(em, refs, out_types[mode])
        fxg.lint()
        prog.forwards[mode] = fxg
    return prog


def add_inputs(em: Emitter, graph: OpGraph, memory_format: Any) -> list[str]:
    names = []
    for name in graph.meta.inputs:
        ph = em.fx.create_node("placeholder", ident(name), name=ident(name))
        names.append(ph.name)
        if memory_format is not None and len(node(graph, name).shape) == 3:
            ph = em.fx.create_node("call_method", "contiguous", (ph,),
                                   {"memory_format": memory_format}, name=f"{ph.name}_cl")
        em.raw[name] = ph
    return names


def add_outputs(em: Emitter, refs: list[Ref], out_type: Any) -> None:
    values = [em.value(r) for r in refs]
    if out_type is None:
        em.fx.output(values[0])
    else:
        em.fx.output(em.fx.create_node("call_function", out_type, tuple(values), name="outputs"))


def needed_order(graph: OpGraph, refs: list[Ref], reads: Reads | None = None) -> list[str]:
    """Non-input nodes the outputs depend on, topologically, ties in node order; ``reads``:
    the maps whose sizes a node reads in forward (runtime_sizes.py) count as its operands."""
    reads = reads or {}
    need = ancestors(graph, [r.node for r in refs])
    while extra := {r.node for n in need for r in reads.get(n, ())} - need:
        need |= ancestors(graph, list(extra))
    need -= set(graph.meta.inputs)
    return [n for n in graph.nodes if n in need]  # insertion order is topological


def checkpoint_regions(graph: OpGraph) -> set[str]:
    return {p for p, b in blocks(graph).items() if b.attrs.get("checkpoint")}


def region_of(block: str, paths: set[str]) -> str | None:
    """The outermost checkpointed block containing ``block``, or None."""
    if "" in paths:
        return ""
    parts = block.split(".") if block else []
    for i in range(1, len(parts) + 1):
        if ".".join(parts[:i]) in paths:
            return ".".join(parts[:i])
    return None


def plan_units(graph: OpGraph, order: list[str], paths: set[str], refs: list[Ref],
               reads: Reads) -> list[str | Region]:
    """``order`` with each checkpoint region collapsed to one unit, still topological."""
    unit = {}
    for n in order:
        region = region_of(node(graph, n).block, paths) if paths else None
        unit[n] = n if region is None else ("region", region)
    if not paths:
        return list(order)
    cg, first = nx.DiGraph(), {}
    for i, n in enumerate(order):
        first.setdefault(unit[n], i)
        cg.add_node(unit[n])
        cg.add_edges_from((unit[r.node], unit[n]) for r in operands(graph, n, reads)
                          if r.node in unit and unit[r.node] != unit[n])
    if not nx.is_directed_acyclic_graph(cg):
        raise GraphError("a checkpointed block is interleaved with operations outside it",
                         span=network_span(graph), hint="checkpoint a self-contained block")
    return [u if isinstance(u, str) else make_region(graph, u[1], order, unit, refs, reads)
            for u in nx.lexicographical_topological_sort(cg, key=first.__getitem__)]


def operands(graph: OpGraph, name: str, reads: Reads) -> list[Ref]:
    """The node's inputs, then the maps whose sizes it reads in forward."""
    return [*node(graph, name).inputs, *reads.get(name, ())]


def make_region(graph: OpGraph, path: str, order: list[str], unit: dict[str, Any],
                refs: list[Ref], reads: Reads) -> Region:
    me = ("region", path)
    region = Region(path, [n for n in order if unit[n] == me])
    inside = set(region.nodes)
    for n in region.nodes:
        for r in operands(graph, n, reads):
            if r.node not in inside and r not in region.inputs:
                region.inputs.append(r)  # once each, also when a node uses it twice
    used_outside = [r for n in order if unit[n] != me for r in operands(graph, n, reads)] \
        + refs
    for r in used_outside:
        if r.node in inside and r not in region.outputs:
            region.outputs.append(r)
    return region


def emit_region(em: Emitter, region: Region) -> fx.Graph:
    """Emit the region's own graph; call it through checkpoint from ``em``'s graph."""
    sub = fx.Graph()
    inner = Emitter(em.g, em.lowered, sub)
    for r in region.inputs:
        name = ident(r.node) + (f"_{r.port}" if r.port else "")
        inner.ports[r] = sub.create_node("placeholder", name, name=name)
    for n in region.nodes:
        inner.emit(n)
    results = [inner.value(r) for r in region.outputs]
    sub.output(results[0] if len(results) == 1 else tuple(results))
    fn = em.fx.create_node("get_attr", region.fn_name, name=region.fn_name)
    call = em.fx.create_node("call_function", torch.utils.checkpoint.checkpoint,
                             (fn, *[em.value(r) for r in region.inputs]),
                             {"use_reentrant": False}, name=f"{region.fn_name[1:]}")
    if len(region.outputs) == 1:
        em.ports[region.outputs[0]] = call
    for i, r in enumerate(region.outputs if len(region.outputs) > 1 else []):
        name = f"{ident(r.node)}_{r.port}" if r.port else ident(r.node)
        em.ports[r] = em.fx.create_node("call_function", operator.getitem, (call, i), name=name)
    return sub
