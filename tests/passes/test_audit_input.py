"""``input_shape`` / ``--input`` on every spec in specs/: a second input size is honoured by
check, audit and build (audit MACs equal FlopCounterMode's on the module built at that size),
through variants (``network a = b(...)``) and ``--network``; a size too small is refused at the
layer where the map vanishes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from audit_checks import check_against_torch

import archspec
from archspec.errors import SpecError, flatten

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted((ROOT / "specs").glob("*.arch"))
SLOW = {"resnet1202"}


def declared(path: Path) -> tuple[int, ...]:
    return next(iter(archspec.load(path).inputs.values()))


def second_size(path: Path) -> tuple[int, ...]:
    """320x320 for the ImageNet-sized nets, else the first of a few larger sizes it accepts."""
    shape = declared(path)
    lead, h = shape[:-2], shape[-2]
    for side in ([320, 288, 256] if h >= 200 else [2 * h, h + 8, h + 4, h + 2]):
        try:
            archspec.load(path, input_shape=(*lead, side, side))
        except SpecError:
            continue
        return (*lead, side, side)
    raise AssertionError(f"{path.stem} accepts none of the sizes tried")


@pytest.mark.parametrize("spec", [pytest.param(s, id=s.stem, marks=[pytest.mark.slow] * (
    s.stem in SLOW)) for s in SPECS])
def test_second_size_audits_as_torch_counts(spec: Path) -> None:
    torch = pytest.importorskip("torch")
    size = second_size(spec)
    net = archspec.load(spec, input_shape=size)
    assert list(net.inputs.values())[0] == size != declared(spec)
    report = net.audit()
    assert report.macs != archspec.load(spec).audit().macs  # the size reached the audit
    module = net.build(device="meta")
    inputs = [torch.empty(1, *s, device="meta") for s in net.inputs.values()]
    check_against_torch(net.ir, report, module, *inputs)


def test_imagenet_variants_take_320() -> None:
    for stem in ("resnet50", "mobilenet_v2", "densenet121", "vgg16", "alexnet"):
        assert second_size(ROOT / "specs" / f"{stem}.arch") == (3, 320, 320)


def test_resnet50_at_320_has_the_known_macs() -> None:
    """torchvision's resnet50: 4.09 GMACs at 224. Every map of the body has (320/224)^2 times
    the positions at 320 (224 and 320 are both multiples of the total stride 32); the final
    linear layer's 2,048,000 MACs stay."""
    at_224 = archspec.load(ROOT / "specs" / "resnet50.arch").audit().macs
    at_320 = archspec.load(ROOT / "specs" / "resnet50.arch", input_shape=(3, 320, 320)).audit()
    assert at_224 == 4_089_184_256
    assert at_320.macs - 2_048_000 == (at_224 - 2_048_000) * 320**2 // 224**2
    assert at_320.rows[0].shape == (3, 320, 320)


def test_build_runs_at_the_given_size() -> None:
    torch = pytest.importorskip("torch")
    net = archspec.load(ROOT / "specs" / "resnet20.arch", input_shape=(3, 48, 48))
    model = net.build(seed=0).eval()
    with torch.no_grad():
        assert tuple(model(torch.randn(2, 3, 48, 48)).shape) == (2, 10)


NETS = """\
network small(num_classes=10) {
  input x: [3, 32, 32]
  out x -> conv(8, 3, s=2) -> adaptive_avgpool(1) -> flatten -> linear(num_classes)
}
network big(num_classes=10) {
  input img: [1, 64, 64]
  out img -> conv(4, 5, s=4) -> flatten -> linear(num_classes)
}
network variant = small(num_classes=5)
"""


def test_network_option_gives_the_size_to_the_chosen_network(tmp_path: Path) -> None:
    spec = tmp_path / "two.arch"
    spec.write_text(NETS)
    big = archspec.load(spec, "big", input_shape=(1, 32, 32))
    assert big.inputs == {"img": (1, 32, 32)} and big.outputs == {"out": (10,)}
    assert archspec.load(spec, "small", input_shape=(3, 40, 40)).inputs == {"x": (3, 40, 40)}


def test_variant_gives_the_size_to_the_network_it_names(tmp_path: Path) -> None:
    spec = tmp_path / "two.arch"
    spec.write_text(NETS)
    net = archspec.load(spec, input_shape=(3, 64, 64))  # the last network: the variant
    assert (net.name, net.inputs, net.outputs) == ("variant", {"x": (3, 64, 64)}, {"out": (5,)})


def test_wrong_rank_is_a_located_error(tmp_path: Path) -> None:
    spec = tmp_path / "two.arch"
    spec.write_text(NETS)
    with pytest.raises(SpecError) as info:
        archspec.load(spec, "small", input_shape=(32, 32))
    err = flatten(info.value)[0]
    assert (err.kind, err.span.line, err.span.col) == ("SpecTypeError", 2, 12)
    assert err.message == ("the input shape 32x32 has 2 dimensions; input 'x' declares 3: "
                           "[3, 32, 32]")


def test_too_small_names_the_layer_where_the_map_vanishes() -> None:
    with pytest.raises(SpecError) as info:
        archspec.load(ROOT / "specs" / "alexnet.arch", input_shape=(3, 20, 20))
    err = flatten(info.value)[0]
    assert (err.kind, err.span.file, err.span.line, err.span.col) == (
        "ShapeError", str(ROOT / "specs" / "alexnet.arch"), 10, 32)
    assert err.message.startswith("maxpool kernel 3×3 (effective 3) is larger than the padded "
                                  "input 1 along H")
    assert [(n.message, n.span.line) for n in err.notes] == [
        ("at layer 'features.5' (maxpool, input 192×1×1) with input 'x' of shape 3×20×20 given "
         "in place of the declared one", 7)]


def test_cli_audit_and_check_honour_input(capsys: pytest.CaptureFixture) -> None:
    from archspec.cli import main
    spec = str(ROOT / "specs" / "resnet50.arch")
    assert main(["audit", spec, "--input", "3x320x320", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["input_shapes"] == {"x": [3, 320, 320]}
    assert main(["check", spec, "--input", "3x16x16", "--network", "resnet50"]) == 0
    assert "ok " in capsys.readouterr().out
    assert main(["check", str(ROOT / "specs" / "alexnet.arch"), "--input", "3x20x20"]) == 2
    assert "at layer 'features.5' (maxpool" in capsys.readouterr().err
