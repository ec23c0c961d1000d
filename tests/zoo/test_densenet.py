"""DenseNet-BC family against torchvision; memory-efficient (checkpointed) dense layers."""

from __future__ import annotations

import pytest
import torch
import torchvision

import archspec
from tests.zoo.fidelity import assert_matches, assert_same_state, build, param_count, spec

VARIANTS = [
    ("densenet161", 28_681_000),
    ("densenet169", 14_149_480),
    ("densenet201", 20_013_928),
]


def test_densenet121_matches_torchvision() -> None:
    reference = torchvision.models.densenet121()
    model = assert_matches("densenet121", reference, (3, 224, 224), 7_978_856)
    keys = model.state_dict()
    assert "features.denseblock1.denselayer1.norm1.weight" in keys
    assert keys["features.denseblock4.denselayer16.conv2.weight"].shape == (32, 128, 3, 3)
    assert keys["features.transition1.conv.weight"].shape == (128, 256, 1, 1)
    assert keys["features.norm5.weight"].shape == (1024,)
    assert keys["classifier.weight"].shape == (1000, 1024)


@pytest.mark.parametrize("name, params", VARIANTS)
def test_densenet_variants_load_torchvision_weights(name: str, params: int) -> None:
    model, reference = build(name), getattr(torchvision.models, name)()
    assert param_count(model) == param_count(reference) == params
    assert_same_state(model, reference)


@pytest.mark.parametrize("name, params", [("densenet121", 7_978_856), *VARIANTS])
def test_densenet_audit_counts(name: str, params: int) -> None:
    assert archspec.load(spec(name)).audit().params == params


def test_dense_block_grows_by_k_per_layer_and_transition_halves() -> None:
    net = archspec.load(spec("densenet121"))
    shapes = {n: d["data"].shape for n, d in net.graph.nodes.items()}
    assert shapes["features.denseblock1.denselayer6.conv2"] == (32, 56, 56)
    assert shapes["features.transition1.conv"] == (128, 56, 56)      # (64 + 6·32) / 2
    assert shapes["features.transition1.pool"] == (128, 28, 28)
    assert shapes["features.transition3.conv"] == (512, 14, 14)      # (256 + 24·32) / 2
    assert shapes["features.norm5"] == (1024, 7, 7)                  # 512 + 16·32


def test_memory_efficient_checkpoints_each_layer_with_equal_gradients() -> None:
    small = {"block_config": [2, 3], "growth_rate": 8, "num_init_features": 16, "size": 32,
             "seed": 3}
    grads = []
    for efficient in (False, True):
        model = build("densenet121", memory_efficient=efficient, **small)
        model.train()
        torch.manual_seed(0)
        out = model(torch.randn(2, 3, 32, 32))
        out = out.out if hasattr(out, "out") else out
        out.square().sum().backward()
        grads.append({k: p.grad.clone() for k, p in model.named_parameters()})
        assert model.code.count("torch.utils.checkpoint.checkpoint(") == (5 if efficient else 0)
    assert grads[0].keys() == grads[1].keys()
    for key in grads[0]:
        torch.testing.assert_close(grads[1][key], grads[0][key], atol=1e-6, rtol=1e-5)
