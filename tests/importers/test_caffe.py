"""Caffe import: the corpus in ../shared/corpus/caffe (read in place, skipped if absent)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import archspec
from archspec.elaborate.loader import parse_source
from archspec.frontend.fmt import format_module
from archspec.importers import import_model
from archspec.importers.caffe import import_caffe
from archspec.importers.prototxt import parse_prototxt
from archspec.source import SourceFile
from tests.importers.caffe_reference import top_shapes

CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpus" / "caffe"
if not CORPUS.is_dir():
    CORPUS = Path("/work/shared/corpus/caffe")
PARAMS = {
    "lenet.prototxt": 431_080,
    "bvlc_alexnet.deploy.prototxt": 60_965_224,
    "bvlc_googlenet.deploy.prototxt": 6_998_552,
    "squeezenet_v1.0.deploy.prototxt": 1_248_424,
    "resnet50.deploy.prototxt": 25_557_096,
}
BLOCKS = {"bvlc_googlenet.deploy.prototxt": ["inception"],
          "squeezenet_v1.0.deploy.prototxt": ["fire"]}
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="Caffe corpus not present")


def imported(name: str) -> archspec.Network:
    return archspec.load(import_model(CORPUS / name))


@needs_corpus
@pytest.mark.parametrize("name", sorted(PARAMS))
def test_corpus_file_imports_checks_and_counts_params(name: str) -> None:
    net = imported(name)
    text = import_model(CORPUS / name)
    assert re.findall(r"^block (\w+)", text, re.M) == BLOCKS.get(name, [])
    assert format_module(parse_source(SourceFile("x.arch", text))) == text   # fmt-stable
    assert net.audit().params == PARAMS[name]
    assert [w.message for w in net.warnings if w.severity == "error"] == []


@needs_corpus
@pytest.mark.parametrize("name", sorted(PARAMS))
def test_every_blob_shape_follows_caffes_rules(name: str) -> None:
    """Each Caffe layer's top shape (Caffe's formulas, tests/importers/caffe_reference.py)
    equals the shape of the node named after the layer (``fire2/squeeze1x1`` is module
    ``fire2.squeeze1x1``, ``conv1/7x7_s2`` ``conv1.n7x7_s2``); merges (unlabelled) are matched
    in order with the graph's concat/add nodes; a Scale is its BatchNorm's affine."""
    layers = top_shapes(parse_prototxt(SourceFile.read(CORPUS / name)))
    paths = {layer.out: layer.path for layer in import_caffe(CORPUS / name).layers}
    nodes = [a["data"] for _, a in imported(name).ir.nodes(data=True)]
    by_name = {n.name: n for n in nodes}
    merges = [n.shape for n in nodes if n.op in ("concat", "add")]
    expected_merges = [shape for (layer, kind), shape in layers.items()
                       if kind in ("Concat", "Eltwise")]
    assert merges == expected_merges
    labelled = {layer: shape for (layer, kind), shape in layers.items()
                if kind not in ("Concat", "Eltwise", "Scale", "Input")}
    assert {layer: by_name[paths[layer]].shape for layer in labelled} == labelled
    assert sum("/" in layer for layer in labelled) == {
        "bvlc_googlenet.deploy.prototxt": 132, "squeezenet_v1.0.deploy.prototxt": 48}.get(name, 0)


def squeezenet_key_map() -> dict[str, str]:
    """Caffe SqueezeNet v1.0 layer -> torchvision squeezenet1_0 module (docs/import.md)."""
    fires = {2: 3, 3: 4, 4: 5, 5: 7, 6: 8, 7: 9, 8: 10, 9: 12}   # fire n -> features.i
    keys = {"conv1": "features.0", "conv10": "classifier.1"}
    for n, i in fires.items():
        keys[f"fire{n}.squeeze1x1"] = f"features.{i}.squeeze"
        for e in ("expand1x1", "expand3x3"):
            keys[f"fire{n}.{e}"] = f"features.{i}.{e}"
    return keys


@needs_corpus
def test_squeezenet_loads_torchvision_weights_and_matches_outputs() -> None:
    """Caffe's conv10 has `pad: 1` on its 1×1 kernel (upstream, unlike torchvision's), so the
    reference is torchvision's model with that padding; the deploy net ends in a softmax
    over a 1000×1×1 blob where torchvision returns flat logits."""
    torch = pytest.importorskip("torch")
    models = pytest.importorskip("torchvision.models")
    torch.manual_seed(0)
    reference = models.squeezenet1_0(weights=None).eval()
    model = imported("squeezenet_v1.0.deploy.prototxt").build().eval()
    tv_state = reference.state_dict()
    state = {f"{caffe}.{kind}": tv_state[f"{tv}.{kind}"]
             for caffe, tv in squeezenet_key_map().items() for kind in ("weight", "bias")}
    model.load_state_dict(state, strict=True)
    x = torch.randn(2, 3, 227, 227)
    with torch.no_grad():
        reference.classifier[1].padding = (1, 1)
        expected, got = torch.log_softmax(reference(x), 1), model(x)
    assert got.shape == (2, 1000, 1, 1)
    assert torch.allclose(got.flatten(1).log(), expected, atol=1e-4)
    assert expected.std() > 1e-3   # the comparison is not between constants
