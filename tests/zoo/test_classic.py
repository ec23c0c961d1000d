"""Classic networks: LeNet-5, AlexNet (torchvision, Caffe), VGG, NIN, All-CNN-C, STN, SWWAE.

References: torchvision where it has the network; otherwise a small hand-written torch module
with the same module names, written from the paper / the original code, so that the spec
must reproduce the keys, a strict load and the outputs, not just a parameter count.
"""

from __future__ import annotations

import warnings
from collections import OrderedDict

import pytest
import torch
import torch.nn.functional as F
import torchvision
from torch import nn

import archspec
from archspec.ir.graph import nodes
from archspec.ops.lenet import LENET_C3_TABLE
from tests.zoo.fidelity import (
    assert_matches,
    assert_same_outputs,
    assert_same_state,
    build,
    param_count,
    spec,
)


def seq(*layers: nn.Module, **named: nn.Module) -> nn.Sequential:
    """nn.Sequential numbered (positional) or named (keywords), like the spec's groups."""
    return nn.Sequential(*layers) if layers else nn.Sequential(OrderedDict(named))


def shapes(name: str, **params) -> dict[str, tuple[int, ...]]:
    """Node name -> inferred shape (no batch dimension)."""
    return {n.name: tuple(n.shape) for n in nodes(archspec.load(spec(name), **params).graph)}


def assert_same_state_meta(model: nn.Module, reference: nn.Module) -> None:
    """assert_same_state where one side lives on the meta device (the load is then a no-op)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*meta parameter")
        assert_same_state(model, reference)


def assert_matches_big(name: str, reference: nn.Module, shape: tuple[int, ...], params: int,
                       **spec_params) -> None:
    """assert_matches for very large networks: the spec is built on the meta device (no
    initialisation of 10^8 weights), then takes the reference's tensors; one image forward."""
    model = archspec.build(spec(name), device="meta", **spec_params)
    assert param_count(model) == param_count(reference) == params
    assert_same_state_meta(model, reference)
    model.load_state_dict(reference.state_dict(), strict=True, assign=True)
    assert_same_outputs(model, reference, shape, batch=1)


# ---------------------------------------------------------------- LeNet-5


