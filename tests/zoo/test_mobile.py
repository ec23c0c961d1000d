"""Mobile families: MobileNet v1 (timm), MobileNet v2 and ShuffleNet v2 (torchvision) against
their references; ShuffleNet v1 (megvii layout, no installed reference) by hand counts and a
hand-written forward of its units."""

from __future__ import annotations

import pytest
import timm
import torch
import torch.nn.functional as F
import torchvision

import archspec
from tests.zoo.fidelity import assert_matches, assert_same_state, build, param_count, spec

SHUFFLE_V1_G3 = [24, 240, 480, 960]


def test_mobilenet_v1_matches_timm() -> None:
    reference = timm.create_model("mobilenetv1_100", pretrained=False)
    model = assert_matches("mobilenet_v1", reference, (3, 224, 224), 4_231_976)
    keys = model.state_dict()
    assert keys["blocks.3.5.conv_dw.weight"].shape == (512, 1, 3, 3)
    assert keys["blocks.4.1.bn2.weight"].shape == (1024,)


def test_mobilenet_v2_matches_torchvision() -> None:
    reference = torchvision.models.mobilenet_v2()
    model = assert_matches("mobilenet_v2", reference, (3, 224, 224), 3_504_872)
    keys = model.state_dict()
    assert keys["features.1.conv.1.weight"].shape == (16, 32, 1, 1)     # t = 1: no expansion
    assert keys["features.2.conv.0.0.weight"].shape == (96, 16, 1, 1)   # t = 6
    assert keys["features.18.0.weight"].shape == (1280, 320, 1, 1)


def test_shufflenet_v2_matches_torchvision() -> None:
    reference = torchvision.models.shufflenet_v2_x1_0()
    model = assert_matches("shufflenet_v2_x1_0", reference, (3, 224, 224), 2_278_604)
    keys = model.state_dict()
    assert keys["stage2.0.branch1.0.weight"].shape == (24, 1, 3, 3)
    assert keys["stage3.7.branch2.5.weight"].shape == (116, 116, 1, 1)
    assert not any(k.startswith("stage2.1.branch1") for k in keys)


@pytest.mark.parametrize("name, params, reference", [
    ("mobilenet_v2", {"width": 0.5}, lambda: torchvision.models.mobilenet_v2(width_mult=0.5)),
    ("shufflenet_v2_x1_0", {"channels": [24, 48, 96, 192, 1024]},
     torchvision.models.shufflenet_v2_x0_5),
])
def test_width_variants_load_torchvision_weights(name, params, reference) -> None:
    model, ref = build(name, **params), reference()
    assert param_count(model) == param_count(ref)
    assert_same_state(model, ref)


def test_mobilenet_v2_skips_only_at_stride_1_with_equal_width() -> None:
    net = archspec.load(spec("mobilenet_v2"))
    adds = sorted({n.split(".")[1] for n, d in net.graph.nodes.items() if d["data"].op == "add"},
                  key=int)
    # repeats after the first unit of each (t, c, n, s) row: 16·1, 24·2, 32·3, 64·4, 96·3, ...
    assert adds == ["3", "5", "6", "8", "9", "10", "12", "13", "15", "16"]


# -- ShuffleNet v1 (megvii ShuffleNet-Series layout) ---------------------------------------------

def shufflev1_params(channels: list[int], groups: int = 3, repeats=(4, 8, 4),
                     num_classes: int = 1000) -> int:
    """Parameters of ShuffleNet v1 counted from the layout, one unit at a time."""
    total, cin = 3 * channels[0] * 9 + 2 * channels[0], channels[0]
    for stage, n in enumerate(repeats):
        out = channels[stage + 1]
        for j in range(n):
            mid, main = out // 4, out - cin if j == 0 else out
            first = 1 if stage == 0 and j == 0 else groups
            total += cin * mid // first + 2 * mid + 9 * mid + 2 * mid + mid * main // groups
            total += 2 * main
            cin = out
    return total + channels[-1] * num_classes


