"""MAC formulas against torch's own counter: ``torch.utils.flop_counter`` on the built model
at three sizes equals twice the formula's MACs (docs/audit.md: conv and linear FLOPs are 2·MACs
in torch's count)."""

import pytest

import archspec

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("spec", ["specs/resnet18.arch", "specs/mobilenet_v2.arch"])
def test_mac_formulas_equal_torchs_flop_counter(spec):
    from torch.utils.flop_counter import FlopCounterMode
    net = archspec.load(spec, input_shape=(3, "H", "W"))
    macs = net.cost_formulas().totals["macs"]
    model = net.build(seed=0).eval()
    for h, w in [(32, 32), (45, 61), (97, 64)]:
        counter = FlopCounterMode(display=False)
        with counter, torch.no_grad():
            model(torch.zeros(1, 3, h, w))
        assert counter.get_total_flops() == 2 * macs.evaluate({"H": h, "W": w}), (h, w)
