"""The state of a Caffe import: one parsed layer, the network being built, and the inputs it
declares (shared by ``caffe.py``, which reads the file, and ``caffe_layers.py``, which converts
each layer)."""

from __future__ import annotations

from dataclasses import dataclass, field

from archspec.errors import SpecImportError
from archspec.importers.flat import FlatNet, Layer, identifier
from archspec.importers.prototxt import Message
from archspec.source import Span


@dataclass
class CaffeLayer:
    name: str
    type: str
    bottoms: list[str]
    tops: list[str]
    msg: Message
    span: Span          # the `type` field: where an unsupported layer is pointed at

    def param(self, name: str) -> Message:
        return self.msg.sub(name)


@dataclass
class CaffeImport:
    """The state of one import: Caffe blob name -> the tensor that holds it now."""

    net: FlatNet
    blobs: dict[str, str] = field(default_factory=dict)
    vectors: set[str] = field(default_factory=set)      # tensors of rank 1
    producers: dict[str, Layer] = field(default_factory=dict)
    consumed: set[str] = field(default_factory=set)
    families: dict[str, str] = field(default_factory=dict)  # name prefix -> its family
    paths: dict[str, str] = field(default_factory=dict)     # module path -> Caffe layer

    def source(self, layer: CaffeLayer, index: int = 0) -> str:
        blob = layer.bottoms[index]
        if blob not in self.blobs:
            raise SpecImportError(f"layer '{layer.name}' reads blob '{blob}', which no "
                                  "earlier layer or input produces", layer.msg.span,
                                  hint="Caffe layers must come after the layers they read")
        return self.blobs[blob]

    def sources(self, layer: CaffeLayer) -> list[str]:
        return [self.source(layer, i) for i in range(len(layer.bottoms))]

    def add(self, layer: CaffeLayer, op: str, args: tuple = (), kwargs: dict | None = None,
            inputs: list[str] | None = None, vector: bool | None = None,
            labeled: bool = True) -> Layer:
        """Append ``op`` for ``layer``: labelled with the layer's name unless ``labeled`` is
        false (a helper op such as the flatten before an InnerProduct)."""
        inputs = self.sources(layer)[:1] if inputs is None else inputs
        out = layer.name if labeled else f"{layer.name}#{op}"
        owners, path = self.place(layer.name)
        if labeled and self.paths.setdefault(path, layer.name) != layer.name:
            raise SpecImportError(f"layers '{self.paths[path]}' and '{layer.name}' both "
                                  f"become module '{path}'", layer.msg.span,
                                  hint="rename one of them")
        if labeled:
            self.net.origins[path] = [layer.name]   # whose .caffemodel blobs it holds
        flat = Layer(out, op, args, kwargs or {}, inputs, path if labeled else "", layer.span,
                     owners, hint=layer.tops[0] if layer.tops else "")
        self.net.layers.append(flat)
        self.producers[out] = flat
        self.consumed.update(inputs)
        if vector if vector is not None else inputs[0] in self.vectors:
            self.vectors.add(out)
        self.alias(layer, out)
        return flat

    def place(self, name: str) -> tuple[tuple[tuple[str, str], ...], str]:
        """``fire2/squeeze1x1`` is module ``squeeze1x1`` of a ``fire`` instance ``fire2``
        when several prefixes (fire2, fire3, ...) share the family; otherwise one label."""
        prefix, sep, rest = name.partition("/")
        family = self.families.get(prefix)
        if not sep or family is None:
            return (), identifier(name)
        scope = identifier(prefix)
        return ((scope, family),), f"{scope}.{identifier(rest.replace('/', '_'))}"

    def alias(self, layer: CaffeLayer, tensor: str) -> None:
        for top in layer.tops:
            self.blobs[top] = tensor


def add_input(state: CaffeImport, blob: str, shape: list[int], span: Span) -> None:
    if len(shape) not in (2, 4) or any(d <= 0 for d in shape):
        raise SpecImportError(f"input '{blob}' has shape {shape}; expected N×C×H×W or N×F "
                              "with positive sizes", span)
    state.net.inputs.append((blob, tuple(shape[1:])))
    state.blobs[blob] = blob
    if len(shape) == 2:
        state.vectors.add(blob)
