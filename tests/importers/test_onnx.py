"""ONNX import: torchvision models exported by torch.onnx.export, imported, built with the
initializers under the spec's keys, and compared with onnxruntime."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

import archspec
from archspec.errors import SpecImportError
from archspec.importers import import_source

torch = pytest.importorskip("torch")
models = pytest.importorskip("torchvision.models")
ort = pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")


def export(model: object, shape: tuple[int, ...], path: Path, opset: int = 17) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model.eval(), (torch.randn(1, *shape),), str(path), dynamo=False,
                          opset_version=opset)
    return path


CASES = {
    "resnet18": ((3, 32, 32), {}, ["layer"]),
    "densenet121": ((3, 32, 32), {}, None),
    "mobilenet_v3_large": ((3, 32, 32), {}, None),
    "inception_v3": ((3, 80, 80), {"aux_logits": False, "init_weights": False}, None),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_exported_model_matches_onnxruntime(name: str, tmp_path: Path) -> None:
    import re
    shape, kwargs, blocks = CASES[name]
    torch.manual_seed(0)
    path = export(getattr(models, name)(**kwargs), shape, tmp_path / f"{name}.onnx")
    text, state = import_source(path)
    if blocks is not None:
        assert re.findall(r"^block (\w+)", text, re.M) == blocks
    model = archspec.load(text).build(device="meta").eval()
    model.load_state_dict(state, strict=True, assign=True)
    x = torch.randn(2, *shape)
    session = ort.InferenceSession(str(path))
    expected = torch.from_numpy(session.run(None, {session.get_inputs()[0].name:
                                                   x[:1].numpy()})[0])
    with torch.no_grad():
        got = model(x[:1])
    assert torch.allclose(got, expected, atol=1e-4, rtol=1e-4)


def test_old_opsets_are_refused(tmp_path: Path) -> None:
    path = export(models.squeezenet1_1(), (3, 32, 32), tmp_path / "old.onnx", opset=11)
    with pytest.raises(SpecImportError) as info:
        import_source(path)
    assert info.value.message == (f"{path} uses opset 11; archspec reads opset 13 and later")
    assert info.value.span.file == str(path)


class Soft(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 4, 3)

    def forward(self, x: object) -> object:
        return torch.nn.functional.softplus(self.conv(x)).abs()


def test_unsupported_onnx_operations_are_listed(tmp_path: Path) -> None:
    path = export(Soft(), (3, 8, 8), tmp_path / "soft.onnx")
    with pytest.raises(SpecImportError) as info:
        import_source(path)
    assert info.value.message == ("unsupported ONNX operations: Softplus ('/Softplus'); "
                                  "Abs ('/Abs')")


def test_a_file_that_is_not_onnx(tmp_path: Path) -> None:
    path = tmp_path / "junk.onnx"
    path.write_bytes(b"\x00\x01not a protobuf")
    with pytest.raises(SpecImportError) as info:
        import_source(path)
    assert info.value.message.startswith(f"cannot read {path} as ONNX: ")


def test_command_line_old_opset_and_unsupported_ops_exit_2(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture) -> None:
    from archspec.cli import main
    old = export(torch.nn.Conv2d(3, 4, 3), (3, 8, 8), tmp_path / "old.onnx", opset=11)
    assert main(["import", str(old)]) == 2
    err = capsys.readouterr().err
    assert f"{old}:1:1: error: {old} uses opset 11; archspec reads opset 13 and later" in err
    soft = export(Soft(), (3, 8, 8), tmp_path / "soft.onnx")
    assert main(["import", str(soft)]) == 2
    err = capsys.readouterr().err
    assert "error: unsupported ONNX operations: Softplus ('/Softplus'); Abs ('/Abs')" in err
    assert "Traceback" not in err
