"""PyTorch import: torchvision models -> specs that check, strict-load the original weights,
compute the same outputs and count the same parameters and MACs."""

from __future__ import annotations

import re

import pytest

import archspec
from archspec.errors import SpecImportError
from archspec.importers import import_model

torch = pytest.importorskip("torch")
models = pytest.importorskip("torchvision.models")
nn = torch.nn


def original_macs(model: object, shape: tuple[int, ...]) -> int:
    from torch.utils.flop_counter import FlopCounterMode
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        model(torch.zeros(1, *shape))
    return counter.get_total_flops() // 2


def assert_faithful(model: nn.Module, shape: tuple[int, ...], name: str,
                    warnings: tuple[str, ...] = ()) -> str:
    torch.manual_seed(0)
    model.eval()
    text = import_model(model, shape, name=name)
    net = archspec.load(text)
    assert tuple(w.message for w in net.warnings) == warnings
    built = net.build(device="meta").eval()   # no initialisation: the weights come next
    built.load_state_dict(model.state_dict(), strict=True, assign=True)
    x = torch.randn(2, *shape)
    with torch.no_grad():
        expected, got = model(x), built(x)
    assert torch.allclose(got, expected, atol=1e-5, rtol=0)
    report = net.audit()
    assert report.params == sum(p.numel() for p in model.parameters())
    assert report.macs == original_macs(model, shape)
    return text


def test_resnet50_is_one_bottleneck_block_in_at_most_60_lines() -> None:
    text = assert_faithful(models.resnet50(), (3, 32, 32), "resnet50")
    assert len(text.splitlines()) <= 60
    assert re.findall(r"^block (\w+)", text, re.M) == ["bottleneck"]
    assert "layer1: [bottleneck(64, with_downsample=true), bottleneck(64) * 2]" in text
    assert "conv3: conv(channels * 4, 1, bias=false)" in text


# The heavier builders (AlexNet, VGG, Wide ResNet, ...) are checked by bench/import_table.py,
# which writes the table in docs/import.md; these keep the suite fast.
BUILDERS = {
    "resnet18": ((3, 32, 32), {}), "densenet121": ((3, 32, 32), {}),
    "googlenet": ((3, 64, 64), {"aux_logits": False, "init_weights": False}),
    "inception_v3": ((3, 80, 80), {"aux_logits": False, "init_weights": False}),
    "mobilenet_v2": ((3, 32, 32), {}), "mobilenet_v3_small": ((3, 32, 32), {}),
    "mnasnet0_5": ((3, 32, 32), {}), "squeezenet1_1": ((3, 64, 64), {}),
    "regnet_y_400mf": ((3, 32, 32), {}),        # module names like 'block1-0': quoted labels
    "efficientnet_b0": ((3, 32, 32), {}),       # StochasticDepth('row') becomes drop_path
    "efficientnet_v2_s": ((3, 32, 32), {}),
}


def test_shufflenet_v2_channel_shuffle_and_chunk_are_recovered() -> None:
    text = assert_faithful(models.shufflenet_v2_x1_0(), (3, 64, 64), "shufflenet_v2_x1_0")
    assert re.findall(r"^block (\w+)", text, re.M) == ["inverted_residual",
                                                        "inverted_residual_1"]
    assert "  y = in -> slice(0, in.c // 2)\n  branch2 = in -> slice(in.c // 2, in.c)\n" in text
    assert text.count("-> channel_shuffle(2)") == 2
    assert "size" not in text and "view" not in text
    assert "-> conv5: [conv(1024, 1, bias=false), bn, relu]\n      -> mean(keepdim=false)\n" in text


def test_convnext_layer_scale_permutes_and_channels_last_layer_norm() -> None:
    # no warning: a residual around the channels-last detour keeps the detour's field (the
    # receptive-field pass used to take the skip's, and warned of a 32x32 field)
    text = assert_faithful(models.convnext_tiny(), (3, 64, 64), "convnext_tiny")
    assert re.findall(r"^block (\w+)", text, re.M) == ["conv2d_norm_activation", "cnblock"]
    for line in ("conv(in.c, 7, p=3, groups=groups),", "permute([1, 2, 0]),",
                 "layer_norm(dims=-1, eps=1e-06),", "-> layer_scale: scale_param([in.c, 1, 1])",
                 "-> stochastic_depth: drop_path(drop_rate)", "[layer_norm2d, conv(192, 2, s=2)]",
                 "-> classifier: [layer_norm2d, flatten, linear(1000)]"):
        assert line in text


