"""Caffe weights: a .caffemodel written with the same descriptors from a built model's weights
imports under the spec's keys, loads strictly and computes the same outputs."""

from __future__ import annotations

from pathlib import Path

import pytest

import archspec
from archspec.cli import main
from archspec.errors import SpecImportError
from archspec.importers import import_source
from archspec.importers.caffe import import_caffe
from archspec.importers.caffe_weights import caffe_messages, read_caffemodel, write_caffemodel

torch = pytest.importorskip("torch")
pytest.importorskip("google.protobuf")

LENET = """name: "LeNet"
input: "data" input_shape { dim: 1 dim: 1 dim: 28 dim: 28 }
layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
  convolution_param { num_output: 20 kernel_size: 5 stride: 1 } }
layer { name: "pool1" type: "Pooling" bottom: "conv1" top: "pool1"
  pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
layer { name: "conv2" type: "Convolution" bottom: "pool1" top: "conv2"
  convolution_param { num_output: 50 kernel_size: 5 stride: 1 } }
layer { name: "pool2" type: "Pooling" bottom: "conv2" top: "pool2"
  pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
layer { name: "ip1" type: "InnerProduct" bottom: "pool2" top: "ip1"
  inner_product_param { num_output: 500 } }
layer { name: "relu1" type: "ReLU" bottom: "ip1" top: "ip1" }
layer { name: "ip2" type: "InnerProduct" bottom: "ip1" top: "ip2"
  inner_product_param { num_output: 10 } }
layer { name: "prob" type: "Softmax" bottom: "ip2" top: "prob" }
"""

BN_NET = """name: "bnnet"
input: "data" input_dim: 1 input_dim: 3 input_dim: 12 input_dim: 12
layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
  convolution_param { num_output: 8 kernel_size: 3 pad: 1 bias_term: false } }
layer { name: "bn_conv1" type: "BatchNorm" bottom: "conv1" top: "conv1" }
layer { name: "scale_conv1" type: "Scale" bottom: "conv1" top: "conv1"
  scale_param { bias_term: true } }
layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
layer { name: "res/conv2" type: "Convolution" bottom: "conv1" top: "conv2"
  convolution_param { num_output: 8 kernel_size: 3 pad: 1 } }
layer { name: "bn2" type: "BatchNorm" bottom: "conv2" top: "conv2"
  batch_norm_param { eps: 0.001 } }
layer { name: "pool" type: "Pooling" bottom: "conv2" top: "pool"
  pooling_param { pool: AVE global_pooling: true } }
layer { name: "fc" type: "InnerProduct" bottom: "pool" top: "fc"
  inner_product_param { num_output: 5 } }
"""
FACTOR = 999.982   # Caffe's BatchNorm keeps sums scaled by this moving-average factor


def caffe_layout(prototxt: Path, state: dict) -> list[tuple[str, str, list]]:
    """The built model's weights as Caffe blobs: (layer name, type, blobs)."""
    flat = import_caffe(prototxt)
    layers = []
    for layer in flat.layers:
        names = flat.origins.get(layer.path)
        if not names:
            continue
        w = {k[len(layer.path) + 1:]: v.numpy() for k, v in state.items()
             if k.startswith(f"{layer.path}.")}
        if layer.op == "bn":
            layers.append((names[0], "BatchNorm", [w["running_mean"] * FACTOR,
                                                   w["running_var"] * FACTOR, [FACTOR]]))
            if len(names) > 1:
                layers.append((names[1], "Scale", [w["weight"], w["bias"]]))
        elif w:
            kind = "Convolution" if layer.op == "conv" else "InnerProduct"
            layers.append((names[0], kind, [w[k] for k in ("weight", "bias") if k in w]))
    return layers


def randomized(text: str) -> object:
    torch.manual_seed(0)
    model = archspec.build(text).eval()
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-1, 1)
            m.running_var.uniform_(0.5, 2)
            if m.weight is not None:
                m.weight.data.uniform_(0.5, 2)
                m.bias.data.uniform_(-1, 1)
    return model


@pytest.mark.parametrize(("source", "shape", "keys"), [
    (LENET, (1, 28, 28), 8), (BN_NET, (3, 12, 12), 13)])
def test_caffemodel_weights_load_strictly_and_match(tmp_path: Path, source: str,
                                                    shape: tuple[int, ...], keys: int) -> None:
    prototxt, weights = tmp_path / "net.prototxt", tmp_path / "net.caffemodel"
    prototxt.write_text(source)
    text, _ = import_source(prototxt)
    original = randomized(text)
    write_caffemodel(weights, "net", caffe_layout(prototxt, original.state_dict()))
    text2, state = import_source(prototxt, caffemodel=weights)
    assert text2 == text and len(state) == keys
    built = archspec.build(text).eval()
    built.load_state_dict(state, strict=True)
    x = torch.randn(2, *shape)
    with torch.no_grad():
        assert torch.allclose(built(x), original(x), atol=1e-6, rtol=1e-5)


