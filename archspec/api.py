"""The public Python API: ``load``, ``check``, ``build``, and the ``Network`` they return."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archspec.elaborate import Loader, elaborate
from archspec.elaborate.network import FIRST_INPUT
from archspec.errors import SpecError
from archspec.ir.graph import OpGraph, OutputInfo, Shape, node, to_networkx
from archspec.limits import Limits, current, using
from archspec.source import SourceFile

if TYPE_CHECKING:
    import networkx as nx

SpecInput = str | Path | SourceFile


@dataclass
class Network:
    """A compiled, shape-checked network. ``ir`` is the graph the compiler made and the audit
    reads; ``graph`` is the same graph as a ``networkx.DiGraph``, built when first asked for."""

    ir: OpGraph
    source: SourceFile
    warnings: list[SpecError] = field(default_factory=list)
    _nx: nx.DiGraph | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def graph(self) -> nx.DiGraph:
        """A ``networkx.DiGraph`` of ``ir``: the same nodes, edges and node attribute dicts
        (the same OpNode objects); its ``.graph`` dict mirrors ``ir.meta`` (GraphMeta.as_dict);
        made once, on first access."""
        if self._nx is None:
            self._nx = to_networkx(self.ir)
        return self._nx

    @property
    def name(self) -> str:
        return self.ir.meta.name

    @property
    def outputs(self) -> dict[str, Shape]:
        """Output name -> shape (without the batch dimension), main outputs first."""
        infos: dict[str, OutputInfo] = self.ir.meta.outputs
        return {name: node(self.ir, o.node.node).port_shape(o.node.port)
                for name, o in infos.items()}

    @property
    def inputs(self) -> dict[str, Shape]:
        return {n: node(self.ir, n).shape for n in self.ir.meta.inputs}

    def audit(self, **options: Any) -> Any:
        """Parameters, MACs/FLOPs, memory and receptive field (see docs/audit.md)."""
        from archspec.passes.audit import audit
        return audit(self.ir, **options)

    def render(self, **options: Any) -> Any:
        """A ``graphviz.Digraph`` of the network (see docs/render.md)."""
        from archspec.backends.render import render
        return render(self.ir, **options)

    def build(self, **options: Any) -> Any:
        """A ``torch.nn.Module`` (see docs/build.md)."""
        from archspec.backends.torch import build_module
        return build_module(self.ir, **options)


def to_source(spec: SpecInput) -> SourceFile:
    """A path (str or Path) of an existing file, a SourceFile, or spec text."""
    if isinstance(spec, SourceFile):
        return spec
    if isinstance(spec, Path) or (isinstance(spec, str) and "\n" not in spec
                                  and spec.endswith((".arch", ".yaml", ".yml"))):
        return read_source(Path(spec))
    return SourceFile("<string>", spec)


def read_source(path: Path) -> SourceFile:
    """Read a spec file: at most the size limit plus one byte (a device such as /dev/zero
    or a growing file cannot make it read forever), strictly as UTF-8."""
    from archspec.errors import SpecImportError, SpecLimitError
    from archspec.source import Span
    from archspec.units import fmt_bytes
    try:
        with Path(path).open("rb") as f:
            data = f.read(current().max_file_bytes + 1)
    except OSError as e:
        raise SpecImportError(f"cannot read {path}: {e.strerror}",
                           Span(SourceFile(str(path), ""), 1, 1)) from None
    if len(data) > current().max_file_bytes:
        raise SpecLimitError(f"spec file is larger than {fmt_bytes(current().max_file_bytes)}",
                             Span(SourceFile(str(path), ""), 1, 1),
                             hint="split the network across files with `import`")
    return decode(str(path), data)


def decode(name: str, data: bytes) -> SourceFile:
    from archspec.errors import SpecSyntaxError
    from archspec.source import Span
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        safe = SourceFile(name, data.decode("utf-8", "replace"))
        raise SpecSyntaxError("the file is not valid UTF-8", Span(safe, line, col),
                              hint="save the spec as UTF-8 text") from None
    if "\x00" in text:
        at = text.index("\x00")
        line = text.count("\n", 0, at) + 1
        col = at - (text.rfind("\n", 0, at) + 1) + 1
        raise SpecSyntaxError("the file contains NUL bytes (binary data?)",
                              Span(SourceFile(name, text.replace("\x00", " ")), line, col))
    return SourceFile(name, text.lstrip("\ufeff"))


def load(spec: SpecInput, network: str | None = None, *, input_shape: Shape | None = None,
         allow_paths: tuple[str | Path, ...] = (), limits: Limits | None = None,
         **params: Any) -> Network:
    """Parse, elaborate and shape-check ``spec`` (a path, a SourceFile or the text itself).

    ``params`` override the network's parameters (``num_classes=10``); ``input_shape``
    overrides the (first) input's declared shape; ``limits`` (default: the current ones,
    ``Limits()`` unless inside ``archspec.limits.using``) bound this load and nothing else.
    Raises SpecError (SpecErrors for several).
    """
    with using(limits if limits is not None else current()):
        return _load(spec, network, input_shape, allow_paths, params)


def _load(spec: SpecInput, network: str | None, input_shape: Shape | None,
          allow_paths: tuple[str | Path, ...], params: dict[str, Any]) -> Network:
    source = to_source(spec)
    root = Path(source.name).resolve().parent if Path(source.name).is_file() else Path.cwd()
    loader = Loader(root, tuple(Path(p) for p in allow_paths), reader=read_source)
    ns = loader.load_source(source, Path(source.name).resolve() if Path(
        source.name).is_file() else None)
    overrides = {FIRST_INPUT: tuple(input_shape)} if input_shape else {}
    graph = elaborate(loader, ns, network, params, overrides)
    run_lints(graph)  # their findings join graph.meta.warnings
    return Network(graph, source, list(graph.meta.warnings))


def run_lints(graph: OpGraph) -> None:
    from archspec.passes.pipeline import require
    require(graph, "lints")


def check(spec: SpecInput, **params: Any) -> Network:
    """Alias of :func:`load`, for symmetry with the CLI."""
    return load(spec, **params)


def build(spec: SpecInput, network: str | None = None, *, device: Any = None, dtype: Any = None,
          **params: Any) -> Any:
    """Compile ``spec`` and lower it to a ``torch.nn.Module``."""
    build_opts = {k: params.pop(k) for k in ("seed", "max_param_bytes", "memory_format")
                  if k in params}
    net = load(spec, network, **params)
    return net.build(device=device, dtype=dtype, **build_opts)
