"""Shared checks for zoo specs against their reference implementations (torchvision, timm)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

import archspec

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "specs"


def spec(name: str) -> Path:
    return SPECS / f"{name}.arch"


def build(name: str, seed: int = 0, **params: Any) -> torch.nn.Module:
    return archspec.build(spec(name), seed=seed, **params)


def param_count(model: torch.nn.Module, trainable_only: bool = False) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def assert_same_state(model: torch.nn.Module, reference: torch.nn.Module) -> None:
    """Identical state_dict keys and shapes, then a strict load of the reference's weights."""
    ours = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    theirs = {k: tuple(v.shape) for k, v in reference.state_dict().items()}
    missing, extra = sorted(theirs.keys() - ours.keys()), sorted(ours.keys() - theirs.keys())
    assert not missing and not extra, f"missing {missing[:5]} extra {extra[:5]}"
    wrong = [k for k in ours if ours[k] != theirs[k]]
    assert not wrong, f"shape mismatch: {[(k, ours[k], theirs[k]) for k in wrong[:5]]}"
    model.load_state_dict(reference.state_dict(), strict=True)


def assert_same_outputs(model: torch.nn.Module, reference: torch.nn.Module,
                        shape: tuple[int, ...], batch: int = 2, atol: float = 1e-5,
                        seed: int = 0) -> None:
    """Eval-mode outputs equal within ``atol`` (after assert_same_state loaded the weights)."""
    torch.manual_seed(seed)
    x = torch.randn(batch, *shape)
    model.eval()
    reference.eval()
    with torch.no_grad():
        ours, theirs = model(x), reference(x)
    torch.testing.assert_close(ours, theirs, atol=atol, rtol=1e-5)


def assert_matches(name: str, reference: torch.nn.Module, shape: tuple[int, ...],
                   params: int, **spec_params: Any) -> torch.nn.Module:
    """The whole fidelity contract: parameter count, keys, strict load, outputs."""
    model = build(name, **spec_params)
    assert param_count(model) == params
    assert param_count(reference) == params
    assert_same_state(model, reference)
    assert_same_outputs(model, reference, shape)
    return model
