"""Every construct of the language, with a passing example and asserted shapes/names."""

from __future__ import annotations

from pathlib import Path

import pytest

import archspec
from archspec.errors import SpecError
from archspec.ir import node, nodes
from archspec.ops.init import InitRule


def load(text: str, **params):
    return archspec.load(text, **params)


def names(net) -> list[str]:
    return [n.name for n in nodes(net.graph)]


def shape(net, name: str) -> tuple[int, ...]:
    return node(net.graph, name).shape


def test_chains_comments_and_vector_input() -> None:
    net = load("""
# a comment
network n {
  input x: [3, 32, 32]   # trailing comment
  input v: [10]
  y = x -> c1: conv(8, 3, p=1) -> relu
       -> c2: conv(4, 3, s=2)       # chain continues on lines starting with ->
  z = v -> fc: linear(5); out a = y
  out b = z
}
""")
    assert net.outputs == {"a": (4, 15, 15), "b": (5,)}
    assert net.inputs == {"x": (3, 32, 32), "v": (10,)}
    assert shape(net, "c1") == (8, 32, 32)


def test_branches_and_merges() -> None:
    net = load("""
network n {
  input x: [8, 16, 16]
  a = x -> conv(8, 1)
  b = x -> conv(8, 3, p=1)
  s = x -> gap -> g: conv(8, 1) -> sigmoid
  out cat = concat(a, b, x)
  out sum = a + b
  out gated = x * s
  out scaled = x + 0.17 * b
}
""")
    assert net.outputs == {"cat": (24, 16, 16), "sum": (8, 16, 16), "gated": (8, 16, 16),
                           "scaled": (8, 16, 16)}
    ops = [n.op for n in nodes(net.graph)]
    assert {"concat", "add", "mul", "scale"} <= set(ops)
    scale = next(n for n in nodes(net.graph) if n.op == "scale")
    assert scale.params["factor"] == pytest.approx(0.17)


def test_labels_groups_numbering_and_nesting() -> None:
    net = load("""
block unit(c) {
  out in -> conv1: conv(c, 3, p=1) -> bn1: bn -> relu
}
network n {
  input x: [3, 8, 8]
  y = x -> features: [conv(4, 3, p=1), relu, stem: [conv(4, 1), bn], maxpool(2)]
  out y -> layer1: [unit(4), unit(4) * 2] -> head: [flatten, linear(2)]
}
""")
    got = [n for n in names(net) if n.startswith(("features", "layer1", "head"))]
    assert got[:5] == ["features.0", "features.1", "features.stem.0", "features.stem.1",
                       "features.3"]
    assert {"layer1.0.conv1", "layer1.1.bn1", "layer1.2.conv1", "head.0", "head.1"} <= set(got)
    blocks = net.graph.graph["blocks"]
    assert blocks["layer1.2"].kind == "unit" and blocks["layer1.2"].parent == "layer1"
    assert blocks["features.stem"].kind == "group"
    assert node(net.graph, "layer1.0.conv1").block == "layer1.0"


def test_blocks_params_defaults_kwargs_and_nested_calls() -> None:
    net = load("""
block conv_bn(out_ch, k: int = 3, s=1, p = k // 2) {
  out in -> conv: conv(out_ch, k, s=s, p=p, bias=false) -> bn: bn -> relu
}
block double(c, expand=in.c * 2) {
  out in -> a: conv_bn(expand) -> b: conv_bn(c, k=1)
}
network n {
  input x: [4, 16, 16]
  out x -> d: double(6) -> e: conv_bn(2, 5, 2)
}
""")
    assert shape(net, "d.a.conv") == (8, 16, 16)
    assert node(net.graph, "d.b.conv").params["kernel"] == 1
    assert shape(net, "e.conv") == (2, 8, 8)
    assert net.graph.graph["blocks"]["d"].args["expand"] == 8


def test_expressions_and_shape_attributes() -> None:
    net = load("""
network n(width=48) {
  input x: [3, 20, 20]
  let a = width // 5 + width % 5 * 2 - 1
  let b = max(min(a, 30), 2) + round_to(37, 8) + make_divisible(width / 3, 8)
  let wide = if a > 10 and not (b < 0) or false { 2 } else { 1 }
  y = x -> conv(a, 3)
  out y -> conv(y.c * wide + y.h - y.w, 1)
}
""")
    # a = 9 + 3*2 - 1 = 14; b = 14 + 40 + 16 = 70; wide = 2
    assert net.outputs["out"] == (28, 18, 18)


def test_true_division_stays_integer_when_exact() -> None:
    net = load("network n(p=64) {\n input x: [3, 8, 8]\n out x -> conv(p * 64 / 64, 1)\n}")
    assert net.outputs["out"] == (64, 8, 8)


def test_repeat_and_loops_with_index() -> None:
    net = load("""
block dense_layer(growth) {
  out in -> norm: bn -> relu -> conv: conv(growth, 3, p=1)
}
block dense_block(n, growth) {
  feats = in
  for i in range(n) {
    new = feats -> "denselayer{i + 1}": dense_layer(growth)
    feats = concat(feats, new)
  }
  out feats
}
network n {
  input x: [8, 8, 8]
  y = x -> layer: [for i in range(3) { conv(4 * (i + 1), 3, s=if i == 0 { 2 } else { 1 }, p=1) }]
  z = y -> relu * 3
  out z -> block1: dense_block(4, 2)
}
""")
    assert shape(net, "layer.0") == (4, 4, 4) and shape(net, "layer.2") == (12, 4, 4)
    assert shape(net, "block1.denselayer4.norm") == (18, 4, 4)
    assert net.outputs["out"] == (20, 4, 4)
    assert sum(1 for n in nodes(net.graph) if n.op == "relu" and n.block == "") == 3


