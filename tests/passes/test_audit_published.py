"""audit's MACs meet the figures torchvision publishes with its weights (``meta['_ops']``,
GMACs at the weights' input size), within 1%. Reading the metadata downloads nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
import torchvision.models as M

import archspec

SPECS = Path(__file__).resolve().parents[2] / "specs"
WEIGHTS = {
    "alexnet": "AlexNet_Weights", "vgg11": "VGG11_Weights", "vgg16": "VGG16_Weights",
    "vgg16_bn": "VGG16_BN_Weights", "vgg19": "VGG19_Weights", "googlenet": "GoogLeNet_Weights",
    "inception_v3": "Inception_V3_Weights", "resnet18": "ResNet18_Weights",
    "resnet34": "ResNet34_Weights", "resnet50": "ResNet50_Weights",
    "resnet101": "ResNet101_Weights", "resnet152": "ResNet152_Weights",
    "resnext50_32x4d": "ResNeXt50_32X4D_Weights", "wide_resnet50_2": "Wide_ResNet50_2_Weights",
    "densenet121": "DenseNet121_Weights", "densenet161": "DenseNet161_Weights",
    "densenet169": "DenseNet169_Weights", "densenet201": "DenseNet201_Weights",
    "mobilenet_v2": "MobileNet_V2_Weights", "shufflenet_v2_x1_0": "ShuffleNet_V2_X1_0_Weights",
}


@pytest.mark.parametrize("name", sorted(WEIGHTS))
def test_macs_meet_torchvision_published_figures(name: str) -> None:
    meta = getattr(M, WEIGHTS[name]).IMAGENET1K_V1.meta
    report = archspec.load(SPECS / f"{name}.arch").audit()
    # torchvision counts inception_v3's aux head in num_params, not googlenet's
    assert meta["num_params"] in (report.params, report.training.params)
    assert report.macs == pytest.approx(meta["_ops"] * 1e9, rel=0.01)
