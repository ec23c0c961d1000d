"""``build --dynamic``: torch.export programs and ONNX files whose H and W carry the derived
constraints (docs/build.md, "Dynamic sizes") run at several valid sizes with the eager
module's outputs, and reject invalid sizes with their own checks."""

from __future__ import annotations

import pytest
import torch

import archspec
from archspec.backends.torch import build_module
from archspec.backends.torch.dynamic import export_onnx_dynamic, export_program_dynamic
from archspec.cli import main
from tests.backends.torch.test_runtime_sizes import PADDING
from tests.symbolic.test_export_dims import ODD, THREE_RESIDUES, WWAE
from tests.symbolic.test_network import UNET


def built(spec):
    net = archspec.load(spec, input_shape=(3, "H", "W"))
    return net, build_module(net.ir, seed=0).eval()


def assert_runs_like_eager(program, model, sizes):
    run = program.module()
    for h, w in sizes:
        x = torch.randn(1, 3, h, w, generator=torch.Generator().manual_seed(h * w))
        with torch.no_grad():
            assert torch.equal(run(x), model(x)), (h, w)


def assert_rejects(program, sizes, channels=3):
    for h, w in sizes:
        with pytest.raises((AssertionError, RuntimeError), match="Guard failed|Expected"):
            program.module()(torch.randn(1, channels, h, w))


def test_resnet18_exports_with_a_range(tmp_path):
    net, model = built("specs/resnet18.arch")
    program = export_program_dynamic(net, model, tmp_path / "r18.pt2")
    assert sorted(str(r) for r in program.range_constraints.values()) == [
        "VR[33, int_oo]", "VR[33, int_oo]"]
    assert_runs_like_eager(torch.export.load(str(tmp_path / "r18.pt2")), model,
                           [(33, 33), (40, 97)])
    assert_rejects(program, [(32, 64)])


def test_unet_exports_multiples_of_8_and_rejects_the_rest():
    net, model = built(UNET)
    program = export_program_dynamic(net, model)
    ranges = sorted((str(k).startswith("8*"), str(r)) for k, r in
                    program.range_constraints.items())
    assert ranges == [(False, "VR[2, int_oo]")] * 2 + [(True, "VR[16, int_oo]")] * 2
    assert_runs_like_eager(program, model, [(16, 16), (24, 40), (80, 16), (48, 48), (96, 64)])
    assert_rejects(program, [(20, 24), (8, 16)])


def test_a_residue_is_exported_as_step_times_k_plus_r():
    net, model = built(ODD)
    program = export_program_dynamic(net, model)
    assert any(str(k).startswith("2*") and str(k).endswith("+ 1")
               for k in program.range_constraints)
    assert_runs_like_eager(program, model, [(5, 5), (7, 21), (33, 9)])
    assert_rejects(program, [(6, 7), (3, 5)])


def test_onnx_has_symbolic_axes_and_matches_onnxruntime_at_two_sizes(tmp_path):
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnxscript")
    net, model = built(UNET)
    export_onnx_dynamic(net, model, tmp_path / "unet.onnx")
    session = ort.InferenceSession(str(tmp_path / "unet.onnx"),
                                   providers=["CPUExecutionProvider"])
    (inp,) = session.get_inputs()
    assert inp.name == "x" and inp.shape[:2] == [1, 3] and all(
        isinstance(d, str) for d in inp.shape[2:])
    for h, w in [(16, 24), (64, 40)]:
        x = torch.randn(1, 3, h, w)
        (out,) = session.run(None, {"x": x.numpy()})
        with torch.no_grad():
            assert abs(out - model(x).numpy()).max() < 1e-4


