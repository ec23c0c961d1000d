"""The ``archspec`` command line, one module per command; ``main`` is the entry point."""

from archspec.cli.app import main, make_app

__all__ = ["main", "make_app"]
