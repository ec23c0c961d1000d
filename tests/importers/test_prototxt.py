"""The protobuf text-format parser and the Caffe importer on small inline nets."""

from __future__ import annotations

import pytest

import archspec
from archspec.errors import SpecError, SpecErrors, SpecImportError, SpecSyntaxError
from archspec.importers.caffe import import_caffe
from archspec.importers.prototxt import Message, parse_prototxt
from archspec.importers.recover import to_text
from archspec.source import SourceFile


def parse(text: str) -> Message:
    return parse_prototxt(SourceFile("t.prototxt", text))


def caffe(text: str) -> archspec.Network:
    return archspec.load(to_text(import_caffe(SourceFile("t.prototxt", text))))


def test_parser_reads_scalars_messages_and_positions() -> None:
    msg = parse('name: "a" "b"  # comment\nlayer < x: -1.5e-3 y: TRUE z: MAX, w: 7; >\n'
                "v: 'q\\'s'\nnested: { k: 1 }")
    assert msg.get("name") == "ab"
    layer = msg.sub("layer")
    assert (layer.get("x"), layer.get("y"), layer.get("z"), layer.get("w")) == (
        -0.0015, True, "MAX", 7)
    assert layer.first("z").is_enum and not layer.first("w").is_enum
    assert (layer.first("x").span.line, layer.first("x").span.col) == (2, 9)
    assert msg.get("v") == "q's"
    assert msg.sub("nested").get("k") == 1


@pytest.mark.parametrize(("text", "line", "col", "message"), [
    ("layer {\n  name: \"a\"\n", 3, 1, "missing '}' before the end of the file"),
    ("layer {\n  name \"a\"\n}", 2, 8, "expected ':' or '{' after 'name', got '\"a\"'"),
    ("a: 1\nb: }", 2, 4, "expected a value, got '}'"),
    ("a: 1\n  3x3: 2", 2, 3, "unexpected character '3'"),
    ("a: 1 }", 1, 6, "expected a field name, got '}'"),
])
def test_malformed_prototxt_is_a_located_syntax_error(text: str, line: int, col: int,
                                                      message: str) -> None:
    with pytest.raises(SpecSyntaxError) as info:
        parse(text)
    assert (info.value.message, info.value.span.line, info.value.span.col) == (message, line,
                                                                               col)


V1_NET = """name: "tiny"
input: "data"
input_dim: 1 input_dim: 3 input_dim: 12 input_dim: 12
layers { name: "conv1" type: CONVOLUTION bottom: "data" top: "conv1"
  convolution_param { num_output: 8 kernel_h: 3 kernel_w: 1 pad_h: 1 stride: 2 group: 1 } }
layers { name: "relu1" type: RELU bottom: "conv1" top: "conv1" }
layers { name: "pool1" type: POOLING bottom: "conv1" top: "pool1"
  pooling_param { pool: AVE kernel_size: 3 stride: 2 } }
layers { name: "fc" type: INNER_PRODUCT bottom: "pool1" top: "fc"
  inner_product_param { num_output: 4 } }
"""


def test_legacy_layers_syntax_and_per_axis_fields() -> None:
    with pytest.raises(SpecImportError) as info:
        import_caffe(SourceFile("t.prototxt", V1_NET))
    assert info.value.message == "layer 'conv1' gives only one of pad_h and pad_w"
    net = caffe(V1_NET.replace("pad_h: 1", "pad_h: 1 pad_w: 0"))
    shapes = {n: a["data"].shape for n, a in net.ir.nodes(data=True)}
    assert shapes["conv1"] == (8, 6, 6)      # (12 + 2 - 3) // 2 + 1, (12 - 1) // 2 + 1
    assert shapes["pool1"] == (8, 3, 3)      # ceil((6 - 3) / 2) + 1 = 3 (torch floor: 2)
    assert shapes["fc"] == (4,)
    assert net.audit().params == 3 * 3 * 8 + 8 + 72 * 4 + 4


@pytest.mark.parametrize("inputs", [
    'input: "data" input_shape { dim: 1 dim: 3 dim: 9 dim: 9 }',
    'input: "data" input_dim: 1 input_dim: 3 input_dim: 9 input_dim: 9',
    'layer { name: "data" type: "Input" top: "data"\n'
    '  input_param { shape { dim: 1 dim: 3 dim: 9 dim: 9 } } }',
])
def test_three_input_styles(inputs: str) -> None:
    net = caffe(inputs + '\nlayer { name: "c" type: "Convolution" bottom: "data" top: "c"\n'
                '  convolution_param { num_output: 2 kernel_size: 3 dilation: 2 '
                'bias_term: false } }')
    assert net.inputs == {"data": (3, 9, 9)}
    assert net.outputs == {"out": (2, 5, 5)}
    assert net.audit().params == 2 * 3 * 9


