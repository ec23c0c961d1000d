"""``archspec import``: output, atomic files, exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from archspec.cli import main
from tests.importers.test_caffe import CORPUS, needs_corpus

TINY = """name: "tiny"
input: "data" input_shape { dim: 1 dim: 3 dim: 8 dim: 8 }
layer { name: "c" type: "Convolution" bottom: "data" top: "c"
  convolution_param { num_output: 4 kernel_size: 3 } }
layer { name: "r" type: "ReLU" bottom: "c" top: "c" }
"""


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.prototxt"
    path.write_text(TINY)
    return path


def test_prints_the_spec(tiny: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["import", str(tiny)]) == 0
    assert capsys.readouterr().out == ("network tiny {\n  input data: [3, 8, 8]\n"
                                       "  out data -> c: conv(4, 3) -> r: relu\n}\n")


def test_writes_the_output_file_with_name_and_input(tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "t.arch"
    assert main(["import", str(tiny), "-o", str(out), "--name", "small",
                 "--input", "3x16x16"]) == 0
    assert out.read_text().splitlines()[:2] == ["network small {", "  input data: [3, 16, 16]"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert main(["check", str(out)]) == 0


@pytest.mark.parametrize(("args", "message"), [
    (["-o", "x.txt"], "--output: cannot write 'x.txt': the suffix chooses the format"),
    (["-o", "missing_dir/x.arch"], "does not exist"),
    (["--name", "no good"], "is not a name"),
    (["--weights", "w.pt"], "a .prototxt has no weights: give them with --caffemodel"),
    (["--caffemodel", "net.caffemodel"], "give --weights OUT.pt to write the weights"),
    (["--caffemodel", "missing.caffemodel", "--weights", "w.pt"],
     "no such file: missing.caffemodel"),
    (["--input", "3xx"], "expected CxHxW"),
    (["--kwargs", "=3"], "expected NAME=VALUE"),
])
def test_bad_options_exit_2_naming_the_option(tiny: Path, args: list[str], message: str,
                                              capsys: pytest.CaptureFixture) -> None:
    assert main(["import", str(tiny), *args]) == 2
    assert message in capsys.readouterr().err


def test_never_writes_onto_the_source(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    source = tmp_path / "net.arch"
    source.write_text("keep")
    assert main(["import", str(source), "-o", str(source)]) == 2
    assert source.read_text() == "keep"
    assert "is an input of this command; choose another output path" in capsys.readouterr().err


def test_malformed_prototxt_exits_2_with_location(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture) -> None:
    bad = tmp_path / "bad.prototxt"
    bad.write_text('name: "x"\nlayer {\n  type "ReLU"\n}\n')
    assert main(["import", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:3:8: error: expected ':' or '{{' after 'type'" in err
    assert "Traceback" not in err


def test_unsupported_layers_exit_2_each_located(tmp_path: Path,
                                                capsys: pytest.CaptureFixture) -> None:
    bad = tmp_path / "odd.prototxt"
    bad.write_text(TINY + 'layer { name: "p" type: "PReLU" bottom: "c" top: "c" }\n'
                   'layer { name: "m" type: "MVN" bottom: "c" top: "m" }\n')
    assert main(["import", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:6:19: error: unsupported Caffe layer type 'PReLU' (layer 'p')" in err
    assert f"{bad}:7:19: error: unsupported Caffe layer type 'MVN' (layer 'm')" in err
    assert "Traceback" not in err


def test_torch_source_with_kwargs_and_weights(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    pytest.importorskip("torchvision")
    spec, weights = tmp_path / "r18.arch", tmp_path / "r18.pt"
    assert main(["import", "torchvision.models:resnet18", "--input", "3x32x32", "--kwargs",
                 "num_classes=10", "-o", str(spec), "--weights", str(weights)]) == 0
    import archspec
    model = archspec.build(str(spec))
    model.load_state_dict(torch.load(weights), strict=True)
    assert model.fc.weight.shape == (10, 512)


@needs_corpus
def test_corpus_file_from_the_command_line(capsys: pytest.CaptureFixture) -> None:
    assert main(["import", str(CORPUS / "bvlc_alexnet.deploy.prototxt")]) == 0
    text = capsys.readouterr().out
    assert "-> conv2: conv(256, 5, p=2, groups=2)" in text
    assert "-> pool5: maxpool(3, s=2, ceil=true)" in text


def test_a_pytorch_source_without_input_exits_2_naming_input(
        capsys: pytest.CaptureFixture) -> None:
    """The README's first import line had no --input: the error was '<unknown>:0:0'."""
    assert main(["import", "torch.nn:ReLU"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "Invalid value for '--input': a PyTorch source (package.module:callable) needs " \
           "an input size, e.g. --input 3x224x224" in err
    assert "<unknown>" not in err


def test_kwargs_for_a_file_source_exit_2_naming_kwargs(
        tiny: Path, capsys: pytest.CaptureFixture) -> None:
    """--kwargs were silently ignored for a prototxt or an ONNX file."""
    assert main(["import", str(tiny), "--kwargs", "num_classes=10"]) == 2
    assert "Invalid value for '--kwargs': only a PyTorch source (package.module:callable) " \
           "takes builder arguments" in " ".join(capsys.readouterr().err.split())
