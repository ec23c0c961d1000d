"""The bundled networks as a model registry, in timm's style.

``list_models("resnet*")`` names them, ``model_info`` says what each reproduces, and
``create_model("resnet50", num_classes=10, weights=...)`` builds one. The specs are the
``.arch`` files in the repository's ``specs/`` folder (shipped in the package as
``archspec/specs``); each names its reference in its first comment line, e.g.
``# ResNet-50 (torchvision resnet50): 25,557,032 parameters.``
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ZOO_DIR = Path(__file__).resolve().parent / "specs"
_REFERENCE = re.compile(r"\((torchvision|timm) ([A-Za-z0-9_]+)")


@dataclass(frozen=True)
class ModelInfo:
    """One bundled network: its name, spec file, reference implementation and summary line."""

    name: str
    path: Path
    reference: str | None   # "torchvision resnet50", "timm seresnet50", or None
    summary: str            # the spec's first comment line, without the '#'


def list_models(pattern: str = "*") -> list[str]:
    """Names of the bundled networks matching the shell-style ``pattern``, sorted."""
    return sorted(p.stem for p in ZOO_DIR.glob("*.arch") if fnmatch.fnmatchcase(p.stem, pattern))


def model_info(name: str) -> ModelInfo:
    """What the bundled network ``name`` is; KeyError with close names when unknown."""
    path = ZOO_DIR / f"{name}.arch"
    if "/" in name or not path.is_file():
        from archspec.errors import did_you_mean
        hint = did_you_mean(name, list_models()) or "archspec.list_models() lists them"
        raise KeyError(f"no bundled network named {name!r}; {hint}")
    first = path.read_text(encoding="utf-8").split("\n", 1)[0].lstrip("#").strip()
    match = _REFERENCE.search(first)
    return ModelInfo(name, path, f"{match[1]} {match[2]}" if match else None, first)


def create_model(name: str, *, weights: Any = None, partial: bool = False,
                 **options: Any) -> Any:
    """Build the bundled network ``name`` (``num_classes=10``, ``device=...``, ``seed=...``
    and any other option of :func:`archspec.build`), loading ``weights`` when given."""
    from archspec.api import build
    return build(model_info(name).path, weights=weights, partial=partial, **options)
