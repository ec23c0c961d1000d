"""Exports: standalone Python source, torch.export programs, ONNX against onnxruntime."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest
import torch
from torch_nets import branchy_graph, resnet_graph, tiny_graph

from archspec.backends.torch import build_module
from archspec.backends.torch.export import export_onnx, export_program, export_python


def _load(path: Path, name: str) -> type:
    spec = importlib.util.spec_from_file_location(f"exported_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


def _imported_roots(source: str) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("make, shape", [(branchy_graph, (3, 16, 16)),
                                         (lambda: resnet_graph((1, 1, 1, 1), checkpoint=True),
                                          (3, 32, 32))])
def test_exported_python_loads_the_built_state_dict_and_matches_in_both_modes(tmp_path, make,
                                                                              shape):
    graph = make()
    model = build_module(graph, seed=0)
    source = export_python(graph, tmp_path / "net.py")
    assert _imported_roots(source) <= {"__future__", "collections", "math", "operator", "torch"}
    exported = _load(tmp_path / "net.py", type(model).__name__)()
    exported.load_state_dict(model.state_dict(), strict=True)
    x = torch.randn(2, *shape, generator=torch.Generator().manual_seed(0))
    for mode in (True, False):
        model.train(mode)
        exported.train(mode)
        torch.testing.assert_close(exported(x), model(x), rtol=0, atol=0)


def test_exported_python_applies_declared_inits(tmp_path):
    graph = tiny_graph({"bn": "zeros", "fc": "identity_affine"})
    source = export_python(graph, tmp_path / "tiny.py", class_name="TinyNet")
    assert "torch.nn.init.zeros_(self.bn.weight)" in source
    assert "torch.nn.init.zeros_(self.bn.bias)" in source
    assert "def init_identity_affine(tensor" in source
    assert "init_identity_affine(self.fc.weight)\n" in source
    exported = _load(tmp_path / "tiny.py", "TinyNet")()
    assert torch.count_nonzero(exported.bn.weight) == 0
    assert exported.fc.bias.tolist() == [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
    assert "nn.Conv2d(3, 4, (3, 3), padding=(1, 1))" in source


def test_export_program_round_trips_through_a_pt2_file(tmp_path):
    model = build_module(branchy_graph(), seed=0)
    x = torch.randn(2, 3, 16, 16)
    export_program(model.eval(), x, tmp_path / "eval.pt2")
    loaded = torch.export.load(tmp_path / "eval.pt2").module()
    torch.testing.assert_close(loaded(x), model(x), rtol=0, atol=1e-6)
    model.train()
    program = export_program(model, x, tmp_path / "train.pt2")
    logits, aux = torch.export.load(tmp_path / "train.pt2").module()(x)
    assert logits.shape == (2, 5) and aux.shape == (2, 5)
    assert [s.arg.name for s in program.graph_signature.input_specs if s.kind.name == "USER_INPUT"
            ] == ["x"]


def test_onnx_export_matches_onnxruntime(tmp_path):
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnxscript")
    model = build_module(resnet_graph((1, 1, 1, 1)), seed=0).eval()
    x = torch.randn(2, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    export_onnx(model, x, tmp_path / "net.onnx")
    session = ort.InferenceSession(str(tmp_path / "net.onnx"), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["x"]
    (out,) = session.run(None, {"x": x.numpy()})
    with torch.no_grad():
        assert abs(out - model(x).numpy()).max() < 1e-4
