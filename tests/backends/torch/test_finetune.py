"""Fine-tuning and backbones: weights with a new head, frozen layers, multi-scale features."""

from __future__ import annotations

from pathlib import Path

import pytest

import archspec
from archspec.finetune import FeatureError, feature_points

torch = pytest.importorskip("torch")
torchvision = pytest.importorskip("torchvision")

ROOT = Path(__file__).parents[3]
SPECS = sorted((ROOT / "specs").glob("*.arch"))


def test_resnet50_with_torchvision_weights_and_ten_classes(tmp_path: Path) -> None:
    torch.manual_seed(0)
    path = tmp_path / "resnet50.pt"
    reference = torchvision.models.resnet50()
    torch.save(reference.state_dict(), path)
    model = archspec.create_model("resnet50", num_classes=10, weights=path, seed=0)
    report = model.weights_report
    assert report.reinitialized == ["fc.weight", "fc.bias"]
    assert len(report.loaded) == len(reference.state_dict()) - 2
    assert not report.unexpected and not report.missing
    assert model.fc.weight.shape == (10, 2048)
    torch.testing.assert_close(model.layer4[2].conv3.weight, reference.layer4[2].conv3.weight)
    optimiser = torch.optim.SGD(model.parameters(), lr=0.01)
    loss = torch.nn.functional.cross_entropy(model(torch.randn(2, 3, 64, 64)),
                                             torch.tensor([3, 7]))
    loss.backward()
    optimiser.step()
    assert torch.isfinite(loss)


def test_freeze_by_pattern_agrees_with_audit_and_build() -> None:
    net = archspec.load(ROOT / "specs/resnet18.arch")
    frozen = net.freeze(["conv1", "bn1", "layer1.*"])
    assert frozen[:3] == ["conv1", "bn1", "layer1.0.conv1"] and len(frozen) == 10
    audit = net.audit()
    model = net.build(seed=0)
    assert audit.non_trainable_params == 157_504
    assert sum(p.numel() for p in model.parameters() if not p.requires_grad) == 157_504
    built = archspec.build(ROOT / "specs/resnet18.arch", freeze=["layer1"], seed=0)
    assert sum(p.numel() for p in built.parameters() if not p.requires_grad) == 147_968


def test_freeze_pattern_that_matches_nothing_says_what_exists() -> None:
    net = archspec.load(ROOT / "specs/resnet18.arch")
    with pytest.raises(FeatureError, match=r"freeze pattern 'layer5' matches no layer; "
                                           r"did you mean 'layer4' or 'layer3' or 'layer2'\?"):
        net.freeze(["layer5"])


def test_resnet50_features_equal_timm_features_only() -> None:
    timm = pytest.importorskip("timm")
    reference = timm.create_model("resnet50", features_only=True, out_indices=(2, 3, 4))
    model = archspec.build(ROOT / "specs/resnet50.arch", features=["layer2", "layer3", "layer4"],
                           seed=0)
    assert not any(k.startswith("fc.") for k in model.state_dict())
    model.load_state_dict(reference.state_dict(), strict=True)
    assert model.feature_info.channels() == reference.feature_info.channels()
    assert model.feature_info.reduction() == reference.feature_info.reduction()
    x = torch.randn(1, 3, 96, 96)
    with torch.no_grad():
        ours, theirs = model.eval()(x), reference.eval()(x)
    assert len(ours) == 3
    for a, b in zip(ours, theirs):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-5)


def test_features_by_index_and_bad_names() -> None:
    model = archspec.build(ROOT / "specs/resnet18.arch", features=[1, -1], seed=0)
    assert model.feature_info.module_name() == ["layer1", "layer4"]
    with pytest.raises(FeatureError, match="'layer9' is not a feature map of this network; "
                                           "did you mean"):
        archspec.build(ROOT / "specs/resnet18.arch", features=["layer9"])
    with pytest.raises(FeatureError, match="feature index 5 is out of range"):
        archspec.build(ROOT / "specs/resnet18.arch", features=[5])


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_every_zoo_backbone_gives_its_feature_maps(path: Path) -> None:
    net = archspec.load(path)
    points = feature_points(net.ir)
    if not points:
        pytest.skip("no spatial input")
    model = archspec.build(path, all_features=True, device="meta")
    shape = next(iter(net.inputs.values()))
    maps = model.eval()(torch.empty(2, *shape, device="meta"))
    maps = [maps] if isinstance(maps, torch.Tensor) else list(maps)
    reductions = [f.reduction for f in points]
    assert reductions == sorted(set(reductions))
    for f, m in zip(points, maps):
        assert m.shape[1] == f.channels
        assert tuple(m.shape[1:]) == net.ir.nodes[f.ref.node]["data"].port_shape(f.ref.port)


def test_timm_weights_from_a_file_with_a_new_head(tmp_path: Path) -> None:
    timm = pytest.importorskip("timm")
    torch.manual_seed(0)
    reference = timm.create_model("seresnet50", pretrained=False)
    path = tmp_path / "seresnet50.pth"
    torch.save({"state_dict": reference.state_dict()}, path)  # a checkpoint dict is unwrapped
    model = archspec.create_model("seresnet50", num_classes=10, weights=path, seed=0)
    assert model.weights_report.reinitialized == ["fc.weight", "fc.bias"]
    assert len(model.weights_report.loaded) == len(reference.state_dict()) - 2
    same = archspec.create_model("seresnet50", weights=path, seed=0).eval()
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(same(x), reference.eval()(x), rtol=1e-5, atol=1e-5)
