"""``archspec models``: the bundled networks with their size and the reference they match."""

from __future__ import annotations

from typing import Annotated

import typer

from archspec.cli.options import bad


def models(pattern: Annotated[str, typer.Argument(
        help="Shell-style pattern over the names, e.g. 'resnet*'.")] = "*") -> None:
    """List the bundled networks: parameters, MACs and the reference each reproduces."""
    from archspec.api import load
    from archspec.units import fmt_count
    from archspec.zoo import list_models, model_info
    names = list_models(pattern)
    if not names:
        raise bad("PATTERN", f"no bundled network matches {pattern!r}; `archspec models` "
                             "lists them all")
    width = max(len(n) for n in names)
    print(f"{'network':<{width}}  {'params':>8}  {'MACs':>8}  reference")
    for name in names:
        info = model_info(name)
        audit = load(info.path).audit()
        print(f"{name:<{width}}  {fmt_count(audit.params):>8}  {fmt_count(audit.macs):>8}  "
              f"{info.reference or '-'}")
