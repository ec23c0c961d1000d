"""Pretrained weights: what fits is loaded, a changed head is re-initialised, the rest refused."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

import archspec

torch = pytest.importorskip("torch")
torchvision = pytest.importorskip("torchvision")

from archspec.backends.torch.weights import (  # noqa: E402
    WeightsError,
    head_modules,
    load_weights,
)

SPECS = Path(__file__).parents[3] / "specs"


@pytest.fixture(scope="module")
def resnet18_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("weights") / "resnet18.pt"
    torch.save(torchvision.models.resnet18().state_dict(), path)
    return path


def test_head_of_classifiers() -> None:
    assert head_modules(archspec.load(SPECS / "resnet18.arch").ir) == {"fc"}
    assert head_modules(archspec.load(SPECS / "vgg16.arch").ir) == {"classifier.6"}
    assert head_modules(archspec.load(SPECS / "googlenet.arch").ir) == {
        "fc", "aux1.fc2", "aux2.fc2"}


def test_same_head_loads_every_key_and_computes_the_same(resnet18_file: Path) -> None:
    net = archspec.load(SPECS / "resnet18.arch")
    model = net.build(seed=1).eval()
    report = load_weights(model, resnet18_file, head=head_modules(net.ir))
    assert len(report.loaded) == 122 and not report.reinitialized
    reference = torchvision.models.resnet18()
    reference.load_state_dict(torch.load(resnet18_file, weights_only=True))
    x = torch.randn(2, 3, 64, 64)
    torch.testing.assert_close(model(x), reference.eval()(x), rtol=1e-5, atol=1e-5)


def test_new_head_is_reinitialised_and_trains(resnet18_file: Path) -> None:
    net = archspec.load(SPECS / "resnet18.arch", num_classes=10)
    fresh = net.build(seed=3).state_dict()
    model = net.build(seed=3)
    report = load_weights(model, resnet18_file, head=head_modules(net.ir))
    assert report.reinitialized == ["fc.weight", "fc.bias"]
    assert len(report.loaded) == 120 and report.summary() == "120 loaded, 2 re-initialised"
    assert torch.equal(model.state_dict()["fc.weight"], fresh["fc.weight"])
    saved = torch.load(resnet18_file, weights_only=True)
    assert torch.equal(model.state_dict()["layer4.1.conv2.weight"], saved["layer4.1.conv2.weight"])
    optimiser = torch.optim.SGD(model.parameters(), lr=0.1)
    loss = torch.nn.functional.cross_entropy(model(torch.randn(4, 3, 64, 64)),
                                             torch.tensor([0, 1, 2, 3]))
    loss.backward()
    optimiser.step()
    assert not torch.equal(model.state_dict()["fc.weight"], fresh["fc.weight"])


def test_mismatch_outside_the_head_is_refused_unless_partial(resnet18_file: Path) -> None:
    net = archspec.load(SPECS / "resnet34.arch")
    with pytest.raises(WeightsError) as e:
        load_weights(net.build(seed=0), resnet18_file, head=head_modules(net.ir))
    assert "layer1.2.conv1.weight: missing from the file" in str(e.value)
    report = load_weights(net.build(seed=0), resnet18_file, head=head_modules(net.ir),
                          partial=True)
    assert "layer1.2.conv1.weight" in report.missing and len(report.loaded) == 122


def test_shape_change_outside_the_head_is_named(resnet18_file: Path) -> None:
    state = torch.load(resnet18_file, weights_only=True)
    state["conv1.weight"] = torch.zeros(64, 3, 3, 3)
    net = archspec.load(SPECS / "resnet18.arch")
    with pytest.raises(WeightsError, match=r"conv1.weight: shape \(64, 3, 3, 3\) in the file, "
                       r"\(64, 3, 7, 7\) in the network \(not a head layer\)"):
        load_weights(net.build(seed=0), state, head=head_modules(net.ir))


def test_unexpected_keys_are_refused(resnet18_file: Path) -> None:
    state = dict(torch.load(resnet18_file, weights_only=True))
    state["extra.weight"] = torch.zeros(1)
    net = archspec.load(SPECS / "resnet18.arch")
    with pytest.raises(WeightsError, match="extra.weight: not in the network"):
        load_weights(net.build(seed=0), state, head=head_modules(net.ir))


def test_a_checkpoint_never_runs_code(tmp_path: Path) -> None:
    class Evil:
        def __reduce__(self) -> tuple:
            return (print, ("pwned",))

    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps(Evil(), protocol=2))
    net = archspec.load(SPECS / "resnet18.arch")
    with pytest.raises(WeightsError, match="cannot read weights"):
        load_weights(net.build(seed=0), path)
    with pytest.raises(WeightsError, match="not found"):
        load_weights(net.build(seed=0), tmp_path / "absent.pt")


def test_a_renamed_module_is_named_beside_its_missing_keys(resnet18_file: Path) -> None:
    state = {k.replace("layer4.1.", "layer4_1."): v
             for k, v in torch.load(resnet18_file, weights_only=True).items()}
    net = archspec.load(SPECS / "resnet18.arch")
    with pytest.raises(WeightsError) as e:
        load_weights(net.build(seed=0), state, head=head_modules(net.ir))
    message = str(e.value)
    assert ("layer4.1.conv1.weight: missing from the file (it has 'layer4_1.conv1.weight')"
            in message)
    assert message.count("missing from the file (it has 'layer4_1.") == 12
    assert "not in the network" not in message  # each unexpected key is paired
    report = load_weights(net.build(seed=0), state, head=head_modules(net.ir), partial=True)
    assert repr(report) == "WeightsReport(110 loaded, 0 re-initialised, 12 unexpected, 12 missing)"
