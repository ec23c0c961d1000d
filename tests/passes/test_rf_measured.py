"""The receptive-field pass against a brute-force measurement on real tensors, for every zoo spec
and for every kind of geometry rule.

A NaN written into one input pixel reaches exactly the output units that depend on it (conv,
pooling, BN in eval mode and ReLU all propagate NaN; NaN·0 is NaN, so cancelling weights cannot
hide a dependency). For the centre unit of a probe node the pass predicts an interval per axis;
the pixels on its edges must reach the unit and the pixels just outside must not. The probe is the
deepest node whose predicted field lies inside the input with a pixel to spare on each side, at the
smallest input size the network accepts, so every edge is a real check.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import archspec
from archspec.errors import SpecError
from archspec.ir.graph import nodes
from archspec.passes import receptive_field

torch = pytest.importorskip("torch")
fx = pytest.importorskip("torch.fx")

SPECS = sorted((Path(__file__).resolve().parents[2] / "specs").glob("*.arch"))
SIZES = (32, 48, 64, 96, 128, 160, 224, 299)
NOMINAL = {"deform_conv"}  # data-dependent sampling: the pass gives the nominal field
SLOW = {"resnet1202"}


def load_small(path: Path) -> archspec.Network:
    for size in SIZES:
        try:
            return archspec.load(path, size=size)
        except SpecError:
            continue
    return archspec.load(path)


def edges(rf, shape) -> list[tuple[int, int]]:
    """The predicted input interval, per axis, of the centre unit of a map of ``shape``."""
    out = []
    for a in range(2):
        centre = rf.start[a] + (shape[1 + a] // 2) * rf.jump[a]
        half = (rf.size[a] - 1) / 2
        out.append((round(centre - half), round(centre + half)))
    return out


def probe_node(g, runnable: set[str], hw: tuple[int, int]):
    best, nominal = None, set()
    for n in nodes(g):
        if n.op in NOMINAL or any(r.node in nominal for r in n.inputs):
            nominal.add(n.name)
            continue
        rf = g.nodes[n.name]["rf"]
        if (rf is None or not rf.spatial or rf.global_ or len(n.shape) != 3
                or not n.inputs or n.name not in runnable):
            continue
        if all(lo >= 1 and hi <= size - 2 for (lo, hi), size in zip(edges(rf, n.shape), hw)):
            best = n
    return best


class _Reached(Exception):
    pass


def run_to(model, fx_name: str, x):
    """The eval-mode value of one fx node, stopping there (later nodes never run)."""
    interp = fx.Interpreter(fx.GraphModule(model, model.program.forwards["eval"]))
    seen = {}
    run_node = interp.run_node

    def stop_at(n):
        value = run_node(n)
        if n.name == fx_name:
            seen["value"] = value[0] if isinstance(value, tuple) else value
            raise _Reached
        return value

    interp.run_node = stop_at
    with torch.no_grad(), pytest.raises(_Reached):
        interp.run(x)
    return seen["value"]


def probes(field: list[tuple[int, int]]) -> list[tuple[int, int, int, bool]]:
    """(axis, pixel, pixel on the other axis, reaches the unit?) for each edge and beyond."""
    out = []
    for a in range(2):
        lo, hi = field[a]
        middle = (field[1 - a][0] + field[1 - a][1]) // 2
        out += [(a, lo, middle, True), (a, lo - 1, middle, False),
                (a, hi, middle, True), (a, hi + 1, middle, False)]
    return out


def measured_mismatches(net: archspec.Network) -> tuple[str, list]:
    from archspec.backends.torch.codegen import ident
    g = receptive_field(net.graph)
    inp = next(n for n in nodes(g) if not n.inputs)
    model = net.build(seed=0).eval()
    fx_names = {n.name for n in model.program.forwards["eval"].nodes}
    runnable = {n.name for n in nodes(g) if ident(n.name) in fx_names}
    target = probe_node(g, runnable, inp.shape[1:])
    assert target is not None, "no node's field fits inside the input"
    field = edges(g.nodes[target.name]["rf"], target.shape)
    cases = probes(field)
    x = torch.rand(len(cases) + 1, *inp.shape)
    for b, (axis, p, other, _) in enumerate(cases, 1):
        x[(b, slice(None), p, other) if axis == 0 else (b, slice(None), other, p)] = float("nan")
    got = run_to(model, ident(target.name), x)
    i, j = target.shape[1] // 2, target.shape[2] // 2
    assert not torch.isnan(got[0]).any()
    wrong = [("HW"[a], p, reach) for b, (a, p, _, reach) in enumerate(cases, 1)
             if bool(torch.isnan(got[b, :, i, j]).any()) != reach]
    return target.name, wrong


@pytest.mark.parametrize("spec", [pytest.param(s, id=s.stem, marks=[pytest.mark.slow] * (
    s.stem in SLOW)) for s in SPECS])
def test_zoo_receptive_field_matches_measurement(spec):
    name, wrong = measured_mismatches(load_small(spec))
    assert wrong == [], f"probe '{name}': pixels (axis, index, should reach) disagree: {wrong}"


GEOMETRY_CASES = {
    "window": "conv(4, 5, stride=2, padding=1) -> maxpool(3, stride=2, padding=1)",
    "dilated": "conv(4, 3, dilation=3, padding=2) -> avgpool(2, stride=1)",
    "ceil_pool": "maxpool(3, stride=2, ceil_mode=true) -> conv(4, 3)",
    "asymmetric": "conv(4, [1, 5], padding=[0, 2]) -> conv(4, [5, 1], stride=[2, 1])",
    "same_even": "conv(4, 4, padding='same') -> conv(4, 3, stride=2)",
    "pad_slice": "pad([2, 1, 3, 0]) -> slice(2, 30, 1, dim=1) -> conv(4, 3)",
    "subsample": "conv(4, 3) -> subsample(2) -> conv(4, 3)",
    "shuffle_perm": "conv(6, 3) -> channel_shuffle(3) -> permute([0, 1, 2]) -> conv(4, 3)",
    "lenet": "table_conv(16, 5, table='lenet') -> lenet_pool(2) -> conv(4, 3)",
}


@pytest.mark.parametrize("case", sorted(GEOMETRY_CASES))
def test_geometry_rules_match_measurement(case):
    channels = 6 if case == "lenet" else 3
    text = (f"network n {{\n  input x: [{channels}, 40, 40]\n"
            f"  out x -> {GEOMETRY_CASES[case]}\n}}\n")
    name, wrong = measured_mismatches(archspec.load(text))
    assert wrong == [], f"probe '{name}': {wrong}"