def test_cli_exports_and_refuses_what_torch_cannot_state(tmp_path, capsys):
    spec = tmp_path / "odd.arch"
    spec.write_text(ODD)
    assert main(["build", str(spec), "--input", "3xHxW", "--dynamic",
                 "-o", str(tmp_path / "odd.pt2")]) == 0
    out = capsys.readouterr().out
    assert "dynamic sizes: H = 2·k + 1, k ≥ 2 (H ≥ 5), W = 2·k + 1, k ≥ 2 (W ≥ 5)" in out
    run = torch.export.load(str(tmp_path / "odd.pt2")).module()
    assert tuple(run(torch.randn(1, 3, 7, 9)).shape) == (1, 8, 3, 4)
    spec.write_text(THREE_RESIDUES)
    assert main(["build", str(spec), "--input", "3xHxW", "--dynamic",
                 "-o", str(tmp_path / "three.pt2")]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "'--dynamic': torch.export cannot represent this network's sizes: the valid " \
           "sizes are H, W ≡ 0, 1, 2 (mod 8)" in err
    assert not (tmp_path / "three.pt2").exists()


def assert_program_equals_concrete(program, net, model, sizes, channels):
    """The program at each size equals the concrete network built at that size."""
    run = program.module()
    for h, w in sizes:
        concrete = net.at(H=h, W=w).build(seed=0).eval()
        concrete.load_state_dict(model.state_dict())
        x = torch.randn(1, channels, h, w, generator=torch.Generator().manual_seed(h * w))
        with torch.no_grad():
            got, want = run(x), concrete(x)
        got, want = (got, want) if isinstance(want, tuple) else ((got,), (want,))
        assert all(torch.equal(a, b) for a, b in zip(got, want)), (h, w)


def test_deeplab_aspp_reads_the_input_size_in_the_program(tmp_path):
    net = archspec.load("specs/deeplab_aspp.arch", input_shape=(8, "H", "W"))
    model = net.build(seed=0).eval()
    export_program_dynamic(net, model, tmp_path / "aspp.pt2")
    program = torch.export.load(str(tmp_path / "aspp.pt2"))
    assert sorted(str(r) for r in program.range_constraints.values()) == [
        "VR[2, int_oo]", "VR[2, int_oo]"]
    assert_program_equals_concrete(program, net, model,  # every size is valid: none to reject
                                   [(2, 2), (5, 9), (28, 28), (33, 17), (64, 40)], 8)


def test_the_what_where_autoencoder_unpools_to_dynamic_sizes():
    net = archspec.load(WWAE, input_shape=(1, "H", "W"))
    model = net.build(seed=0).eval()
    program = export_program_dynamic(net, model)
    assert_program_equals_concrete(program, net, model,
                                   [(16, 16), (17, 23), (28, 28), (31, 45), (64, 19)], 1)
    # H = 7 is invalid; H = 15 is valid but ⌊15/8⌋ = 1, a size torch specialises
    assert_rejects(program, [(7, 16), (15, 16)], channels=1)


@pytest.mark.parametrize("spec,channels", [("specs/deeplab_aspp.arch", 8), (WWAE, 1)])
def test_onnx_of_specs_that_read_sizes_matches_onnxruntime(tmp_path, spec, channels):
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnxscript")
    net = archspec.load(spec, input_shape=(channels, "H", "W"))
    model = net.build(seed=0).eval()
    export_onnx_dynamic(net, model, tmp_path / "m.onnx")
    session = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    assert session.get_inputs()[0].shape == [1, channels, "H", "W"]
    for h, w in [(16, 24), (29, 17)]:
        x = torch.randn(1, channels, h, w)
        with torch.no_grad():
            want = model(x)
        want = want if isinstance(want, tuple) else (want,)
        got = session.run(None, {"x": x.numpy()})
        assert [o.shape for o in got] == [tuple(t.shape) for t in want]
        assert max(float(abs(o - t.numpy()).max()) for o, t in zip(got, want)) < 1e-4


def test_cli_exports_deeplab_and_refuses_what_one_program_cannot_hold(tmp_path, capsys):
    assert main(["build", "specs/deeplab_aspp.arch", "--input", "8xHxW", "--dynamic",
                 "-o", str(tmp_path / "aspp.pt2")]) == 0
    assert "dynamic sizes: H ≥ 2, W ≥ 2" in capsys.readouterr().out
    run = torch.export.load(str(tmp_path / "aspp.pt2")).module()
    assert tuple(run(torch.randn(1, 8, 7, 11)).shape) == (1, 21, 7, 11)
    assert main(["build", "specs/swwae.arch", "--input", "1xHxW", "--dynamic",
                 "-o", str(tmp_path / "swwae.pt2")]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "'--dynamic': torch.export cannot represent this network's sizes: 'fc' (linear, " \
           "specs/swwae.arch:21:39) has 1,280·⌊H/8⌋·⌊W/8⌋ + 10 parameters" in err
    spec = tmp_path / "padding.arch"
    spec.write_text(PADDING)
    assert main(["build", str(spec), "--dynamic", "-o", str(tmp_path / "padding.pt2")]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "cannot represent this network's sizes: 'conv_transpose' (conv_transpose, " \
           f"{spec}:5:12) takes output_padding from a size the spec read" in err
    assert not (tmp_path / "swwae.pt2").exists() and not (tmp_path / "padding.pt2").exists()


SIZED_WEIGHTS = ("network n {\n  input x: [3, H, W]\n"
                 "  out x -> conv(8, 3) -> flatten -> linear(10)\n}\n")


def test_cli_refuses_weights_whose_shape_follows_the_size(tmp_path, capsys):
    """linear's in_features is read from a symbolic flatten: a program fixed at 224 would
    fail its own guard at every other size the printed range promised."""
    spec = tmp_path / "sized.arch"
    spec.write_text(SIZED_WEIGHTS)
    assert main(["build", str(spec), "--dynamic", "-o", str(tmp_path / "sized.pt2")]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "'--dynamic': torch.export cannot represent this network's sizes: 'linear' " \
           f"(linear, {spec}:3:37) has 80·(H - 2)·(W - 2) + 10 parameters" in err
    assert not (tmp_path / "sized.pt2").exists()
