"""The symbolic-size pass on whole networks (docs/symbolic.md, "Networks"): every node's
formula evaluated at a size equals the concrete elaboration there, and ``is_valid`` equals
"the concrete load succeeds"."""

from pathlib import Path

import pytest

import archspec
from archspec.errors import SpecError
from archspec.symbolic.dims import evaluate_shape

SPECS = sorted(Path(__file__).resolve().parents[2].joinpath("specs").glob("*.arch"))
FIXED_SIZE = {"stn_mnist": "affine_grid", "nonlocal_resnet50": "matmul"}  # mix symbolic maps
SLOW = {"resnet1202", "resnet152", "resnet101", "densenet201", "densenet169", "densenet161",
        "densenet121", "inception_resnet_v2", "inception_resnet_v1", "inception_v4",
        "efficientnet_b0", "regnet_y_400mf"}
SWEEP = {"lenet5", "allcnn_c", "nin_cifar", "vgg11"}
FOLLOWS_READS = {"deeplab_aspp", "swwae"}  # upsample(size=[in.h, in.w]), max_unpool sizes


def declared_input(spec):
    return next(iter(archspec.load(spec).inputs.values()))


def symbolic(spec, channels):
    return archspec.load(spec, input_shape=(channels, "H", "W"))


def concrete(net, size):
    try:
        return net.at(H=size, W=size)
    except SpecError:
        return None


def sample_sizes(spec, net):
    low = net.shapes.valid.minimum("H") or 1
    sizes = {1, 2, low - 1, low, low + 1, low + 5, 97, 256}
    if spec.stem in SWEEP:
        sizes |= set(range(1, 257, 7)) | {1000, 4099}
    if spec.stem in SLOW:
        sizes = {low - 1, low + 1}
    return sorted(s for s in sizes if s >= 1)


def assert_shapes_agree(net, real, size):
    env = {"H": size, "W": size}
    for (name, port), shape in net.shapes.shapes.items():
        n = real.ir.nodes[name]["data"]
        assert evaluate_shape(shape, env) == tuple(n.port_shape(port)), (name, port, size)


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_formulas_and_valid_set_match_concrete_loads(spec):
    declared = declared_input(spec)
    if len(declared) != 3:
        pytest.skip("non-spatial input")
    if spec.stem in FIXED_SIZE:
        with pytest.raises(SpecError, match=FIXED_SIZE[spec.stem]):
            symbolic(spec, declared[0])
        return
    net = symbolic(spec, declared[0])
    if spec.stem in FOLLOWS_READS:
        assert net.ir.meta.size_log.reads and not net.caveats()
    assert not net.shapes.size_reads
    for size in sample_sizes(spec, net):
        real = concrete(net, size)
        assert net.is_valid(H=size, W=size) == (real is not None), size
        if real is not None and not net.shapes.size_reads:
            assert_shapes_agree(net, real, size)


UNET = """
network unet(join="concat") {
  input x: [3, 64, 64]
  e1 = x -> conv(8, 3, p=1) -> relu
  e2 = e1 -> maxpool(2) -> conv(16, 3, p=1) -> relu
  e3 = e2 -> maxpool(2) -> conv(32, 3, p=1) -> relu
  b = e3 -> maxpool(2) -> conv(32, 3, p=1)
  d3 = concat(b -> upsample(scale=2), e3) -> conv(32, 3, p=1)
  d2 = concat(d3 -> upsample(scale=2), e2) -> conv(16, 3, p=1)
  d1 = concat(d2 -> upsample(scale=2), e1) -> conv(8, 3, p=1)
  out y = d1
}
"""


def test_unet_skips_of_different_strides_give_a_congruence():
    net = archspec.load(UNET, input_shape=(3, "H", "W"))
    assert net.describe_valid() == "H, W ≡ 0 (mod 8)"
    assert net.valid_sizes("H", range(1, 4097)) == list(range(8, 4097, 8))
    for size in range(1, 70):
        real = concrete(net, size)
        assert net.is_valid(H=size, W=size) == (real is not None), size
        if real is not None:
            assert_shapes_agree(net, real, size)
    assert not net.is_valid(H=64, W=60) and net.is_valid(H=64, W=56)


def test_at_gives_the_concrete_network_or_the_concrete_error():
    net = archspec.load(UNET, input_shape=(3, "H", "W"))
    assert net.at(H=96, W=32).outputs == {"y": (8, 96, 32)}
    with pytest.raises(SpecError) as symbolic_error:
        net.at(H=12, W=16)
    with pytest.raises(SpecError) as concrete_error:
        archspec.load(UNET, input_shape=(3, 12, 16))
    got, want = symbolic_error.value, concrete_error.value
    assert (got.message, got.span.line, got.span.col) == (want.message, want.span.line,
                                                          want.span.col)
    assert got.span.line == 8


def test_hand_checked_statements():
    assert symbolic(SPECS[0].parent / "resnet50.arch", 3).describe_valid() == "H, W ≥ 1"
    assert symbolic(SPECS[0].parent / "lenet5.arch", 1).describe_valid() == "H, W ≥ 32"
    inception = symbolic(SPECS[0].parent / "inception_v3.arch", 3)
    assert inception.describe_valid() == "H, W ≥ 299"


