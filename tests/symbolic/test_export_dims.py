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


# the what-where autoencoder of specs/swwae.arch with a size-free head (a global pool
# before the classifier) and the reconstruction as a main output
WWAE = """
network wwae(channels=[4, 8, 16]) {
  input x: [1, H, W]
  let n = len(channels)
  what = x
  pooled = []
  sizes = []
  for i in range(n) {
    sizes = sizes + [[what.h, what.w]]
    p = what -> "enc{i + 1}": conv(channels[i], 3, p=1) -> relu
      -> "pool{i + 1}": maxpool(2, return_indices=true)
    pooled = pooled + [p]
    what = p
  }
  out logits = what -> gap -> flatten -> fc: linear(10)
  rec = what
  for j in range(n) {
    let i = n - 1 - j
    let width = if i > 0 { channels[i - 1] } else { x.c }
    rec = rec -> "unpool{i + 1}": max_unpool(2, indices=pooled[i].indices, output_size=sizes[i])
              -> "dec{i + 1}": conv(width, 3, p=1)
    rec = if i > 0 { rec -> relu } else { rec }
  }
  out reconstruction = rec
}
"""
OPAQUE = """
network opaque {
  input x: [3, H, W]
  out x -> conv(8, 3) -> avgpool(x.h // 8)
}
"""
FLATTEN = """
network flat {
  input x: [3, H, W]
  y = x -> conv(4, 3, s=2, p=1)
  out y -> flatten -> fc: linear(10)
}
"""


def plans(spec, channels=3, nodes=None):
    net = archspec.load(spec, input_shape=(channels, "H", "W"))
    return [str(p) for p in dynamic_plans(net.shapes, net.caveats(), nodes, net.ir)]


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
    with pytest.raises(NotExportable, match=r"reads sizes .*<string>:4:34\): its module holds "
                                            r"values computed at H = 224, W = 224"):
        plans(OPAQUE)


def test_a_layer_whose_weights_follow_the_size_is_refused_naming_it():
    with pytest.raises(NotExportable) as err:
        plans(FLATTEN)
    assert str(err.value).startswith(
        "'fc' (linear, <string>:5:27) has 40·(⌊(H - 1)/2⌋ + 1)·(⌊(W - 1)/2⌋ + 1) + 10 "
        "parameters: their number depends on H, W, and an exported program holds one set")
    with pytest.raises(NotExportable, match=r"^'fc' \(linear, .*swwae.arch:21:39\) has "
                                            r"1,280·⌊H/8⌋·⌊W/8⌋ \+ 10 parameters"):
        plans("specs/swwae.arch", channels=1)


def test_sizes_the_spec_reads_and_uses_as_sizes_export():
    assert plans("specs/deeplab_aspp.arch", channels=8) == ["H ≥ 2", "W ≥ 2"]
    assert plans(WWAE, channels=1) == ["H ≥ 16", "W ≥ 16"]  # ⌊H/8⌋ ≥ 2


def test_nodes_the_program_skips_do_not_raise_the_minimum():
    net = archspec.load("specs/inception_v3.arch", input_shape=(3, "H", "W"))
    assert plans("specs/inception_v3.arch") == ["H ≥ 347", "W ≥ 347"]  # the aux head's maps
    main = {n for n in net.ir.nodes if not n.startswith("AuxLogits")}
    assert plans("specs/inception_v3.arch", nodes=main) == ["H ≥ 299", "W ≥ 299"]
