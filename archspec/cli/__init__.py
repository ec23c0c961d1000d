"""The ``archspec`` command line, one module per command; ``main`` is the entry point."""

from archspec.cli.app import app, main

__all__ = ["app", "main"]
