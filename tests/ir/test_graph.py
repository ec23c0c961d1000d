"""OpGraph behaves like the networkx.DiGraph it stands in for: same node and edge order, same
topological order; ``net.graph`` is a real DiGraph sharing the node data, its ``.graph`` dict
mirroring the typed GraphMeta."""

from __future__ import annotations

import copy
import functools
import pickle
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import archspec
from archspec.ir.graph import GraphMeta, OpGraph, Ref, nodes, to_networkx, topo_nodes, topo_order

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted((ROOT / "specs").glob("*.arch"))


@functools.cache
def loaded(path: Path) -> archspec.Network:
    return archspec.load(path)


def networkx_twin(g: OpGraph) -> nx.DiGraph:
    """The graph as the elaborator built it before OpGraph: networkx's own DiGraph with its own
    attribute dicts (the OpNode objects shared), nodes and their input edges in creation order."""
    twin = nx.DiGraph(**g.meta.as_dict())
    for n in nodes(g):
        twin.add_node(n.name, data=n)
        for r in n.inputs:
            twin.add_edge(r.node, n.name)
    return twin


def same_structure(a: Any, b: Any) -> None:
    """Nodes in the same order, each with predecessors and successors in the same order."""
    assert list(a.nodes) == list(b.nodes) and len(a) == len(b)
    for n in a.nodes:
        assert list(a.pred[n]) == list(b.pred[n]) == list(a.predecessors(n))
        assert list(a.succ[n]) == list(b.succ[n]) == list(a.successors(n))


# -- networkx.DiGraph from Network.graph -------------------------------------------------------

@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_net_graph_is_a_digraph_sharing_the_node_data(path: Path) -> None:
    net = loaded(path)
    g = net.graph
    assert type(g) is nx.DiGraph and isinstance(net.ir, OpGraph)
    assert net.graph is g and to_networkx(g) is g
    assert g.graph["meta"] is net.ir.meta and g.graph["name"] == net.ir.meta.name
    assert g.graph["outputs"] is net.ir.meta.outputs and g.graph["blocks"] is net.ir.meta.blocks
    same_structure(g, net.ir)
    same_structure(g, networkx_twin(net.ir))
    assert list(g.edges) == list(networkx_twin(net.ir).edges)
    assert all(g.nodes[n] is net.ir.nodes[n] for n in g)
    assert [n.name for n in nodes(g)] == list(net.ir)


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_topological_order_is_networkx_order(path: Path) -> None:
    ir = loaded(path).ir
    expected = list(nx.topological_sort(networkx_twin(ir)))
    assert topo_order(ir) == expected
    assert topo_order(to_networkx(ir)) == expected
    assert [n.name for n in topo_nodes(ir)] == expected


def test_annotations_show_through_either_graph() -> None:
    net = archspec.load(ROOT / "specs" / "resnet18.arch")
    g = net.graph
    net.audit()
    assert all(g.nodes[n]["cost"] is net.ir.nodes[n]["cost"] for n in g)
    g.nodes["fc"]["note"] = "mine"
    assert net.ir.nodes["fc"]["note"] == "mine"
    g.graph["inputs"].append("extra")
    assert net.ir.meta.inputs[-1] == "extra"


def test_network_is_built_on_first_access_only() -> None:
    net = archspec.load(ROOT / "specs" / "lenet5.arch")
    assert net._nx is None
    assert net.name == "lenet5" and net.outputs and net.inputs and net.audit().params
    assert net._nx is None
    assert net.graph is net.graph


# -- OpGraph against networkx.DiGraph on random graphs -----------------------------------------

Op = tuple[str, int, int]


@st.composite
def graph_ops(draw: st.DrawFn, acyclic: bool) -> list[Op]:
    """add_node / add_edge calls in a random order, edges possibly before either end exists;
    ``acyclic``: every edge goes up a random ranking of the nodes."""
    size = draw(st.integers(1, 25))
    rank = draw(st.permutations(range(size)))
    node = st.integers(0, size - 1)
    ops = draw(st.lists(st.one_of(st.tuples(st.just("node"), node, st.integers(0, 3)),
                                  st.tuples(st.just("edge"), node, node)), max_size=80))
    if acyclic:
        ops = [(k, *sorted((a, b), key=rank.__getitem__)) if k == "edge" else (k, a, b)
               for k, a, b in ops if k == "node" or a != b]
    return ops