def test_formulas_print_readably():
    net = symbolic(SPECS[0].parent / "resnet50.arch", 3)
    assert [str(d) for d in net.shapes.shape("layer4.2.relu_2")] == [
        "2048", "⌊(H - 1)/32⌋ + 1", "⌊(W - 1)/32⌋ + 1"]
    assert net.symbolic_outputs == {"out": (1000,)}
    lenet = symbolic(SPECS[0].parent / "lenet5.arch", 1)
    assert str(lenet.shapes.shape("flatten")[0]) == "120·(⌊H/4⌋ - 7)·(⌊W/4⌋ - 7)"
    assert lenet.shapes.shape("f6") == (84,)
    unet = archspec.load(UNET, input_shape=(3, "H", "W"))
    assert [str(d) for d in unet.symbolic_outputs["y"]] == ["8", "H", "W"]


def test_a_map_mixed_at_a_symbolic_size_is_a_located_error():
    with pytest.raises(SpecError) as error:
        symbolic(SPECS[0].parent / "stn_mnist.arch", 1)
    assert (error.value.span.line, error.value.span.col) == (13, 23)
    assert "adaptive_avgpool" in error.value.hint


def test_tied_symbols_and_reference():
    net = archspec.load(UNET, input_shape=(3, "S", "S"))
    assert net.shapes.reference == {"S": 64}
    assert net.describe_valid() == "S ≡ 0 (mod 8)"
    assert net.is_valid(S=16) and not net.is_valid(S=20)


def test_googlenet_and_the_whole_range():
    googlenet = symbolic(SPECS[0].parent / "googlenet.arch", 3)
    assert googlenet.describe_valid() == "H, W ≥ 31"  # ceil-mode pools: the padded input ≥ 3
    assert googlenet.valid_sizes("W", range(1, 4097)) == list(range(31, 4097))
    resnet = symbolic(SPECS[0].parent / "resnet50.arch", 3)
    assert resnet.valid_sizes("H", range(1, 4097)) == list(range(1, 4097))


def test_bad_symbolic_input_shapes():
    with pytest.raises(SpecError, match=r"the input shape 3xH has 2 dimensions; input 'x' "):
        archspec.load(UNET, input_shape=(3, "H"))
    with pytest.raises(SpecError, match="a size symbol is a name like H or W, not '2H'"):
        archspec.load(UNET, input_shape=(3, "2H", "W"))
    net = archspec.load(UNET, input_shape=(3, "H", "W"))
    with pytest.raises(TypeError, match=r"missing \['W'\], unknown \['X'\]"):
        net.at(H=8, X=8)


def test_broadcast_merges_accept_a_size_one_operand():
    spec = """
network bcast {
  input x: [3, 8, 8]
  a = x -> conv(8, 3, p=1)
  b = x -> maxpool(8) -> conv(8, 1)
  out y = a * b
}
"""
    net = archspec.load(spec, input_shape=(3, "H", "W"))
    for size in range(1, 40):
        real = concrete(net, size)
        assert net.is_valid(H=size, W=size) == (real is not None), size
        if real is not None:
            assert_shapes_agree(net, real, size)
    assert net.describe_valid() == "8 ≤ H, W ≤ 15"
    assert [str(d) for d in net.symbolic_outputs["y"]] == ["8", "H", "W"]


CHANNELS_LAST = """network t {
  input x: [4, 32, 32]
  y = x -> conv(8, 3, s=2, p=1)
  z = y -> permute([1, 2, 0]) -> layer_norm(dims=-1) -> linear(8) -> permute([2, 0, 1])
  out (z + y) -> conv(8, 2, s=2)
}"""


def test_a_channels_last_detour_keeps_h_and_w_apart():
    """permute moves H and W to the front and back: their formulas must not swap (at the
    reference H = W, so only sizes with H != W can tell)."""
    net = archspec.load(CHANNELS_LAST, input_shape=(4, "H", "W"))
    assert net.describe_valid() == "H, W ≥ 3"
    for h, w in [(7, 40), (40, 7), (64, 3), (2, 50), (33, 5)]:
        try:
            concrete = archspec.load(CHANNELS_LAST, input_shape=(4, h, w)).outputs["out"]
        except SpecError:
            concrete = None
        assert net.is_valid(H=h, W=w) == (concrete is not None), (h, w)
        if concrete is not None:
            assert net.at(H=h, W=w).outputs["out"] == concrete


def test_a_size_below_one_is_not_valid():
    net = archspec.load(SPECS[0].parent / "resnet18.arch", input_shape=(3, "H", "W"))
    assert net.is_valid(H=5, W=5)
    assert not net.is_valid(H=0, W=5) and not net.is_valid(H=5, W=-3)
    with pytest.raises(ValueError, match="positive int"):
        net.is_valid(H=2.5, W=5)


def test_a_symbolic_input_of_the_wrong_rank_is_located_at_the_input():
    with pytest.raises(SpecError) as info:
        archspec.load(SPECS[0].parent / "resnet18.arch", input_shape=(3, "H"))
    err = info.value
    assert err.message == ("the input shape 3xH has 2 dimensions; input 'x' declares 3: "
                           "[3, 224, 224]")
    assert (err.span.file.endswith("std/resnet.arch"), err.span.line, err.span.col) == (
        True, 76, 3)
    assert err.hint == "give 3 sizes, e.g. 3x224x224"
