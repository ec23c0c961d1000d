"""The public Python API: ``load``, ``check``, ``build``, and the ``Network`` they return."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archspec.elaborate import Loader, elaborate
from archspec.elaborate.network import FIRST_INPUT
from archspec.errors import SpecError
from archspec.ir.graph import OpGraph, OutputInfo, Shape, node, to_networkx
from archspec.limits import Limits, current, using
from archspec.reading import read_source
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
        from archspec.passes.report import audit
        return audit(self.ir, **options)

    def render(self, **options: Any) -> Any:
        """A ``graphviz.Digraph`` of the network (see docs/render.md)."""
        from archspec.backends.render import render
        return render(self.ir, **options)

    def build(self, **options: Any) -> Any:
        """A ``torch.nn.Module`` (see docs/build.md)."""
        from archspec.backends.torch import build_module
        return build_module(self.ir, **options)

    def freeze(self, patterns: list[str]) -> list[str]:
        """Mark the layers whose module paths match ``patterns`` (``"layer1"``, ``"layer1.*"``)
        frozen, as ``@frozen`` does: the audit counts them non-trainable and ``build`` sets
        ``requires_grad=False``. Returns the frozen layers' paths."""
        from archspec.finetune import freeze_matching
        return freeze_matching(self.ir, patterns)

    def features(self) -> list[Any]:
        """The feature maps a backbone offers (timm's ``features_only`` convention)."""
        from archspec.finetune import feature_points
        return feature_points(self.ir)


@dataclass
class SymbolicNetwork(Network):
    """A Network elaborated at a reference size (the declared one) whose shapes are also
    formulas in the input's size symbols: ``load(spec, input_shape=(3, "H", "W"))``
    (docs/symbolic.md, "Networks"). ``outputs``, ``audit()`` and ``build()`` are the
    reference network's; ``at(H=…, W=…)`` is the concrete network at other sizes."""

    shapes: Any = None        # archspec.symbolic.network.NetworkShapes
    input_dims: tuple[int | str, ...] = ()
    load_args: dict[str, Any] = field(default_factory=dict, repr=False)
    cases: list[Any] = field(default_factory=list)  # symbolic.branches.Case: spec code
    # that branches on sizes splits the answer; [] when it does not

    @property
    def symbolic_outputs(self) -> dict[str, tuple[Any, ...]]:
        """Output name -> shape formula (``(1000,)``, ``(21, H, W)``)."""
        return self.shapes.outputs

    def is_valid(self, **sizes: int) -> bool:
        """Whether the network elaborates at these sizes (every symbol given; a size below 1
        never does)."""
        if any(isinstance(v, int) and v < 1 for v in sizes.values()):
            return False
        if not self.cases:
            return bool(self.shapes.valid.contains(**sizes))
        from archspec.symbolic.branches import is_valid
        return is_valid(self.cases, sizes, lambda: self._loads_at(sizes))

    def shapes_at(self, **sizes: int) -> Any:
        """The NetworkShapes whose formulas hold at these sizes: with cases, the case's
        (None in a case that was not analysed)."""
        if not self.cases:
            return self.shapes
        from archspec.symbolic.branches import case_at
        case = case_at(self.cases, sizes)
        return case.shapes if case is not None else None

    def _loads_at(self, sizes: dict[str, int]) -> bool:
        try:
            self.at(**sizes)
        except SpecError:
            return False
        return True

    def valid_sizes(self, name: str, candidates: Iterable[int], **fixed: int) -> list[int]:
        """The valid values of symbol ``name`` among ``candidates`` (others in ``fixed``;
        with cases, others unfixed take the same value)."""
        if not self.cases:
            return list(self.shapes.valid.values(name, candidates, **fixed))
        others = [s for s in self.shapes.symbols if s != name and s not in fixed]
        return [n for n in candidates
                if self.is_valid(**{name: n, **fixed, **{s: n for s in others}})]

    def describe_valid(self) -> str:
        """The valid set as a short exact statement ("H, W ≥ 1"), then its caveats."""
        if self.cases:
            from archspec.symbolic.branches import describe
            return "; ".join([describe(self.cases), *self.caveats()])
        return "; ".join([self.shapes.valid.describe(), *self.caveats()])

    def caveats(self) -> list[str]:
        """Where the answer is conditional (spec code that reads symbolic sizes)."""
        from archspec.symbolic.load import caveats
        found = caveats(self.shapes)
        for case in self.cases[1:]:
            if case.shapes is not None:
                found += [c for c in caveats(case.shapes, decided=False) if c not in found]
        return found

    def build(self, **options: Any) -> Any:
        """The reference network's ``torch.nn.Module`` (docs/build.md); sizes the spec's code
        read from maps whose size depends on the symbols (``upsample(size=[in.h, in.w])``)
        are read from the tensors in forward, so it also runs at the other valid sizes
        (``runtime_sizes=None``: the reference's values, as a concrete build)."""
        from archspec.backends.torch import build_module
        options.setdefault("runtime_sizes", self.shapes)
        return build_module(self.ir, **options)

    def cost_formulas(self, dtype_bytes: int = 4) -> Any:
        """Parameters, MACs, FLOPs, activation and peak memory as exact formulas in the size
        symbols (``archspec.symbolic.costs.CostFormulas``; docs/symbolic.md)."""
        from archspec.symbolic.costs import cost_formulas
        return cost_formulas(self, dtype_bytes)

    def at(self, **sizes: int) -> Network:
        """The concrete network at these sizes: a concrete load, raising the same located
        SpecError for an invalid size."""
        from archspec.symbolic.load import concrete_input
        shape = concrete_input(self.input_dims, self.shapes.symbols, sizes)
        return load(**self.load_args, input_shape=shape)


