"""CLI commands for editors: ``lsp`` (the language server) and ``schema`` (JSON Schemas)."""

from __future__ import annotations

import typer

from archspec.cli.output import Exit, err


def lsp() -> None:
    """Run the language server over stdio (for editors; see docs/editors.md)."""
    try:
        from archspec.lsp.server import main
    except ImportError as e:
        err.print(f"error: the language server needs the 'lsp' extra ({e.name} is missing): "
                  "pip install 'archspec[lsp]'")
        raise Exit(2) from None
    main()


def schema(kind: str = typer.Argument(..., help="yaml (the YAML spec form) or audit "
                                               "(audit --json)")) -> None:
    """Print a JSON Schema: of YAML specs (for yaml-language-server) or of audit --json."""
    from archspec.schema import KINDS, schema_text
    if kind not in KINDS:
        raise typer.BadParameter(f"expected one of: {', '.join(KINDS)}; got {kind!r}",
                                 param_hint="KIND")
    print(schema_text(kind), end="")