class FreeParams(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 9, padding=4)
        self.gamma = nn.Parameter(torch.randn(4, 1, 1))
        self.shift = nn.Parameter(torch.randn(4, 8, 8))

    def forward(self, x: object) -> object:
        return self.shift + self.conv(x) * self.gamma


def test_parameters_used_in_forward_become_labelled_free_parameters() -> None:
    text = assert_faithful(FreeParams(), (3, 8, 8), "free_params")
    assert "-> gamma: scale_param([4, 1, 1]) -> shift: add_param([4, 8, 8])" in text


class Splits(nn.Module):
    """torch.split by sizes and by a size, chunk on a negative dim, as method and function."""

    def __init__(self) -> None:
        super().__init__()
        self.mix = nn.Conv2d(6, 6, 7, padding=3)   # sees the whole 4x4 map

    def forward(self, x: object) -> object:
        x = self.mix(x)
        a, b, c = torch.split(x, [1, 2, 3], dim=1)
        d, e = x.chunk(2, dim=-1)
        f, g = x.split(2, 2)
        return torch.cat([c, b, a], 1) + torch.cat([e, d], -1) + torch.cat([g, f], 2)


def test_chunk_and_split_parts_become_slices() -> None:
    text = assert_faithful(Splits(), (6, 4, 4), "splits")
    for part in ("slice(0, 1)", "slice(1, 3)", "slice(3, 6)", "slice(0, 2, dim=2)",
                 "slice(2, 4, dim=2)", "slice(0, 2, dim=1)", "slice(2, 4, dim=1)"):
        assert part in text


@pytest.mark.parametrize("builder", sorted(BUILDERS))
def test_torchvision_builder_imports_faithfully(builder: str) -> None:
    shape, kwargs = BUILDERS[builder]
    assert_faithful(getattr(models, builder)(**kwargs), shape, builder)


class Branchy(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)

    def forward(self, x: object) -> object:
        if x.sum() > 0:                       # data-dependent: fx cannot trace it
            return self.conv(x)
        return x


def test_untraceable_module_is_named_with_its_class_location() -> None:
    model = nn.Sequential(nn.Conv2d(3, 3, 1), Branchy())
    with pytest.raises(SpecImportError) as info:
        import_model(model, (3, 8, 8))
    err = info.value
    assert err.message.startswith("cannot trace module '1' (Branchy): TraceError: ")
    assert err.span.file == __file__
    assert err.span.line == Branchy.__init__.__code__.co_firstlineno - 1
    assert "make that module a leaf" in (err.hint or "")


class Odd(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.norm = nn.InstanceNorm2d(3)
        self.conv = nn.Conv2d(3, 3, 1)

    def forward(self, x: object) -> object:
        return torch.clamp(self.conv(self.norm(x)), 0, 1).exp()


def test_unsupported_operations_are_listed_in_one_error() -> None:
    with pytest.raises(SpecImportError) as info:
        import_model(Odd(), (3, 8, 8))
    assert info.value.message == ("unsupported operations: InstanceNorm2d ('norm'); clamp; "
                                  "exp")


@pytest.mark.parametrize(("source", "shape", "message"), [
    ("torchvision.models:resnet18", None, "a PyTorch model needs an input shape"),
    ("torchvision.models", (3, 8, 8),
     "'torchvision.models' is not a .prototxt file nor package.module:callable"),
    ("torchvision.models:nope", (3, 8, 8), "cannot find 'torchvision.models:nope': "
     "module 'torchvision.models' has no attribute 'nope'"),
])
def test_bad_sources(source: str, shape: tuple[int, ...] | None, message: str) -> None:
    with pytest.raises(SpecImportError) as info:
        import_model(source, shape)
    assert info.value.message == message


def test_callable_with_kwargs_from_the_command_line() -> None:
    text = import_model("torchvision.models:resnet18", (3, 32, 32), num_classes="10")
    assert "fc: linear(10)" in text
    assert text.startswith("block basic_block(")


def test_module_names_that_cannot_be_labels_are_refused() -> None:
    from collections import OrderedDict
    text = import_model(nn.Sequential(OrderedDict([("block1-0", nn.Conv2d(3, 4, 1))])),
                        (3, 8, 8))
    assert '"block1-0": conv(4, 1)' in text  # any name torch takes is a quoted label
    model = nn.Sequential(OrderedDict([("_hidden", nn.Conv2d(3, 4, 1))]))
    with pytest.raises(SpecImportError) as info:
        import_model(model, (3, 8, 8))
    assert info.value.message == ("module name '_hidden' (in '_hidden') cannot be a spec "
                                  "label: it starts with '_' (reserved for torch's own "
                                  "attributes)")