def to_source(spec: SpecInput) -> SourceFile:
    """A SourceFile; a Path (or other path-like) names a file; a str is the path of an
    existing file (whatever its suffix) or, when no such file exists, spec text: a one-line
    str ending in .arch/.yaml/.yml is taken as a path, to report a missing file as such."""
    if isinstance(spec, SourceFile):
        return spec
    if isinstance(spec, os.PathLike) and isinstance(os.fspath(spec), str):
        return read_source(Path(os.fspath(spec)))
    if not isinstance(spec, str):
        raise TypeError("archspec: a spec is a path (str or pathlib.Path), spec text (str) or "
                        f"an archspec.source.SourceFile, not {type(spec).__name__}")
    if "\n" not in spec and (spec.endswith((".arch", ".yaml", ".yml"))
                             or (len(spec) < 4096 and os.path.exists(spec))):
        return read_source(Path(spec))
    return SourceFile("<string>", spec)


def allow_dirs(allow_paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]
               ) -> tuple[Path, ...]:
    """``allow_paths`` as directories: one path (str or Path) or an iterable of them."""
    if isinstance(allow_paths, (str, os.PathLike)):
        allow_paths = (allow_paths,)
    dirs = tuple(allow_paths)
    for d in dirs:
        if not isinstance(d, (str, os.PathLike)):
            raise TypeError("archspec: allow_paths holds directories (str or pathlib.Path), "
                            f"not {type(d).__name__}")
    return tuple(Path(d) for d in dirs)


def load(spec: SpecInput, network: str | None = None, *, input_shape: Shape | None = None,
         allow_paths: str | Path | Iterable[str | Path] = (), limits: Limits | None = None,
         **params: Any) -> Network:
    """Parse, elaborate and shape-check ``spec`` (a path, a SourceFile or the text itself;
    see :func:`to_source`). ``allow_paths`` is one directory or an iterable of them.

    ``params`` override the network's parameters (``num_classes=10``); ``input_shape``
    overrides the (first) input's declared shape; ``limits`` (default: the current ones,
    ``Limits()`` unless inside ``archspec.limits.using``) bound this load and nothing else.
    A str in ``input_shape`` is a size symbol (``(3, "H", "W")``): the result is a
    ``SymbolicNetwork`` with shapes as formulas and the valid sizes (docs/symbolic.md).
    Raises SpecError (SpecErrors for several).
    """
    args = dict(spec=spec, network=network, allow_paths=allow_paths, limits=limits, **params)
    if input_shape is not None and any(isinstance(d, str) for d in input_shape):
        return _load_symbolic(args, tuple(input_shape))
    from archspec.elaborate.symbols import SymbolicInput
    try:
        return _load_concrete(**args, input_shape=input_shape)
    except SymbolicInput as written:  # the spec writes size symbols: `input x: [3, H, W]`
        return _load_symbolic(args, None, written)


def _load_concrete(spec: SpecInput, network: str | None = None, *,
                   input_shape: Shape | None = None,
                   allow_paths: str | Path | Iterable[str | Path] = (),
                   limits: Limits | None = None, **params: Any) -> Network:
    """``load`` at concrete sizes; raises SymbolicInput for a spec with size symbols."""
    with using(limits if limits is not None else current()):
        return _load(spec, network, input_shape, allow_paths, params)


def _load_symbolic(args: dict[str, Any], input_shape: tuple[Any, ...] | None,
                   written: Any = None) -> SymbolicNetwork:
    from archspec.symbolic.load import load_symbolic
    net, shapes, dims, cases = load_symbolic(_load_concrete, args, input_shape, written)
    return SymbolicNetwork(net.ir, net.source, net.warnings, shapes=shapes, input_dims=dims,
                           load_args=args, cases=cases)


def _load(spec: SpecInput, network: str | None, input_shape: Shape | None,
          allow_paths: str | Path | Iterable[str | Path], params: dict[str, Any]) -> Network:
    source = to_source(spec)
    root = Path(source.name).resolve().parent if Path(source.name).is_file() else Path.cwd()
    loader = Loader(root, allow_dirs(allow_paths), reader=read_source)
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


FINETUNE_OPTIONS = ("weights", "partial", "features", "all_features", "freeze")


def build(spec: SpecInput, network: str | None = None, *, device: Any = None, dtype: Any = None,
          **params: Any) -> Any:
    """Compile ``spec`` and lower it to a ``torch.nn.Module``.

    Besides the build options (``seed``, ``max_param_bytes``, ``memory_format``) and the
    network's parameters, it takes the fine-tuning options of docs/build.md: ``weights`` (a
    state dict or a file), ``partial``, ``features`` (stage names or indices),
    ``all_features`` and ``freeze`` (module path patterns)."""
    build_opts = {k: params.pop(k) for k in ("seed", "max_param_bytes", "memory_format")
                  if k in params}
    tune = {k: params.pop(k) for k in FINETUNE_OPTIONS if k in params}
    net = load(spec, network, **params)
    if any(v not in (None, False, ()) for v in tune.values()):
        from archspec.finetune import build_finetuned
        return build_finetuned(net, device=device, dtype=dtype, **tune, **build_opts)
    return net.build(device=device, dtype=dtype, **build_opts)
