"""archspec/names.py's static lists agree with torch's own classes, names check accepts build
with exactly those module paths, and @frozen / @init mean the same to audit and build."""

from __future__ import annotations

import builtins

import pytest
import torch
import torch.fx.graph as fx_graph
from torch import nn

import archspec
from archspec.backends.torch.module import ArchModule
from archspec.errors import SpecError, SpecNameError, flatten
from archspec.names import (
    CODEGEN_GLOBALS,
    MODULE_ATTRIBUTES,
    NETWORK_ATTRIBUTES,
    RESERVED_ARGUMENTS,
    argument_name_problem,
    module_name_problem,
)


def public_attributes(cls: type, instance: object | None = None) -> set[str]:
    names = set().union(*(vars(c) for c in cls.__mro__ if c is not object))
    names |= set(vars(instance)) if instance is not None else set()
    return {n for n in names if not n.startswith("_")}


def test_module_attributes_are_nn_modules_own():
    assert MODULE_ATTRIBUTES == public_attributes(nn.Module, nn.Module())


def test_network_attributes_are_the_built_class_additions():
    text = "network n {\n  input x: [3]\n  out x -> linear(2)\n}\n"
    built = type(archspec.load(text).build(seed=0))
    assert issubclass(built, ArchModule)
    assert NETWORK_ATTRIBUTES == public_attributes(built) - public_attributes(nn.Module)


def test_reserved_arguments_cover_what_fx_renames():
    assert set(fx_graph._illegal_names) <= RESERVED_ARGUMENTS
    assert set(fx_graph._custom_builtins) <= CODEGEN_GLOBALS
    assert set(dir(builtins)) <= RESERVED_ARGUMENTS and "self" in CODEGEN_GLOBALS


@pytest.mark.parametrize("name,problem", [
    ("training", "is an attribute of torch.nn.Module"),
    ("forward", "is an attribute of torch.nn.Module"),
    ("code", "is an attribute of the built network"),
    ("_modules", "starts with '_' (reserved for torch's own attributes)"),
    ("class", "is a Python keyword"),
    ("ｆｃ", "is read by Python as 'fc' (Unicode NFKC normalisation)"),
    ("a.b", "contains '.'"),
    ("", "is empty"),
    ("0", None), ("match", None), ("torch", None), ("self", None), ("conv1", None),
])
def test_module_name_rule(name, problem):
    assert module_name_problem(name) == problem


@pytest.mark.parametrize("name,kind,problem", [
    ("self", "input", "is a name the generated code uses"),
    ("torch", "input", "is a name the generated code uses"),
    ("input", "input", "is a name the generated code uses"),
    ("sum", "output", None),
    ("x-1", "output", "is not a Python identifier"),
    ("_x", "output", "starts with '_' (reserved for torch's own attributes)"),
    ("x", "input", None),
])
def test_argument_name_rule(name, kind, problem):
    assert argument_name_problem(name, kind) == problem


def test_every_nn_module_attribute_label_is_rejected_by_check():
    """Each name torch would refuse (or silently shadow) as a submodule is refused by check."""
    for name in sorted(MODULE_ATTRIBUTES | NETWORK_ATTRIBUTES):
        text = f"network n {{\n  input x: [3, 8, 8]\n  out x -> {name}: conv(4, 3)\n}}\n"
        with pytest.raises(SpecError) as info:
            archspec.load(text)
        [error] = flatten(info.value)
        assert isinstance(error, SpecNameError), name
        assert (error.span.line, error.span.col) == (3, 12), name


@pytest.mark.parametrize("label", ["match", "case", "type_", "torch", "self", "F", "nn", "λ",
                                   "conv_1", "layer1"])
def test_accepted_labels_build_with_those_paths(label):
    text = (f"network n {{\n  input x: [3, 8, 8]\n  y = x -> {label}: conv(4, 3)\n"
            f"  out y -> relu -> head: conv(2, 1)\n}}\n")
    model = archspec.load(text).build(seed=0)
    assert sorted(model.state_dict()) == sorted([f"{label}.weight", f"{label}.bias",
                                                 "head.weight", "head.bias"])
    assert model(torch.rand(2, 3, 8, 8)).shape == (2, 2, 6, 6)


FROZEN = """
block b(c: int) {
  out in -> conv(c, 3, padding=1) -> bn -> relu
}
network n {
  input x: [3, 8, 8]
  y = x -> stem: b(4) @frozen
  z = y -> [conv(4, 1), bn] @frozen
  w = z -> b(4) @frozen
  out w -> gap -> flatten -> linear(2)
}
"""


def test_frozen_block_and_group_agree_between_audit_and_build():
    net = archspec.load(FROZEN)
    report = net.audit()
    model = net.build(seed=0)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    assert (report.trainable_params, report.non_trainable_params) == (trainable, frozen)
    assert trainable == 4 * 2 + 2 and frozen == report.params - trainable > 0
    assert {n for n, p in model.named_parameters() if p.requires_grad} == {"linear.weight",
                                                                           "linear.bias"}
