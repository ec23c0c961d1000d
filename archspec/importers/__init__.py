"""Importers: foreign models (Caffe prototxt, PyTorch modules) -> readable .arch specs.

``import_model`` is the one entry point; see docs/import.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from archspec.gc_pause import gc_paused

__all__ = ["import_model"]


def import_model(source: Any, input_shape: tuple[int, ...] | None = None,
                 name: str | None = None, **kwargs: Any) -> str:
    """The .arch text of ``source``: a ``.prototxt`` path, a ``package.module:callable``
    string (called with ``kwargs``) or an ``nn.Module``. ``input_shape`` is C×H×W without the
    batch dimension (required for PyTorch sources). Raises SpecError, located where possible."""
    return import_source(source, input_shape, name, **kwargs)[0]


def import_source(source: Any, input_shape: tuple[int, ...] | None = None,
                  name: str | None = None, caffemodel: str | Path | None = None,
                  **kwargs: Any) -> tuple[str, Any]:
    """The spec text and the source's weights under the spec's keys (a state_dict; for a
    prototxt, read from ``caffemodel``, else None), for ``--weights``."""
    from archspec.importers.recover import to_text
    with gc_paused():  # an import keeps millions of objects alive: collections made it superlinear
        flat = to_flat(source, input_shape, name, **kwargs)
        if caffemodel is not None:
            return caffe_text_and_state(flat, caffemodel)
        text = to_text(flat)
    if flat.model is not None:
        return text, flat.model.state_dict()
    if flat.weights:
        import torch
        return text, {k: torch.from_numpy(v.copy()) for k, v in flat.weights.items()}
    return text, None


def caffe_text_and_state(flat: Any, caffemodel: str | Path) -> tuple[str, Any]:
    from archspec.importers.caffe_weights import built_state, caffe_state, read_caffemodel
    from archspec.importers.recover import to_text
    text = to_text(flat)
    blobs = read_caffemodel(caffemodel)
    return text, caffe_state(flat, blobs, built_state(text), caffemodel)


def to_flat(source: Any, input_shape: tuple[int, ...] | None, name: str | None,
            **kwargs: Any) -> Any:
    if isinstance(source, (str, Path)) and str(source).endswith(".prototxt"):
        from archspec.importers.caffe import import_caffe
        return import_caffe(source, input_shape, name)
    if isinstance(source, (str, Path)) and str(source).endswith(".onnx"):
        from archspec.importers.onnx import import_onnx
        return import_onnx(source, input_shape, name)
    from archspec.importers.torch_fx import import_torch
    return import_torch(source, input_shape, name, **kwargs)
