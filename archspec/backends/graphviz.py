"""graph -> DOT/SVG/PNG/PDF/HTML. The implementation lives in :mod:`archspec.backends.render`;
this module keeps the name the design document gives the graphviz backend."""

from archspec.backends.render import FORMATS, RenderError, render, render_to_file

__all__ = ["FORMATS", "RenderError", "render", "render_to_file"]
