"""Cost formulas (docs/symbolic.md, "Cost formulas"): every formula evaluated at a valid size
equals the concrete audit there, for every spec in specs/ with a C×H×W input."""

import pytest

import archspec
from archspec.passes.training import TrainingSetup
from archspec.symbolic import sym
from archspec.symbolic.costs import CostFormulas, PeakCandidate, cost_formulas, frontier
from archspec.symbolic.poly import SizePoly
from tests.symbolic.test_network import FIXED_SIZE, SLOW, SPECS, declared_input

SETUP = TrainingSetup("zero2", world=4, batch=3, precision="bf16-mixed")


def sizes(spec, net):
    low = net.shapes.valid.minimum("H") or 1
    if spec.stem in SLOW:
        return [(low + 1, low + 1)]
    return [(low, low), (low + 1, low + 1), (low + 3, low + 10), (low + 37, low + 37)]


def assert_formulas_equal_audit(f: CostFormulas, net, h, w):
    env = {"H": h, "W": w}
    report = net.at(H=h, W=w).audit(train=SETUP, lints=False)
    values = f.at(env)
    t = report.inference
    assert [values[k] for k in ("params", "trainable_params", "buffers", "macs", "flops",
                                "activation_bytes")] == [
        t.params, t.trainable_params, t.buffers, t.macs, t.flops, t.activation_bytes], (h, w)
    assert values["peak_activation_bytes"] == report.peak_activation_bytes, (h, w)
    assert values["saved_activation_bytes"] * SETUP.batch // 2 == \
        report.training_memory.activations, (h, w)
    train = report.training   # auxiliary heads train too
    assert [f.training_totals[k].evaluate(env) for k in ("params", "trainable_params",
                                                           "buffers")] == [
        train.params, train.trainable_params, train.buffers], (h, w)


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_formulas_equal_the_concrete_audit(spec):
    declared = declared_input(spec)
    if len(declared) != 3 or spec.stem in FIXED_SIZE:
        pytest.skip("no symbolic network")
    net = archspec.load(spec, input_shape=(declared[0], "H", "W"))
    f = cost_formulas(net)
    for h, w in sizes(spec, net):
        if net.is_valid(H=h, W=w):
            assert_formulas_equal_audit(f, net, h, w)


def test_resnet50_formulas_read_by_resolution_level():
    net = archspec.load("specs/resnet50.arch", input_shape=(3, "H", "W"))
    f = cost_formulas(net)
    assert str(f.totals["params"]) == "25,557,032"
    macs = f.totals["macs"]
    assert len(macs.terms) == 6  # the stem, four stages, the classifier
    assert str(macs).startswith("9,408·(⌊(H - 1)/2⌋ + 1)·(⌊(W - 1)/2⌋ + 1) + 245,760·")
    assert str(macs).endswith("14,417,920·(⌊(H - 1)/32⌋ + 1)·(⌊(W - 1)/32⌋ + 1) + 2,048,000")
    assert macs.evaluate({"H": 224, "W": 224}) == 4_089_184_256
    assert macs.plain().startswith("9408*((H - 1)//2 + 1)*((W - 1)//2 + 1) + 245760*")
    assert f.peak_at({"H": 224, "W": 224}) == (9_633_792, "layer1.0.downsample.1")
    assert f.peak_at({"H": 1, "W": 1})[1] != "layer1.0.downsample.1"  # where depends on H


def test_size_poly_algebra():
    h, w = sym("H"), sym("W")
    half = (h - 1) // 2 + 1
    p = SizePoly.of(half) * SizePoly.of(w) * 3 + 5
    assert str(p) == "3·W·(⌊(H - 1)/2⌋ + 1) + 5"
    assert p.plain() == "3*W*((H - 1)//2 + 1) + 5"
    assert p.evaluate({"H": 7, "W": 2}) == 3 * 4 * 2 + 5
    assert p - p == 0 and (p - 5).evaluate({"H": 1, "W": 1}) == 3
    assert str(SizePoly.of(half) // 2) == "⌊(H - 3)/4⌋ + 1"  # ⌊(⌊(H - 1)/2⌋ + 1)/2⌋
    assert p == p + 0 and hash(p) == hash(p + 0) and p != p + 1
    assert (SizePoly.of(h) * 4).exact_div(2) == SizePoly.of(h) * 2
    with pytest.raises(TypeError):
        (SizePoly.of(h) * SizePoly.of(w)) // 2
    with pytest.raises(TypeError):
        int(SizePoly.of(h))
    assert SizePoly.of(sym("H") * 0 + 4) == 4 and int(SizePoly.of(4)) == 4
    assert hash(SizePoly.of(4)) == hash(4) and {SizePoly.of(4): 1}[4] == 1
    assert str(SizePoly.of(0)) == "0" and str(-SizePoly.of(h)) == "-H"
    assert str(SizePoly.of(h) - SizePoly.of(w) * 2) == "H - 2·W"


def test_the_peak_frontier_drops_dominated_live_sets():
    h = SizePoly.of(sym("H"))
    steps = [PeakCandidate("a", h * 2), PeakCandidate("b", h * 3 + 1), PeakCandidate("c", h * 3),
             PeakCandidate("d", SizePoly.of(100))]
    assert [c.node for c in frontier(steps)] == ["b", "d"]


def test_powers_and_signs_print_unambiguously():
    half = SizePoly.of((sym("H") - 1) // 2 + 1)
    p = half * half * 3 - half + 5
    assert str(p) == "3·(⌊(H - 1)/2⌋ + 1)² - (⌊(H - 1)/2⌋ + 1) + 5"
    assert p.plain() == "3*((H - 1)//2 + 1)**2 - ((H - 1)//2 + 1) + 5"
    assert eval(p.plain(), {"__builtins__": {}}, {"H": 9}) == p.evaluate({"H": 9}) == 75
    assert str(half) == "⌊(H - 1)/2⌋ + 1" and str(-half) == "-(⌊(H - 1)/2⌋ + 1)"