def lenet_reference(sd: dict[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """LeNet-5 written out with functional ops from the paper, reading the spec's weights."""
    def squash(a: torch.Tensor) -> torch.Tensor:
        return 1.7159 * torch.tanh(a * 2 / 3)

    def sub(a: torch.Tensor, s: str) -> torch.Tensor:
        w, b = sd[f"{s}.weight"][:, None, None], sd[f"{s}.bias"][:, None, None]
        return F.avg_pool2d(a, 2, divisor_override=1) * w + b

    c3 = torch.zeros(16, 6, 5, 5)
    rows = [(o, i) for o, row in enumerate(LENET_C3_TABLE) for i in row]
    for k, (o, i) in enumerate(rows):
        c3[o, i] = sd["c3.weight"][k]
    a = squash(sub(squash(F.conv2d(x, sd["c1.weight"], sd["c1.bias"])), "s2"))
    a = squash(sub(squash(F.conv2d(a, c3, sd["c3.bias"])), "s4"))
    a = squash(F.conv2d(a, sd["c5.weight"], sd["c5.bias"])).flatten(1)
    a = squash(F.linear(a, sd["f6.weight"], sd["f6.bias"]))
    return (a[:, None, :] - sd["output.prototypes"]).square().sum(-1)


def test_lenet5_has_60000_trainable_params_and_the_papers_layers() -> None:
    model = build("lenet5")
    assert param_count(model, trainable_only=True) == param_count(model) == 60_000
    per_layer = {k.split(".")[0]: 0 for k in model.state_dict()}
    for k, v in model.named_parameters():
        per_layer[k.split(".")[0]] += v.numel()
    assert per_layer == {"c1": 156, "s2": 12, "c3": 1516, "s4": 32, "c5": 48_120,
                         "f6": 10_164, "output": 0}
    protos = model.state_dict()["output.prototypes"]
    assert protos.shape == (10, 84) and set(protos.unique().tolist()) == {-1.0, 1.0}
    audit = archspec.load(spec("lenet5")).audit()
    assert (audit.params, audit.trainable_params) == (60_000, 60_000)
    s = shapes("lenet5")
    assert [s[n] for n in ("c1", "s2", "c3", "s4", "c5", "f6", "output")] == [
        (6, 28, 28), (6, 14, 14), (16, 10, 10), (16, 5, 5), (120, 1, 1), (84,), (10,)]


def test_lenet5_computes_the_papers_function() -> None:
    model = build("lenet5").eval()
    x = torch.randn(2, 1, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(model(x), lenet_reference(model.state_dict(), x))


class ModernLeNet(nn.Module):
    """The usual PyTorch LeNet: conv-relu-maxpool ×2, conv 120, fc 84, fc 10."""

    def __init__(self) -> None:
        super().__init__()
        self.c1, self.c3, self.c5 = nn.Conv2d(1, 6, 5), nn.Conv2d(6, 16, 5), nn.Conv2d(16, 120, 5)
        self.f6, self.output = nn.Linear(120, 84), nn.Linear(84, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c3(x)), 2)
        x = F.relu(self.f6(F.relu(self.c5(x)).flatten(1)))
        return self.output(x)


def test_lenet5_modern_matches() -> None:
    assert_matches("lenet5_modern", ModernLeNet(), (1, 32, 32), 61_706)


# ---------------------------------------------------------------- AlexNet


def test_alexnet_matches_torchvision() -> None:
    assert_matches_big("alexnet", torchvision.models.alexnet(), (3, 224, 224), 61_100_840)


class CaffeAlexNet(nn.Module):
    """BVLC deploy.prototxt, layer for layer."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 96, 11, stride=4)
        self.conv2 = nn.Conv2d(96, 256, 5, padding=2, groups=2)
        self.conv3 = nn.Conv2d(256, 384, 3, padding=1)
        self.conv4 = nn.Conv2d(384, 384, 3, padding=1, groups=2)
        self.conv5 = nn.Conv2d(384, 256, 3, padding=1, groups=2)
        self.fc6, self.fc7, self.fc8 = (nn.Linear(9216, 4096), nn.Linear(4096, 4096),
                                        nn.Linear(4096, 1000))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        def norm_pool(a: torch.Tensor) -> torch.Tensor:
            a = F.local_response_norm(a, 5, alpha=1e-4, beta=0.75, k=1.0)
            return F.max_pool2d(a, 3, 2, ceil_mode=True)
        x = norm_pool(F.relu(self.conv1(x)))
        x = norm_pool(F.relu(self.conv2(x)))
        x = F.relu(self.conv4(F.relu(self.conv3(x))))
        x = F.max_pool2d(F.relu(self.conv5(x)), 3, 2, ceil_mode=True).flatten(1)
        return self.fc8(F.relu(self.fc7(F.relu(self.fc6(x)))))


def test_alexnet_caffe_matches_the_prototxt() -> None:
    assert_matches_big("alexnet_caffe", CaffeAlexNet(), (3, 227, 227), 60_965_224)
    s = shapes("alexnet_caffe")
    assert [s[n] for n in ("pool1", "pool2", "pool5")] == [(96, 27, 27), (256, 13, 13),
                                                          (256, 6, 6)]


def test_alexnet_caffe_softmax_gives_probabilities() -> None:
    model = build("alexnet_caffe", prob=True, num_classes=7, size=67).eval()
    with torch.no_grad():
        p = model(torch.randn(2, 3, 67, 67))
    torch.testing.assert_close(p.sum(1), torch.ones(2))


# ---------------------------------------------------------------- VGG


def test_vgg11_matches_torchvision() -> None:
    assert_matches_big("vgg11", torchvision.models.vgg11(), (3, 224, 224), 132_863_336)


def test_vgg16_bn_matches_torchvision_at_32px() -> None:
    reference = torchvision.models.vgg16_bn()
    assert_matches_big("vgg16_bn", reference, (3, 32, 32), 138_365_992, size=32)


@pytest.mark.parametrize("name, params", [("vgg16", 138_357_544), ("vgg16_bn", 138_365_992),
                                          ("vgg19", 143_667_240)])
def test_vgg_keys_and_strict_load(name: str, params: int) -> None:
    model = archspec.build(spec(name), device="meta")
    with torch.device("meta"):
        reference = getattr(torchvision.models, name)()
    assert param_count(model) == param_count(reference) == params
    assert_same_state_meta(model, reference)


# ---------------------------------------------------------------- NIN, All-CNN-C


def mlpconv(cin: int, c1: int, c2: int, c3: int, k: int, p: int) -> nn.Sequential:
    return seq(conv=nn.Conv2d(cin, c1, k, padding=p), r0=nn.ReLU(), cccp1=nn.Conv2d(c1, c2, 1),
               r1=nn.ReLU(), cccp2=nn.Conv2d(c2, c3, 1), r2=nn.ReLU())


def test_nin_cifar_matches_the_caffe_model() -> None:
    reference = seq(mlpconv1=mlpconv(3, 192, 160, 96, 5, 2),
                    pool1=nn.MaxPool2d(3, 2, ceil_mode=True), drop1=nn.Dropout(),
                    mlpconv2=mlpconv(96, 192, 192, 192, 5, 2),
                    pool2=nn.AvgPool2d(3, 2, ceil_mode=True), drop2=nn.Dropout(),
                    mlpconv3=mlpconv(192, 192, 192, 10, 3, 1),
                    pool3=nn.AvgPool2d(8), flatten=nn.Flatten())
    assert_matches("nin_cifar", reference, (3, 32, 32), 966_986)
    s = shapes("nin_cifar")
    assert [s[n] for n in ("pool1", "pool2")] == [(96, 16, 16), (192, 8, 8)]


def test_allcnn_c_matches_the_paper() -> None:
    def conv(cin: int, cout: int, k: int = 3, s: int = 1, p: int = 1) -> nn.Conv2d:
        return nn.Conv2d(cin, cout, k, s, p)
    layers: dict[str, nn.Module] = {"drop0": nn.Dropout(0.2)}
    specs = [(3, 96), (96, 96), (96, 96, 3, 2), (96, 192), (192, 192), (192, 192, 3, 2),
             (192, 192, 3, 1, 0), (192, 192, 1, 1, 0), (192, 10, 1, 1, 0)]
    for i, args in enumerate(specs, 1):
        layers[f"conv{i}"], layers[f"relu{i}"] = conv(*args), nn.ReLU()
        if i in (3, 6):
            layers[f"drop{i}"] = nn.Dropout()
    reference = seq(**layers, pool=nn.AdaptiveAvgPool2d(1), flatten=nn.Flatten())
    assert_matches("allcnn_c", reference, (3, 32, 32), 1_369_738)
    s = shapes("allcnn_c")
    assert [s[n] for n in ("conv3", "conv6", "conv7")] == [(96, 16, 16), (192, 8, 8),
                                                          (192, 6, 6)]


# ---------------------------------------------------------------- STN


class TutorialSTN(nn.Module):
    """The PyTorch tutorial's Net (spatial_transformer_tutorial.py), verbatim in structure."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 10, 5), nn.Conv2d(10, 20, 5)
        self.conv2_drop = nn.Dropout2d()
        self.fc1, self.fc2 = nn.Linear(320, 50), nn.Linear(50, 10)
        self.localization = seq(nn.Conv2d(1, 8, 7), nn.MaxPool2d(2, 2), nn.ReLU(True),
                                nn.Conv2d(8, 10, 5), nn.MaxPool2d(2, 2), nn.ReLU(True))
        self.fc_loc = seq(nn.Linear(90, 32), nn.ReLU(True), nn.Linear(32, 6))

    def stn(self, x: torch.Tensor) -> torch.Tensor:
        theta = self.fc_loc(self.localization(x).view(-1, 90)).view(-1, 2, 3)
        grid = F.affine_grid(theta, list(x.size()), align_corners=False)
        return F.grid_sample(x, grid, align_corners=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stn(x)
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))
        x = F.dropout(F.relu(self.fc1(x.view(-1, 320))), training=self.training)
        return F.log_softmax(self.fc2(x), dim=1)


def test_stn_mnist_matches_the_tutorial() -> None:
    reference = TutorialSTN()
    with torch.no_grad():   # a transform far from the identity, so the sampling is exercised
        reference.fc_loc[2].weight.normal_(0, 0.05)
        reference.fc_loc[2].bias.copy_(torch.tensor([0.8, 0.3, 0.1, -0.2, 1.1, -0.1]))
    assert_matches("stn_mnist", reference, (1, 28, 28), 27_360)


@pytest.mark.parametrize("align_corners", [False, True])
def test_stn_starts_as_the_identity(align_corners: bool) -> None:
    model = build("stn_mnist", transformed=True, align_corners=align_corners, seed=3).eval()
    sd = model.state_dict()
    assert not sd["fc_loc.2.weight"].any()
    assert sd["fc_loc.2.bias"].tolist() == [1, 0, 0, 0, 1, 0]
    x = torch.randn(2, 1, 28, 28)
    with torch.no_grad():
        torch.testing.assert_close(model(x), x, atol=1e-5, rtol=0)
        # a shift: the output is no longer x
        getattr(model.fc_loc, "2").bias.copy_(torch.tensor([1.0, 0, 0.5, 0, 1, 0]))
        assert (model(x) - x).abs().max() > 0.5


# ---------------------------------------------------------------- SWWAE


def test_swwae_layout_and_outputs() -> None:
    model = build("swwae")
    assert param_count(model) == 196_747   # enc 320+18,496+73,856, fc 11,530, dec 73,792+...
    assert list(model.state_dict())[::2] == [f"{n}.weight" for n in (
        "enc1", "enc2", "enc3", "fc", "dec3", "dec2", "dec1")]
    assert model.loss_weights == {"logits": 1.0, "reconstruction": 1.0}
    x = torch.randn(2, 1, 28, 28)
    logits, rec = model.train()(x)
    assert logits.shape == (2, 10) and rec.shape == x.shape
    with torch.no_grad():
        assert model.eval()(x).shape == (2, 10)   # the decoder is training-only
    s = shapes("swwae")
    assert [s[f"unpool{i}"] for i in (3, 2, 1)] == [(128, 7, 7), (64, 14, 14), (32, 28, 28)]


def test_swwae_unpools_at_the_maxpool_argmax() -> None:
    """Each decoder stage's unpooled map is torch's max_unpool2d, at the argmax positions of the
    matching max_pool2d(return_indices=True), of what comes down, including the odd 7 -> 3 -> 7
    stage (which needs output_size)."""
    model = build("swwae").train()
    seen: dict[str, torch.Tensor] = {}

    def keep(key: str, value: torch.Tensor) -> None:
        seen[key] = value

    for i in (1, 2, 3):
        getattr(model, f"enc{i}").register_forward_hook(lambda m, a, y, i=i: keep(f"enc{i}", y))
        getattr(model, f"dec{i}").register_forward_hook(lambda m, a, y, i=i: keep(f"dec{i}", y))
        getattr(model, f"dec{i}").register_forward_pre_hook(
            lambda m, a, i=i: keep(f"unpool{i}", a[0]))
    with torch.no_grad():
        model(torch.randn(2, 1, 28, 28))
    for i in (3, 2, 1):
        act = F.relu(seen[f"enc{i}"])
        what, where = F.max_pool2d(act, 2, return_indices=True)
        down = what if i == 3 else F.relu(seen[f"dec{i + 1}"])
        expected = F.max_unpool2d(down, where, 2, output_size=act.shape[-2:])
        assert torch.equal(seen[f"unpool{i}"], expected)
    # the top stage puts the pooled maxima back exactly where they were
    act = F.relu(seen["enc3"])
    hit = seen["unpool3"] != 0
    assert hit.any() and torch.equal(seen["unpool3"][hit], act[hit])
