"""CLI commands for editors: ``lsp`` (the language server) and ``schema`` (JSON Schemas)."""

from __future__ import annotations

from archspec.cli import Exit, app, err


@app.command()
def lsp() -> None:
    """Run the language server over stdio (for editors; see docs/editors.md)."""
    try:
        from archspec.lsp.server import main
    except ImportError as e:
        err.print(f"error: the language server needs the 'lsp' extra ({e.name} is missing): "
                  "pip install 'archspec[lsp]'")
        raise Exit(2) from None
    main()