def test_imports_relative_and_std(tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "parts.arch").write_text("block stem(c) {\n out in -> conv(c, 3)\n}\n")
    (tmp_path / "net.arch").write_text(
        'import "lib/parts.arch"\nimport "lib/parts.arch" as p\nimport std.resnet\n'
        "network n {\n input x: [3, 32, 32]\n out x -> a: stem(8) -> b: p.stem(4) "
        "-> c: basic_block(4)\n}\n")
    net = archspec.load(tmp_path / "net.arch")
    assert net.outputs["out"] == (4, 28, 28)
    assert node(net.graph, "c.conv1").op == "conv"


def test_import_cycle_is_reported(tmp_path: Path) -> None:
    (tmp_path / "a.arch").write_text('import "b.arch"\nnetwork n {\n input x: [1]\n out x\n}\n')
    (tmp_path / "b.arch").write_text('import "a.arch"\n')
    with pytest.raises(SpecError, match=r"import cycle: a.arch -> b.arch -> a.arch") as info:
        archspec.load(tmp_path / "a.arch")
    assert (info.value.span.file.endswith("b.arch"), info.value.span.line) == (True, 1)


def test_outputs_with_roles_and_loss_weights() -> None:
    net = load("""
network n(nc=5) {
  input x: [3, 16, 16]
  y = x -> conv(8, 3)
  aux aux1(weight=0.3) = y -> gap -> flatten -> head1: linear(nc)
  out logits = y -> gap -> flatten -> fc: linear(nc)
}
""")
    outs = net.graph.graph["outputs"]
    assert (outs["aux1"].role, outs["aux1"].loss_weight) == ("aux", 0.3)
    assert (outs["logits"].role, outs["logits"].loss_weight) == ("main", 1.0)
    assert outs["aux1"].training_only


def test_attributes_for_lowering() -> None:
    net = load("""
block b() {
  out in -> conv(4, 1) -> bn3: bn @init("zeros")
}
network n {
  input x: [4, 8, 8]
  y = x -> blk: b() @checkpoint
  out y -> flatten -> fc: linear(6) @init("identity_affine")
}
""")
    assert node(net.graph, "blk.bn3").attrs == {"init": (InitRule("zeros"),)}
    assert node(net.graph, "fc").attrs == {"init": (InitRule("identity_affine"),)}
    assert net.graph.graph["blocks"]["blk"].attrs == {"checkpoint": True}


def test_network_alias_and_param_override() -> None:
    text = """
network base(width=8, k=3) {
  input x: [3, 16, 16]
  out x -> conv(width, k)
}
network small = base(k=1)
"""
    assert load(text).outputs["out"] == (8, 16, 16)
    assert load(text, width=4).outputs["out"] == (4, 16, 16)
    assert archspec.load(text, "base").outputs["out"] == (8, 14, 14)


def test_unpacking_ports_and_slices() -> None:
    net = load("""
network n {
  input x: [8, 6, 6]
  a, b = split(x, 2)
  p = x -> pool: maxpool(2, return_indices=true)
  u = p -> max_unpool(2, indices=p.indices, output_size=[x.h, x.w])
  out first = x[0:3]
  out one = x[5]
  out halves = concat(b, a)
  out unpooled = u
}
""")
    assert net.outputs == {"first": (3, 6, 6), "one": (6, 6), "halves": (8, 6, 6),
                           "unpooled": (8, 6, 6)}


def test_assert_passes_and_unused_warning() -> None:
    net = load("""
network n(width=8) {
  input x: [3, 8, 8]
  assert width % 8 == 0, "width must be a multiple of 8"
  unused = x -> relu
  out x -> conv(width, 1)
}
""")
    assert any("'unused' is assigned but never used" in w.message for w in net.warnings)
    assert all(w.severity == "warning" for w in net.warnings)


def test_doc_comments_are_kept() -> None:
    from archspec.frontend.to_ast import parse_module
    from archspec.source import SourceFile
    m = parse_module(SourceFile("t", "## First line.\n## Second.\nblock b() {\n out in\n}\n"))
    assert m.blocks[0].doc == "First line.\nSecond."


def test_checking_does_not_execute_python() -> None:
    with pytest.raises(SpecError):
        load('network n {\n input x: [3]\n out __import__("os")\n}')


def test_comments_may_contain_arrows_and_else() -> None:
    net = load("network t {\n input x: [3]\n # a comment with -> inside\n # what else\n out x\n}\n")
    assert net.outputs == {"out": (3,)}


def test_chains_inside_groups_need_parentheses() -> None:
    net = load("network t {\n input x: [3, 8, 8]\n out x -> g: [(conv(4, 3) -> relu), bn]\n}\n")
    assert net.outputs == {"out": (4, 6, 6)}


def test_labelled_chain_bound_with_let_and_optional_operands() -> None:
    net = load("""
network t {
  input x: [8, 8, 8]
  let stem = c1: conv(8, 3, p=1) -> c2: conv(8, 3, p=1)
  o = x -> off: conv(18, 3, p=1)
  m = x -> msk: conv(9, 3, p=1) -> sigmoid
  assert x.c == 8,
    "eight channels"
  aux a(weight=0.1) = x -> gap
  out y = x -> s: stem -> dc: deform_conv(8, 3, p=1, offset=o, mask=m)
}
""")
    assert list(net.outputs) == ["y", "a"]  # main outputs first, whatever the order written
    dc = node(net.graph, "dc")
    assert [r.node for r in dc.inputs][:2] == ["s.c2", "off"]
    assert node(net.graph, dc.inputs[2].node).op == "sigmoid"
    assert {"s.c1", "s.c2"} <= set(net.graph.nodes)
