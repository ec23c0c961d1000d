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
READS_SIZES = {"deeplab_aspp": "dilated.arch:66", "swwae": "swwae.arch:15"}


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
    if spec.stem in READS_SIZES:
        assert READS_SIZES[spec.stem] in net.describe_valid()
        assert "takes the same branches" in net.describe_valid()
        return
    assert not net.shapes.size_reads
    for size in sample_sizes(spec, net):
        real = concrete(net, size)
        assert net.is_valid(H=size, W=size) == (real is not None), size
        if real is not None and not net.shapes.size_reads:
            assert_shapes_agree(net, real, size)
