"""The zoo registry and the fine-tuning options on the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

import archspec
from archspec.cli import main
from archspec.zoo import list_models, model_info

SPECS = Path(__file__).resolve().parents[2] / "specs"


def test_the_registry_lists_the_bundled_specs() -> None:
    assert list_models() == sorted(p.stem for p in SPECS.glob("*.arch"))
    assert list_models("resnet1*") == ["resnet101", "resnet110", "resnet1202", "resnet152",
                                       "resnet18"]
    info = model_info("resnet50")
    assert info.reference == "torchvision resnet50"
    assert info.summary == "ResNet-50 (torchvision resnet50): 25,557,032 parameters."
    assert model_info("swwae").reference is None
    with pytest.raises(KeyError, match="no bundled network named 'resnet5'; did you mean"):
        model_info("resnet5")


def test_models_prints_the_zoo(capsys: pytest.CaptureFixture) -> None:
    assert main(["models", "resnet5*"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["network", "params", "MACs", "reference"]
    assert lines[1].split() == ["resnet50", "25.56", "M", "4.09", "G", "torchvision",
                                "resnet50"]
    assert lines[2].split()[0] == "resnet56" and lines[2].endswith("-")
    assert main(["models", "nothing*"]) == 2
    assert "no bundled network matches 'nothing*'" in capsys.readouterr().err


def test_check_prints_the_feature_maps(capsys: pytest.CaptureFixture) -> None:
    assert main(["check", str(SPECS / "resnet50.arch"), "--features", "layer3,-1"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == [
        "  feature layer3: 1024×14×14, reduction 16",
        "  feature layer4: 2048×7×7, reduction 32"]


@pytest.mark.parametrize("args, message", [
    (["--features", "layer9"], "'layer9' is not a feature map of this network"),
    (["--features", "a,,b"], "expected a comma-separated list of names"),
    (["--freeze", "layer9"], "freeze pattern 'layer9' matches no layer"),
    (["--weights", "absent.pt"], "cannot read 'absent.pt'"),
    (["--partial"], "--partial"),
    (["--features", "layer2", "-o", "x.py"], "a .py export is the whole network"),
])
def test_bad_tuning_options_exit_2(args: list[str], message: str, tmp_path: Path,
                                   capsys: pytest.CaptureFixture,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["build", str(SPECS / "resnet18.arch"), "--device", "meta", *args]) == 2
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_build_loads_weights_with_a_new_head(tmp_path: Path,
                                             capsys: pytest.CaptureFixture) -> None:
    torch = pytest.importorskip("torch")
    path = tmp_path / "r18.pt"
    torch.save(archspec.build(SPECS / "resnet18.arch", seed=0).state_dict(), path)
    args = ["build", str(SPECS / "resnet18.arch"), "-p", "num_classes=10", "--weights",
            str(path), "--freeze", "conv1,layer1"]
    assert main(args) == 0
    assert "weights: 120 loaded, 2 re-initialised" in capsys.readouterr().out


def test_top_level_helpers_load_on_first_use() -> None:
    import subprocess
    import sys
    code = ("import sys, archspec; before = {'archspec.zoo', 'archspec.importers'} & "
            "set(sys.modules); archspec.list_models; archspec.import_model; "
            "print(sorted(before), archspec.import_model.__module__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["[]", "archspec.importers"]
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        archspec.nothing  # noqa: B018
