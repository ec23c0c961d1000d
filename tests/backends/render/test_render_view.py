"""What a view shows: collapse by depth, expand, ×N runs, training-only parts, errors."""

import pytest
from render_nets import broken_net, dense_net, inception_net, small_resnet

from archspec.backends.render import RenderError, render
from archspec.backends.render.analysis import analyze
from archspec.backends.render.view import build_view


def summary(view):
    """item id -> the block paths it stands for (collapsed blocks and runs only)."""
    return {i.id: i.paths for i in view.items.values() if i.kind == "block"}


def test_depth_none_opens_everything():
    view = build_view(analyze(small_resnet()))
    assert summary(view) == {}
    assert view.clusters[""] == ["layer1", "layer2"]
    assert view.clusters["layer2.0"] == ["layer2.0.downsample"]
    assert view.where["layer2.0.downsample.0"] == "layer2.0.downsample"


def test_depth_zero_collapses_top_level_blocks():
    view = build_view(analyze(small_resnet()), depth=0)
    assert summary(view) == {"blk/layer1": ["layer1"], "blk/layer2": ["layer2"]}
    assert view.clusters == {"": []}
    edges = {(e.src, e.dst): e.shapes for e in view.edges}
    assert edges[("maxpool", "blk/layer1")] == [(64, 16, 16)]
    assert edges[("blk/layer1", "blk/layer2")] == [(64, 16, 16)]
    assert edges[("blk/layer2", "avgpool")] == [(128, 8, 8)]


def test_identical_chained_siblings_fold_into_a_run():
    an = analyze(small_resnet(6, 3))
    assert an.runs["layer3"] == [[f"layer3.{i}" for i in range(1, 6)]]
    assert an.runs["layer1"] == [[f"layer1.{i}" for i in range(6)]]
    view = build_view(an, depth=1)
    assert summary(view) == {
        "blk/layer1.0": [f"layer1.{i}" for i in range(6)],
        "blk/layer2.0": ["layer2.0"], "blk/layer2.1": [f"layer2.{i}" for i in range(1, 6)],
        "blk/layer3.0": ["layer3.0"], "blk/layer3.1": [f"layer3.{i}" for i in range(1, 6)]}


def test_expand_opens_a_block_and_splits_its_run():
    view = build_view(analyze(small_resnet(6, 3)), depth=1, expand=["layer3.3"])
    assert view.clusters["layer3"] == ["layer3.3"]
    assert summary(view)["blk/layer3.1"] == ["layer3.1", "layer3.2"]
    assert summary(view)["blk/layer3.4"] == ["layer3.4", "layer3.5"]
    assert view.where["layer3.3.conv1"] == "layer3.3"


def test_collapse_closes_a_block_depth_would_open():
    view = build_view(analyze(small_resnet()), collapse=["layer1"])
    assert summary(view) == {"blk/layer1": ["layer1"]}
    assert "layer1.0" not in view.clusters and "layer2.0" in view.clusters


def test_parallel_branches_never_fold():
    an = analyze(inception_net())
    assert an.runs.get("mixed", []) == []
    view = build_view(an, depth=1)
    branches = [i for i in summary(view) if i.startswith("blk/mixed.")]
    assert branches == [f"blk/mixed.branch{k}" for k in range(1, 5)]
    assert "blk/aux" in summary(view)  # a leaf block at the depth boundary collapses


def test_aux_head_is_training_only():
    an = analyze(inception_net())
    assert an.aux_only == {"aux.conv", "aux.gap", "aux.flatten", "aux.fc"}
    view = build_view(an)
    aux_edges = {(e.src, e.dst) for e in view.edges if e.aux}
    assert aux_edges == {("mixed.concat", "aux.conv"), ("aux.conv", "aux.gap"),
                         ("aux.gap", "aux.flatten"), ("aux.flatten", "aux.fc"),
                         ("aux.fc", "out/aux_logits")}


def test_errors_force_their_blocks_open():
    an = analyze(broken_net())
    assert list(an.errors) == ["layer1.0.conv2"]
    assert [(o.block, o.after) for o in an.orphan_errors] == [("layer1.1", ["layer1.1.conv1"])]
    view = build_view(an, depth=0)
    assert set(view.clusters) == {"", "layer1", "layer1.0", "layer1.1"}
    assert view.where["err/0"] == "layer1.1"
    guess = [(e.src, e.dst) for e in view.edges if e.guess]
    assert guess == [("layer1.1.conv1", "err/0")]


def test_densenet_sized_graph_is_compact_at_depth_1():
    g = dense_net()
    assert sum(g.nodes[n]["data"].op == "conv" for n in g.nodes) == 200
    source = render(g, depth=1).source
    nodes = [line for line in source.splitlines() if "[label=" in line and "->" not in line]
    # stem 5, 4 dense runs, 3 transitions (leaf blocks at the boundary, collapsed), head 5,
    # output, legend
    assert len(nodes) == 5 + 4 + 3 + 5 + 1 + 1
    assert "dense_layer ×48" in source


@pytest.mark.parametrize("opts, message", [
    ({"expand": ["layer9"]}, "--expand: no block 'layer9'"),
    ({"expand": ["layer1.00"]}, "did you mean 'layer1.0'"),
    ({"show": ["shapes", "flops"]}, "--show: unknown field(s) flops"),
    ({"rankdir": "XY"}, "--rankdir: expected one of TB, LR, BT, RL"),
])
def test_bad_options_are_render_errors(opts, message):
    with pytest.raises(RenderError) as info:
        render(small_resnet(), **opts)
    assert message in str(info.value)


def test_dot_failures_are_explained():
    from archspec.backends.render import dot_failure
    assert dot_failure(-9, b"") == ("dot was killed by signal 9 without a message; a graph this "
                                    "large may need a smaller --depth, or .dot output")
    assert dot_failure(1, b"Error: syntax error in line 3\n") == \
        "dot exited with status 1: Error: syntax error in line 3"
