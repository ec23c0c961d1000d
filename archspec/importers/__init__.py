"""Importers: foreign models (Caffe prototxt, PyTorch modules) -> readable .arch specs.

``import_model`` is the one entry point; see docs/import.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from archspec.errors import SpecImportError
from archspec.source import UNKNOWN

__all__ = ["import_model"]


def import_model(source: Any, input_shape: tuple[int, ...] | None = None,
                 name: str | None = None, **kwargs: Any) -> str:
    """The .arch text of ``source``: a ``.prototxt`` path, a ``package.module:callable``
    string (called with ``kwargs``) or an ``nn.Module``. ``input_shape`` is C×H×W without the
    batch dimension (required for PyTorch sources). Raises SpecError, located where possible."""
    return import_source(source, input_shape, name, **kwargs)[0]


def import_source(source: Any, input_shape: tuple[int, ...] | None = None,
                  name: str | None = None, **kwargs: Any) -> tuple[str, Any]:
    """The spec text and the source nn.Module (None for a prototxt), for ``--weights``."""
    from archspec.importers.recover import to_text
    flat = to_flat(source, input_shape, name, **kwargs)
    return to_text(flat), flat.model


def to_flat(source: Any, input_shape: tuple[int, ...] | None, name: str | None,
            **kwargs: Any) -> Any:
    if isinstance(source, (str, Path)) and str(source).endswith(".prototxt"):
        from archspec.importers.caffe import import_caffe
        return import_caffe(source, input_shape, name)
    if isinstance(source, (str, Path)) and str(source).endswith(".onnx"):
        raise SpecImportError("ONNX import is not implemented yet", UNKNOWN,
                              hint="export the model from PyTorch and import the module")
    from archspec.importers.torch_fx import import_torch
    return import_torch(source, input_shape, name, **kwargs)
