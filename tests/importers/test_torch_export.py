"""The torch.export fallback: a module torch.fx cannot trace (control flow on sizes) is
exported at the given input shape and imported from its aten graph, faithfully."""

from __future__ import annotations

import pytest

from archspec.cli import main
from archspec.errors import SpecImportError
from archspec.importers import import_model
from tests.importers.test_torch import Branchy, assert_faithful

torch = pytest.importorskip("torch")
models = pytest.importorskip("torchvision.models")
nn = torch.nn


class Residual(nn.Module):
    def __init__(self, c: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(c)

    def forward(self, x: object) -> object:
        return torch.relu(self.bn(self.conv(x)) + x)


class SizeDependent(nn.Module):
    """Pools only inputs wider than 8: fx cannot branch on ``x.shape``, export can."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 9, padding=4)
        self.pool = nn.MaxPool2d(2)
        self.blocks = nn.Sequential(Residual(8), Residual(8))
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, 10)

    def forward(self, x: object) -> object:
        x = self.stem(x)
        if x.shape[-1] > 8:
            x = self.pool(x)
        x = self.blocks(x)
        y = torch.cat([x, x * 2], 1)
        y = self.gap(y).view(y.size(0), -1)
        return nn.functional.dropout(self.fc(y), 0.2, self.training) + y.mean(1, keepdim=True)


def test_fx_cannot_trace_it() -> None:
    import torch.fx
    with pytest.raises(torch.fx.proxy.TraceError):
        torch.fx.symbolic_trace(SizeDependent())


@pytest.mark.parametrize(("size", "pooled"), [(16, True), (8, False)])
def test_export_fallback_imports_faithfully_at_the_given_shape(size: int, pooled: bool) -> None:
    text = assert_faithful(SizeDependent(), (3, size, size), "size_dependent")
    assert ("-> pool: maxpool(2)" in text) is pooled
    assert "-> blocks: [residual() * 2]" in text
    assert "block residual() {" in text
    assert "bn_1 = in -> conv: conv(8, 3, p=1, bias=false) -> bn: bn" in text
    assert "fc: linear(10)" in text and "dropout(0.2)" in text


class Unmapped(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.norm = nn.InstanceNorm2d(3)
        self.conv = nn.Conv2d(3, 3, 1)

    def forward(self, x: object) -> object:
        if x.shape[1] == 3:
            x = self.conv(self.norm(x))
        return torch.clamp(x, 0, 1).exp()


def test_unsupported_aten_operations_are_listed_in_one_error() -> None:
    with pytest.raises(SpecImportError) as info:
        import_model(Unmapped(), (3, 8, 8))
    assert info.value.message == ("unsupported operations: aten.instance_norm (in 'norm'); "
                                  "aten.clamp; aten.exp")
    assert "exported with torch.export" in (info.value.hint or "")


def test_when_both_fail_the_module_fx_could_not_trace_is_named() -> None:
    with pytest.raises(SpecImportError) as info:
        import_model(nn.Sequential(nn.Conv2d(3, 3, 1), Branchy()), (3, 8, 8))
    assert info.value.message.startswith("cannot trace module '1' (Branchy): TraceError: ")
    assert info.value.hint.startswith("torch.export (tried next) failed too: ")


def branchy() -> nn.Module:
    return nn.Sequential(nn.Conv2d(3, 3, 1), Branchy())


def test_untraceable_source_on_the_command_line_exits_2(capsys: pytest.CaptureFixture) -> None:
    assert main(["import", f"{__name__}:branchy", "--input", "3x8x8"]) == 2
    err = capsys.readouterr().err
    assert "error: cannot trace module '1' (Branchy): TraceError: " in err
    assert "test_torch.py" in err and "Traceback" not in err


@pytest.mark.parametrize("builder", ["resnet18", "mobilenet_v3_small"])
def test_torchvision_through_export_matches_fx(builder: str) -> None:
    """The aten mapping alone (fx skipped) gives the spec fx gives."""
    from archspec.importers.recover import to_text
    from archspec.importers.torch_export import import_exported
    model = getattr(models, builder)().eval()
    exported = to_text(import_exported(model, (3, 32, 32), builder, SpecImportError("")))
    assert exported == import_model(model, (3, 32, 32), name=builder)
