"""Caffe ``.caffemodel`` -> the imported spec's state_dict (``archspec import --caffemodel``).

A .caffemodel is a binary ``caffe.NetParameter`` protobuf. Its schema is not vendored: the few
messages and fields that hold the blobs are declared here with ``descriptor_pb2``, with the
field numbers of BVLC/caffe ``src/caffe/proto/caffe.proto`` (read, not copied); protobuf skips
every other field (the layer parameters, which the prototxt already gave):

- ``NetParameter``: name 1, layers 2 (``V1LayerParameter``, legacy), layer 100
- ``LayerParameter``: name 1, type 2, blobs 7
- ``V1LayerParameter``: name 4, type 5 (the ``LayerType`` enum, read as its int32), blobs 6
- ``BlobProto``: num 1, channels 2, height 3, width 4 (the legacy 4-D shape), data 5 (packed
  float), shape 7, double_data 8 (packed double)
- ``BlobShape``: dim 1 (packed int64)

Blobs map to the spec's keys by layer name: Convolution and InnerProduct ``weight``, ``bias``;
BatchNorm ``running_mean``/``running_var`` (Caffe stores them multiplied by the scale factor
of its third blob, which is divided out); the Scale layer after it ``weight``/``bias``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from archspec.errors import SpecImportError
from archspec.importers.flat import FlatNet, Layer
from archspec.source import SourceFile, Span

MAX_CAFFEMODEL_BYTES = 2 * 2**30

# message -> (field, number, type, repeated, message type); types as descriptor_pb2 names
SCHEMA: dict[str, list[tuple[str, int, str, bool, str]]] = {
    "BlobShape": [("dim", 1, "INT64", True, "")],
    "BlobProto": [("num", 1, "INT32", False, ""), ("channels", 2, "INT32", False, ""),
                  ("height", 3, "INT32", False, ""), ("width", 4, "INT32", False, ""),
                  ("data", 5, "FLOAT", True, ""), ("shape", 7, "MESSAGE", False, "BlobShape"),
                  ("double_data", 8, "DOUBLE", True, "")],
    "LayerParameter": [("name", 1, "STRING", False, ""), ("type", 2, "STRING", False, ""),
                       ("blobs", 7, "MESSAGE", True, "BlobProto")],
    "V1LayerParameter": [("name", 4, "STRING", False, ""), ("type", 5, "INT32", False, ""),
                         ("blobs", 6, "MESSAGE", True, "BlobProto")],
    "NetParameter": [("name", 1, "STRING", False, ""),
                     ("layers", 2, "MESSAGE", True, "V1LayerParameter"),
                     ("layer", 100, "MESSAGE", True, "LayerParameter")],
}


@lru_cache(maxsize=1)
def caffe_messages() -> dict[str, Any]:
    """The message classes of SCHEMA (package ``caffe``, proto2), by name."""
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
    F = descriptor_pb2.FieldDescriptorProto
    proto = descriptor_pb2.FileDescriptorProto(name="archspec_caffe_subset.proto",
                                               package="caffe", syntax="proto2")
    for message, fields in SCHEMA.items():
        m = proto.message_type.add(name=message)
        for name, number, kind, repeated, type_name in fields:
            f = m.field.add(name=name, number=number, type=getattr(F, f"TYPE_{kind}"),
                            label=F.LABEL_REPEATED if repeated else F.LABEL_OPTIONAL)
            if type_name:
                f.type_name = f".caffe.{type_name}"
            elif repeated:
                f.options.packed = True   # as Caffe writes them; parsing accepts both
    pool = descriptor_pool.DescriptorPool()
    pool.Add(proto)
    return {name: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"caffe.{name}"))
            for name in SCHEMA}


def file_span(path: str | Path) -> Span:
    return Span(SourceFile(str(path), ""), 1, 1)


def read_caffemodel(path: str | Path) -> dict[str, list[Any]]:
    """Layer name -> its blobs as float32 numpy arrays in Caffe's shapes."""
    try:
        from google.protobuf.message import DecodeError
    except ImportError:
        raise SpecImportError("reading a .caffemodel needs the protobuf package",
                              file_span(path), hint="pip install protobuf") from None
    try:
        with Path(path).open("rb") as f:
            data = f.read(MAX_CAFFEMODEL_BYTES + 1)
    except OSError as e:
        raise SpecImportError(f"cannot read {path}: {e.strerror}", file_span(path)) from None
    if len(data) > MAX_CAFFEMODEL_BYTES:
        raise SpecImportError("the .caffemodel is larger than 2 GiB", file_span(path))
    net = caffe_messages()["NetParameter"]()
    try:
        net.ParseFromString(data)
    except DecodeError as e:
        raise SpecImportError(f"not a Caffe binary model (.caffemodel): {e}", file_span(path),
                              hint="give the binary weights file Caffe saved") from None
    blobs: dict[str, list[Any]] = {}
    for layer in [*net.layer, *net.layers]:
        if layer.blobs and layer.name not in blobs:
            blobs[layer.name] = [blob_array(b, layer.name, path) for b in layer.blobs]
    return blobs