def replay(g: Any, ops: list[Op]) -> Any:
    for kind, a, b in ops:
        if kind == "node":
            g.add_node(f"n{a}", tag=b)
        else:
            g.add_edge(f"n{a}", f"n{b}", w=a)
    return g


def networkx_order(g: nx.DiGraph) -> list[str] | None:
    try:
        return list(nx.topological_sort(g))
    except nx.NetworkXUnfeasible:
        return None


def light_order(g: OpGraph) -> list[str] | None:
    try:
        return topo_order(g)
    except ValueError:
        return None


@settings(max_examples=300, deadline=None)
@given(graph_ops(acyclic=True))
def test_random_dag_matches_networkx(ops: list[Op]) -> None:
    ours, theirs = replay(OpGraph(), ops), replay(nx.DiGraph(), ops)
    same_structure(ours, theirs)
    assert dict(ours.nodes(data=True)) == dict(theirs.nodes(data=True))
    assert list(ours.nodes(data="tag")) == list(theirs.nodes(data="tag"))
    assert {(u, v): d for u in ours for v, d in ours.succ[u].items()} == {
        (u, v): d for u, v, d in theirs.edges(data=True)}
    assert topo_order(ours) == list(nx.topological_sort(theirs))


@settings(max_examples=300, deadline=None)
@given(graph_ops(acyclic=False))
def test_random_digraph_cycles_are_refused_like_networkx(ops: list[Op]) -> None:
    ours, theirs = replay(OpGraph(), ops), replay(nx.DiGraph(), ops)
    same_structure(ours, theirs)
    assert light_order(ours) == networkx_order(theirs)


def test_container_protocol() -> None:
    g = OpGraph(GraphMeta(name="t"))
    g.add_edge("a", "b")
    g.add_node("c", data=1)
    g.add_node("a", data=0)
    assert (list(g), len(g), g.number_of_nodes()) == (["a", "b", "c"], 3, 3)
    assert "a" in g and "z" not in g and [] not in g and "c" in g.nodes
    assert g.nodes() is g.nodes and dict(g.nodes(data=True)) == {
        "a": {"data": 0}, "b": {}, "c": {"data": 1}}
    assert g.meta == GraphMeta(name="t") and not hasattr(g, "graph")


def test_nodes_are_read_only_but_copy_and_pickle() -> None:
    g = OpGraph()
    g.add_edge("a", "b")
    with pytest.raises(TypeError):
        g.nodes["x"] = {}
    with pytest.raises(TypeError):
        g.nodes.update(x={})
    for twin in (copy.deepcopy(g), pickle.loads(pickle.dumps(g))):
        same_structure(twin, g)
        assert twin.nodes is not g.nodes and twin.nodes == g.nodes


# -- the typed graph record and the table -----------------------------------------------------

def test_meta_is_typed_and_tabular_prints_every_node() -> None:
    from archspec.ir.builder import GraphBuilder
    b = GraphBuilder("tiny")
    x = b.input("x", (3, 8, 8))
    pool = b.op("maxpool", [x], 2, name="pool", return_indices=True)
    b.output("y", b.op("relu", [pool], name="act"))
    b.output("idx", Ref("pool", 1), role="aux", loss_weight=0.5)
    meta = b.graph.meta
    assert (meta.name, meta.inputs, list(meta.outputs), list(meta.blocks)) == (
        "tiny", ["x"], ["y", "idx"], [""])
    lines = str(b.graph).splitlines()
    assert lines[0] == "network tiny"
    assert lines[1].split() == ["name", "op", "inputs", "shape", "params", "block"]
    assert lines[2].split() == ["x", "input", "3x8x8"]
    assert lines[4].split() == ["act", "relu", "pool", "3x4x4"]
    assert lines[-1] == "outputs: y=act, idx=pool:1 (aux)"
    assert b.graph.tabular() == str(b.graph)