RESIDUAL = """input: "data" input_shape { dim: 1 dim: 4 dim: 8 dim: 8 }
layer { name: "c" type: "Convolution" bottom: "data" top: "c"
  convolution_param { num_output: 4 kernel_size: 1 } }
layer { name: "bn" type: "BatchNorm" bottom: "c" top: "c" }
layer { name: "sc" type: "Scale" bottom: "c" top: "c" scale_param { bias_term: true } }
layer { name: "sum" type: "Eltwise" bottom: "data" bottom: "c" top: "sum" OPERATION }
layer { name: "cat" type: "Concat" bottom: "sum" bottom: "data" top: "cat" }
layer { name: "lrn" type: "LRN" bottom: "cat" top: "lrn" lrn_param { local_size: 3 k: 2 } }
layer { name: "drop" type: "Dropout" bottom: "lrn" top: "lrn" dropout_param { dropout_ratio: 0.3 } }
layer { name: "prob" type: "Softmax" bottom: "lrn" top: "prob" }
"""


@pytest.mark.parametrize(("operation", "op"), [("", "add"), ("eltwise_param { operation: PROD }",
                                                             "mul")])
def test_batchnorm_scale_eltwise_concat_lrn_dropout_softmax(operation: str, op: str) -> None:
    net = caffe(RESIDUAL.replace("OPERATION", operation))
    nodes = {n: a["data"] for n, a in net.ir.nodes(data=True)}
    assert [n.op for n in nodes.values()] == ["input", "conv", "bn", op, "concat", "lrn",
                                              "dropout", "softmax"]
    assert nodes["bn"].params["affine"] is True
    assert nodes["lrn"].params["k"] == 2.0 and nodes["drop"].params["p"] == 0.3
    assert net.outputs == {"out": (8, 8, 8)}
    assert net.audit().params == 4 * 4 + 4 + 2 * 4


def test_unsupported_layers_are_listed_in_one_error() -> None:
    text = RESIDUAL.replace('"LRN"', '"Power"').replace('"Dropout"', '"Crop"').replace(
        "OPERATION", "")
    with pytest.raises(SpecErrors) as info:
        import_caffe(SourceFile("t.prototxt", text))
    errors = info.value.errors
    assert [(e.message, e.span.line) for e in errors] == [
        ("unsupported Caffe layer type 'Power' (layer 'lrn')", 8),
        ("unsupported Caffe layer type 'Crop' (layer 'drop')", 9)]


@pytest.mark.parametrize(("change", "message", "line"), [
    (('OPERATION', 'eltwise_param { operation: MAX }'),
     "Eltwise MAX (layer 'sum') has no archspec primitive", 6),
    (('bias_term: true', 'bias_term: false'),
     "Scale layer 'sc' has no bias; only BatchNorm + Scale(bias_term: true) maps to one "
     "batch norm", 5),
    (('bottom: "data" bottom: "c"', 'bottom: "nope" bottom: "c"'),
     "layer 'sum' reads blob 'nope', which no earlier layer or input produces", 6),
    (('num_output: 4 ', ''), "layer 'c' (Convolution) needs `num_output`", 3),
])
def test_bad_layers_are_located(change: tuple[str, str], message: str, line: int) -> None:
    text = RESIDUAL.replace(*change).replace("OPERATION", "")
    with pytest.raises(SpecError) as info:
        import_caffe(SourceFile("t.prototxt", text))
    assert (info.value.message, info.value.span.line) == (message, line)


def test_names_that_become_one_module_are_refused() -> None:
    text = RESIDUAL.replace('name: "drop"', 'name: "l/rn"').replace(
        'name: "lrn"', 'name: "l_rn"').replace("OPERATION", "")
    with pytest.raises(SpecImportError) as info:
        import_caffe(SourceFile("t.prototxt", text))
    assert (info.value.message, info.value.span.line) == (
        "layers 'l_rn' and 'l/rn' both become module 'l_rn'", 9)


def test_a_binary_file_is_refused_with_its_location(tmp_path: object) -> None:
    path = tmp_path / "weights.prototxt"
    path.write_bytes(b'name: "x"\n\xff\xfe')
    with pytest.raises(SpecSyntaxError) as info:
        import_caffe(path)
    assert (info.value.message, info.value.span.line, info.value.span.col) == (
        "the file is not valid UTF-8", 2, 1)
