"""SVG laid out by graphviz's dot: clusters, labels, ×N nodes, shape labels, and speed."""

import shutil
import xml.etree.ElementTree as ET

import pytest
from render_nets import dense_net, inception_net, small_resnet

from archspec.backends.render import render, run_dot

pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz 'dot' missing")
SVG = "{http://www.w3.org/2000/svg}"


def svg_of(graph, **opts) -> ET.Element:
    return ET.fromstring(run_dot(render(graph, **opts).source, "svg"))


def groups(root: ET.Element, cls: str) -> dict[str, ET.Element]:
    """SVG <g> elements whose class list contains ``cls``, by id."""
    return {g.get("id"): g for g in root.iter(f"{SVG}g") if cls in g.get("class", "").split()}


def texts(g: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in g.iter(f"{SVG}text")]


def test_clusters_follow_the_hierarchy():
    root = svg_of(small_resnet(), depth=None)
    clusters = groups(root, "cluster")
    assert set(clusters) == {"cl/layer1", "cl/layer1.0", "cl/layer1.1", "cl/layer2",
                             "cl/layer2.0", "cl/layer2.0.downsample", "cl/layer2.1"}
    assert texts(clusters["cl/layer2.0"]) == ["layer2.0 : basic_block(planes=128, stride=2)"]
    assert texts(groups(root, "node")["n/layer2.0.conv1"]) == ["conv 3×3 /2, 128",
                                                                "conv1 · 73.7K params"]


def test_runs_and_summaries_in_svg():
    root = svg_of(small_resnet(6, 3), depth=1)
    blocks = groups(root, "collapsed")
    assert set(blocks) == {"blk/layer1.0", "blk/layer2.0", "blk/layer2.1", "blk/layer3.0",
                           "blk/layer3.1"}
    assert texts(blocks["blk/layer3.1"]) == ["basic_block ×5", "layer3.1–5",
                                             "256×4×4 · 5.9M params"]
    assert "run" in blocks["blk/layer3.1"].get("class").split()
    assert texts(blocks["blk/layer2.0"])[0] == "basic_block"
    assert set(groups(root, "cluster")) == {"cl/layer1", "cl/layer2", "cl/layer3"}


def test_edges_carry_shapes():
    root = svg_of(small_resnet(6, 3), depth=1)
    edges = groups(root, "edge")
    assert texts(edges["e/blk/layer2.1->blk/layer3.0"]) == ["128×8×8"]
    assert texts(edges["e/maxpool->blk/layer1.0"]) == ["64×16×16"]
    assert texts(edges["e/fc->out/logits"]) == ["10"]


def test_inputs_outputs_and_training_only_parts():
    root = svg_of(inception_net())
    nodes = groups(root, "node")
    assert texts(nodes["n/x"]) == ["x", "3×32×32"]
    assert texts(nodes["out/logits"]) == ["logits", "output · 10"]
    assert texts(nodes["out/aux_logits"]) == ["aux_logits", "aux ×0.3 · 10"]
    dashed = {i for i, g in nodes.items()
              if any(p.get("stroke-dasharray") for p in g.iter() if p is not g)}
    assert dashed == {"n/aux.conv", "n/aux.gap", "n/aux.flatten", "n/aux.fc", "out/aux_logits"}
    legend = texts(nodes["legend"])
    assert legend == ["conv", "norm", "act", "pool", "linear", "merge", "shape", "- - -",
                      "training only"]


def test_rankdir_lr_lays_out_left_to_right():
    root = svg_of(small_resnet(), depth=0, rankdir="LR")
    nodes = groups(root, "node")

    def x_of(node_id):
        return float(next(nodes[node_id].iter(f"{SVG}text")).get("x"))

    assert x_of("n/x") < x_of("n/conv1") < x_of("blk/layer1") < x_of("n/fc")


def test_densenet_sized_graph_fully_expanded_renders():
    g = dense_net()
    root = svg_of(g)  # its time is bench material, not a test's
    assert len(groups(root, "node")) == len(g) + 2  # every op, the output, the legend
    assert len(groups(root, "cluster")) == 4 + 98 + 3