def blob_array(blob: Any, layer: str, path: str | Path) -> Any:
    import numpy as np
    values = blob.data if len(blob.data) else blob.double_data
    shape = list(blob.shape.dim) if blob.HasField("shape") else [
        d for d in (blob.num, blob.channels, blob.height, blob.width)]
    array = np.asarray(values, dtype=np.float32)
    if int(np.prod(shape)) != array.size:
        raise SpecImportError(f"layer '{layer}': a blob of shape {shape} holds {array.size} "
                              "values", file_span(path))
    return array.reshape(shape)


def caffe_state(net: FlatNet, blobs: dict[str, list[Any]], expected: dict[str, Any],
                path: str | Path) -> dict[str, Any]:
    """The state_dict of the spec imported as ``net``: every key of ``expected`` (the built
    spec's state_dict, for its shapes), filled from ``blobs``."""
    import torch
    state: dict[str, Any] = {}
    missing: list[str] = []
    for layer in net.layers:
        origins = net.origins.get(layer.path, [])
        if not layer.path or not origins or not any(k.startswith(f"{layer.path}.")
                                                   for k in expected):
            continue
        if origins[0] not in blobs:
            missing.append(origins[0])
            continue
        for key, array in layer_blobs(layer, [blobs.get(o, []) for o in origins]).items():
            state[f"{layer.path}.{key}"] = torch.from_numpy(array.copy())
    if missing:
        raise SpecImportError(f"the .caffemodel has no blobs for layers: {', '.join(missing)}",
                              file_span(path), hint="is it the model of this prototxt?")
    check_shapes(net, state, expected, path)
    return state


def layer_blobs(layer: Layer, blobs: list[list[Any]]) -> dict[str, Any]:
    """Spec key suffix -> array for one layer (its own blobs, then its Scale's)."""
    import numpy as np
    own = blobs[0]
    if layer.op == "bn":
        factor = float(own[2].reshape(-1)[0]) if len(own) > 2 else 1.0
        scale = 0.0 if factor == 0 else 1.0 / factor
        weights = {"running_mean": own[0].reshape(-1) * scale,
                   "running_var": own[1].reshape(-1) * scale,
                   "num_batches_tracked": np.array(0, dtype=np.int64)}
        if len(blobs) > 1 and len(blobs[1]) >= 2:
            weights.update(weight=blobs[1][0].reshape(-1), bias=blobs[1][1].reshape(-1))
        return weights
    weights = {"weight": own[0]}
    if layer.op == "linear":
        weights["weight"] = own[0].reshape(-1, own[0].shape[-1])
    if len(own) > 1:
        weights["bias"] = own[1].reshape(-1)
    return weights


def check_shapes(net: FlatNet, state: dict[str, Any], expected: dict[str, Any],
                 path: str | Path) -> None:
    """Every expected key present with its shape; a blob that differs is named, located at
    its prototxt layer."""
    spans = {layer.path: layer.span for layer in net.layers}
    for key, tensor in expected.items():
        got = state.get(key)
        owner = key.rsplit(".", 1)[0]
        if got is None:
            raise SpecImportError(f"the .caffemodel gives no '{key}'", spans.get(owner,
                                  file_span(path)), hint="is it the model of this prototxt?")
        if tuple(got.shape) != tuple(tensor.shape):
            layer = net.origins.get(owner, [owner])[0]
            if got.numel() != tensor.numel():
                raise SpecImportError(
                    f"layer '{layer}': the .caffemodel's blob for '{key}' has shape "
                    f"{list(got.shape)}, the spec expects {list(tensor.shape)}",
                    spans.get(owner, file_span(path)), hint="is it the model of this "
                    "prototxt?")
            state[key] = got.reshape(tensor.shape)   # legacy 4-D blobs of vectors


def built_state(text: str) -> dict[str, Any]:
    """The state_dict of the spec ``text`` built on the meta device: the keys and shapes
    that the weights must fill."""
    from archspec.backends.torch import build_module
    from archspec.elaborate import Loader, elaborate
    from archspec.reading import read_source
    loader = Loader(None, reader=read_source)
    graph = elaborate(loader, loader.load_source(SourceFile("<imported>", text), None))
    return build_module(graph, device="meta").state_dict()


def write_caffemodel(path: str | Path, name: str,
                     layers: list[tuple[str, str, list[Any]]]) -> None:
    """Write ``(layer name, type, blobs)`` as a .caffemodel (``layer`` syntax, ``shape``
    field), the layout Caffe saves; for tests and for converting weights to Caffe."""
    import numpy as np
    messages = caffe_messages()
    net = messages["NetParameter"](name=name)
    for layer_name, kind, arrays in layers:
        layer = net.layer.add(name=layer_name, type=kind)
        for array in arrays:
            blob = layer.blobs.add()
            blob.shape.dim.extend(int(d) for d in np.shape(array))
            blob.data.extend(np.asarray(array, dtype=np.float32).reshape(-1).tolist())
    Path(path).write_bytes(net.SerializeToString())
