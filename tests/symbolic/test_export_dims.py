"""torch.export dims derived from the valid set (archspec/symbolic/export_dims.py): a range,
or ``step·k + residue``, starting where no map is 1 wide; what torch cannot state is refused
with a message saying what. Pure Python (the torch side: tests/backends/torch/
test_dynamic_export.py)."""

import pytest

import archspec
from archspec.symbolic.export_dims import DimPlan, NotExportable, dynamic_plans
from tests.symbolic.test_network import UNET

ODD = """
network odd {
  input x: [3, 21, 21]
  a = x -> conv(8, 3, s=2)
  b = x -> conv(8, 1) -> maxpool(2)
  out y = add(a, b) -> relu
}
"""
THREE_RESIDUES = """
network three {
  input x: [3, 64, 64]
  a = x -> maxpool(2) -> maxpool(2) -> maxpool(2)
  b = x -> conv(3, 3, s=8)
  out y = add(a, b)
}
"""


def plans(spec, channels=3, nodes=None):
    net = archspec.load(spec, input_shape=(channels, "H", "W"))
    log = net.ir.meta.size_log
    return [str(p) for p in dynamic_plans(net.shapes, net.caveats(), nodes,
                                          log.reads if log else [])]


def test_every_size_valid_gives_a_range_where_no_map_is_one_wide():
    assert plans("specs/resnet50.arch") == ["H ≥ 33", "W ≥ 33"]  # ⌊(H - 1)/32⌋ + 1 ≥ 2


def test_a_congruence_gives_a_derived_dim():
    assert plans(UNET) == ["H = 8·k, k ≥ 2 (H ≥ 16)", "W = 8·k, k ≥ 2 (W ≥ 16)"]
    assert plans(ODD) == ["H = 2·k + 1, k ≥ 2 (H ≥ 5)", "W = 2·k + 1, k ≥ 2 (W ≥ 5)"]


def test_the_plan_contains_exactly_its_progression():
    p = DimPlan("H", 8, 3, 2)
    assert p.minimum == 19
    assert [n for n in range(40) if p.contains(n)] == [19, 27, 35]


def test_what_torch_cannot_state_is_refused_saying_what():
    with pytest.raises(NotExportable, match=r"the valid sizes are H, W ≡ 0, 1, 2 \(mod 8\).*"
                                            r"cannot represent this set of H"):
        plans(THREE_RESIDUES)
    with pytest.raises(NotExportable, match=r"reads sizes .*swwae.arch:15:23.*H = 28, W = 28"):
        plans("specs/swwae.arch", channels=1)


def test_nodes_the_program_skips_do_not_raise_the_minimum():
    net = archspec.load("specs/inception_v3.arch", input_shape=(3, "H", "W"))
    assert plans("specs/inception_v3.arch") == ["H ≥ 347", "W ≥ 347"]  # the aux head's maps
    main = {n for n in net.ir.nodes if not n.startswith("AuxLogits")}
    assert plans("specs/inception_v3.arch", nodes=main) == ["H ≥ 299", "W ≥ 299"]
