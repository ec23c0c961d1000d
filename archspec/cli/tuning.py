"""Fine-tuning options shared by ``build`` and ``check``: ``--weights``, ``--partial``,
``--features``, ``--freeze`` (docs/build.md), validated before any work."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from archspec.cli.options import bad

WeightsOpt = Annotated[Optional[Path], typer.Option(
    "--weights", help="Load this state dict (torch.save file); a changed head is re-initialised.")]
PartialOpt = Annotated[bool, typer.Option(
    "--partial", help="With --weights: load what fits, report the rest.")]
FeaturesOpt = Annotated[Optional[str], typer.Option(
    "--features", help="Feature maps to return: stage names or indices, e.g. layer2,layer3 "
                       "or 1,2,3; 'all' for every default one.")]
FreezeOpt = Annotated[Optional[str], typer.Option(
    "--freeze", help="Freeze layers by module path pattern, e.g. conv1,bn1,layer1.*")]


class Tuning:
    """The fine-tuning options of one command, parsed."""

    def __init__(self, weights: Path | None = None, partial: bool = False,
                 features: str | None = None, freeze: str | None = None):
        if weights is not None:
            check_weights_file(weights)
        if partial and weights is None:
            raise bad("--partial", "needs --weights")
        self.weights, self.partial = weights, partial
        self.features = parse_features(features)
        self.freeze = names_list("--freeze", freeze) if freeze is not None else []

    @property
    def active(self) -> bool:
        return bool(self.weights or self.features is not None or self.freeze)

    def options(self) -> dict[str, Any]:
        every = self.features == "all"
        return {"weights": self.weights, "partial": self.partial, "freeze": self.freeze,
                "features": None if every else self.features, "all_features": every}


def check_weights_file(path: Path) -> None:
    try:
        mode = os.stat(path).st_mode
    except OSError as e:
        raise bad("--weights", f"cannot read '{path}': {e.strerror}") from None
    if not stat.S_ISREG(mode):
        raise bad("--weights", f"'{path}' is not a regular file")


def names_list(option: str, text: str) -> list[str]:
    items = [s.strip() for s in text.split(",")]
    if not all(items):
        raise bad(option, f"expected a comma-separated list of names, got {text!r}")
    return items


def parse_features(text: str | None) -> Any:
    """None, ``"all"``, or a list of stage names and integer indices."""
    if text is None or text.strip() == "all":
        return None if text is None else "all"
    return [int(s) if s.lstrip("-").isdigit() else s for s in names_list("--features", text)]


def run_tuned(net: Any, tuning: Tuning, **build_options: Any) -> Any:
    """``build_finetuned`` with its mistakes reported as usage errors (exit 2)."""
    from archspec.backends.torch.weights import WeightsError
    from archspec.finetune import FeatureError, build_finetuned
    try:
        return build_finetuned(net, **tuning.options(), **build_options)
    except WeightsError as e:
        raise bad("--weights", str(e)) from None
    except FeatureError as e:
        option = "--freeze" if str(e).startswith("freeze") else "--features"
        raise bad(option, str(e)) from None