@pytest.fixture(scope="module")
def shufflev1() -> tuple[archspec.Network, torch.nn.Module]:
    return archspec.load(spec("shufflenet_v1_g3")), build("shufflenet_v1_g3")


def test_shufflenet_v1_g3_counts(shufflev1) -> None:
    net, model = shufflev1
    report = net.audit()
    assert report.params == shufflev1_params(SHUFFLE_V1_G3) == 1_864_728   # megvii: 1.9M
    assert 137e6 < report.macs < 139e6                                      # megvii: 138M
    assert net.outputs == {"out": (1000,)}
    assert not net.warnings
    assert param_count(model) == report.params
    model.eval()
    with torch.no_grad():
        assert model(torch.randn(1, 3, 224, 224)).shape == (1, 1000)


def test_shufflenet_v1_shapes_and_first_group(shufflev1) -> None:
    net, model = shufflev1
    shapes = {n: d["data"].shape for n, d in net.graph.nodes.items()}
    keys = model.state_dict()
    assert keys["features.0.branch_main_1.0.weight"].shape == (60, 24, 1, 1)    # not grouped
    assert keys["features.1.branch_main_1.0.weight"].shape == (60, 80, 1, 1)    # groups = 3
    assert keys["features.0.branch_main_2.0.weight"].shape == (216, 20, 1, 1)   # 240 − 24
    assert shapes["features.0.branch_proj"] == (24, 28, 28)
    out_shapes = [shapes[n] for n in shapes if n.startswith("features.") and n.endswith("concat")]
    assert out_shapes == [(240, 28, 28), (480, 14, 14), (960, 7, 7)]


def _bn(x: torch.Tensor, sd: dict, key: str) -> torch.Tensor:
    return F.batch_norm(x, sd[f"{key}.running_mean"], sd[f"{key}.running_var"],
                        sd[f"{key}.weight"], sd[f"{key}.bias"], False, 0.0, 1e-5)


def megvii_unit(x: torch.Tensor, sd: dict, key: str, groups: int, stride: int,
                first: bool) -> torch.Tensor:
    """ShuffleV1Block's forward written out with torch.nn.functional."""
    y = F.conv2d(x, sd[f"{key}.branch_main_1.0.weight"], groups=1 if first else groups)
    y = F.relu(_bn(y, sd, f"{key}.branch_main_1.1"))
    y = F.conv2d(y, sd[f"{key}.branch_main_1.3.weight"], stride=stride, padding=1,
                 groups=y.shape[1])
    y = _bn(y, sd, f"{key}.branch_main_1.4")
    b, c, h, w = y.shape   # megvii's shuffle: reshape (c/g, g), swap, flatten
    y = y.reshape(b, c // groups, groups, h, w).permute(0, 2, 1, 3, 4).reshape(b, c, h, w)
    y = _bn(F.conv2d(y, sd[f"{key}.branch_main_2.0.weight"], groups=groups), sd,
            f"{key}.branch_main_2.1")
    if stride == 1:
        return F.relu(x + y)
    return torch.cat([F.avg_pool2d(x, 3, 2, 1), F.relu(y)], 1)


def test_shufflev1_units_compute_the_megvii_forward() -> None:
    text = ("import std.shufflenet\nnetwork units {\n  input x: [24, 16, 16]\n"
            "  out x -> features: [shufflev1_unit(240, stride=2, first_group=true),"
            " shufflev1_unit(240), shufflev1_unit(480, stride=2)]\n}\n")
    model = archspec.build(text, seed=0).eval()
    torch.manual_seed(1)
    sd = {k: (torch.rand_like(v) + 0.5 if v.is_floating_point() else v)
          for k, v in model.state_dict().items()}
    model.load_state_dict(sd)
    x = torch.randn(2, 24, 16, 16)
    y = megvii_unit(x, sd, "features.0", 3, 2, True)
    y = megvii_unit(y, sd, "features.1", 3, 1, False)
    y = megvii_unit(y, sd, "features.2", 3, 2, False)
    with torch.no_grad():
        torch.testing.assert_close(model(x), y, atol=1e-5, rtol=1e-5)