def test_batch_norm_statistics_are_divided_by_the_scale_factor(tmp_path: Path) -> None:
    prototxt, weights = tmp_path / "net.prototxt", tmp_path / "net.caffemodel"
    prototxt.write_text(BN_NET)
    text, _ = import_source(prototxt)
    state = randomized(text).state_dict()
    layout = caffe_layout(prototxt, state)
    assert [(n, k) for n, k, _ in layout] == [
        ("conv1", "Convolution"), ("bn_conv1", "BatchNorm"), ("scale_conv1", "Scale"),
        ("res/conv2", "Convolution"), ("bn2", "BatchNorm"), ("fc", "InnerProduct")]
    write_caffemodel(weights, "net", layout)
    _, got = import_source(prototxt, caffemodel=weights)
    assert sorted(k for k in got if k.startswith("bn_conv1.")) == [
        "bn_conv1.bias", "bn_conv1.num_batches_tracked", "bn_conv1.running_mean",
        "bn_conv1.running_var", "bn_conv1.weight"]
    assert torch.allclose(got["bn2.running_var"], state["bn2.running_var"], rtol=1e-6)
    assert torch.equal(got["bn_conv1.weight"], state["bn_conv1.weight"])
    assert "res_conv2.weight" in got


def test_legacy_v1_layers_with_4d_blob_dims(tmp_path: Path) -> None:
    prototxt, weights = tmp_path / "v1.prototxt", tmp_path / "v1.caffemodel"
    prototxt.write_text('name: "v1"\ninput: "data"\ninput_dim: 1\ninput_dim: 6\n'
                        'input_dim: 1\ninput_dim: 1\nlayers { name: "ip" type: INNER_PRODUCT '
                        'bottom: "data" top: "ip" inner_product_param { num_output: 4 } }\n')
    messages = caffe_messages()
    net = messages["NetParameter"](name="v1")
    layer = net.layers.add(name="ip", type=14)        # V1 LayerType INNER_PRODUCT
    w, b = torch.randn(4, 6), torch.randn(4)
    layer.blobs.add(num=1, channels=1, height=4, width=6).data.extend(w.flatten().tolist())
    layer.blobs.add(num=1, channels=1, height=1, width=4).data.extend(b.tolist())
    weights.write_bytes(net.SerializeToString())
    assert [a.shape for a in read_caffemodel(weights)["ip"]] == [(1, 1, 4, 6), (1, 1, 1, 4)]
    _, state = import_source(prototxt, caffemodel=weights)
    assert torch.equal(state["ip.weight"], w) and torch.equal(state["ip.bias"], b)


def test_bad_caffemodels_are_located_errors(tmp_path: Path) -> None:
    prototxt, weights = tmp_path / "net.prototxt", tmp_path / "net.caffemodel"
    prototxt.write_text(LENET)
    weights.write_bytes(b"not a protobuf \xff\xff\xff\xff")
    with pytest.raises(SpecImportError) as info:
        import_source(prototxt, caffemodel=weights)
    assert info.value.message.startswith("not a Caffe binary model (.caffemodel): ")
    assert info.value.span.file == str(weights)
    write_caffemodel(weights, "net", [("conv1", "Convolution", [torch.zeros(20, 1, 5, 5)])])
    with pytest.raises(SpecImportError) as info:
        import_source(prototxt, caffemodel=weights)
    assert info.value.message == "the .caffemodel has no blobs for layers: conv2, ip1, ip2"
    text, _ = import_source(prototxt)
    layout = caffe_layout(prototxt, archspec.build(text).state_dict())
    layout[0] = ("conv1", "Convolution", [torch.zeros(20, 1, 3, 3).numpy(), layout[0][2][1]])
    write_caffemodel(weights, "net", layout)
    with pytest.raises(SpecImportError) as info:
        import_source(prototxt, caffemodel=weights)
    assert info.value.message == ("layer 'conv1': the .caffemodel's blob for 'conv1.weight' has "
                                  "shape [20, 1, 3, 3], the spec expects [20, 1, 5, 5]")
    assert (info.value.span.file, info.value.span.line) == (str(prototxt), 3)
    assert main(["import", str(prototxt), "--caffemodel", str(weights), "--weights",
                 str(tmp_path / "w.pt")]) == 2
    assert not (tmp_path / "w.pt").exists()


def test_command_line_writes_the_mapped_weights(tmp_path: Path) -> None:
    prototxt, weights = tmp_path / "net.prototxt", tmp_path / "net.caffemodel"
    prototxt.write_text(BN_NET)
    text, _ = import_source(prototxt)
    original = randomized(text)
    write_caffemodel(weights, "net", caffe_layout(prototxt, original.state_dict()))
    spec, out = tmp_path / "net.arch", tmp_path / "net.pt"
    assert main(["import", str(prototxt), "--caffemodel", str(weights), "--weights", str(out),
                 "-o", str(spec)]) == 0
    built = archspec.build(str(spec)).eval()
    built.load_state_dict(torch.load(out), strict=True)
    x = torch.randn(1, 3, 12, 12)
    with torch.no_grad():
        assert torch.allclose(built(x), original(x), atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("link", ["same", "symlink"])
def test_weights_never_written_onto_the_caffemodel(tmp_path: Path, link: str,
                                                   capsys: pytest.CaptureFixture) -> None:
    """--weights was checked against the prototxt only: a .caffemodel named (or linked as)
    the --weights path was replaced by the state dict it was read into."""
    prototxt, weights = tmp_path / "net.prototxt", tmp_path / "net.pt"
    prototxt.write_text(BN_NET)
    text, _ = import_source(prototxt)
    write_caffemodel(weights, "net", caffe_layout(prototxt, randomized(text).state_dict()))
    before = weights.read_bytes()
    out = weights
    if link == "symlink":
        out = tmp_path / "out.pt"
        out.symlink_to(weights)
    assert main(["import", str(prototxt), "--caffemodel", str(weights),
                 "--weights", str(out)]) == 2
    assert "is an input of this command" in capsys.readouterr().err
    assert weights.read_bytes() == before
