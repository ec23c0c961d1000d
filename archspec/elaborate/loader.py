"""Loading spec files and resolving imports into namespaces.

Import policy (docs/language.md#imports):
- ``import std.resnet`` loads ``archspec/std/resnet.arch`` (the standard library);
- ``import "path/file.arch"`` (or .yaml/.yml) resolves relative to the importing file and must
  stay inside the top-level spec's directory or a directory listed in ``allow_paths``;
- absolute paths are refused unless inside an allowed directory; cycles are errors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from archspec.errors import Note, SpecError, SpecImportError, SpecLimitError, SpecNameError
from archspec.frontend import ast as A
from archspec.limits import LIMITS
from archspec.source import SourceFile
from archspec.units import fmt_bytes

STD_DIR = Path(__file__).resolve().parent.parent / "std"
SPEC_SUFFIXES = (".arch", ".yaml", ".yml")


@dataclass(eq=False)
class Namespace:
    """The names one spec file defines or imports."""

    module: A.Module
    source: SourceFile
    blocks: dict[str, A.BlockDef | A.NetworkAlias] = field(default_factory=dict)
    lets: dict[str, A.Let] = field(default_factory=dict)
    aliases: dict[str, Namespace] = field(default_factory=dict)
    imported: dict[str, Namespace] = field(default_factory=dict)  # name -> defining namespace
    let_values: dict[str, object] = field(default_factory=dict)

    def lookup_block(self, name: str) -> tuple[A.BlockDef | A.NetworkAlias, Namespace] | None:
        if name in self.blocks:
            return self.blocks[name], self
        owner = self.imported.get(name)
        return (owner.blocks[name], owner) if owner else None

    def visible_names(self) -> list[str]:
        return [*self.blocks, *self.lets, *self.aliases, *self.imported]


def parse_source(source: SourceFile) -> A.Module:
    """Parse an .arch or YAML file (through the on-disk AST cache; on a hit neither lark nor
    PyYAML is imported)."""
    from archspec.frontend.cache import cached
    return cached(source, _parse_uncached)


def _parse_uncached(source: SourceFile) -> A.Module:
    if source.name.endswith((".yaml", ".yml")):
        from archspec.frontend.yaml import parse_yaml
        return parse_yaml(source)
    from archspec.frontend.to_ast import parse_module
    return parse_module(source)


class Loader:
    """Loads a root spec and everything it imports, once each."""

    def __init__(self, root_dir: Path | None, allow_paths: tuple[Path, ...] = (), *,
                 reader: Callable[[Path], SourceFile]):
        self.reader = reader  # the front door's file reader (size and encoding checks)
        self.roots = [p.resolve() for p in ((root_dir,) if root_dir else ()) + allow_paths]
        self.cache: dict[Path, Namespace] = {}
        self.stack: list[Path] = []
        self.total_bytes = 0

    def load_source(self, source: SourceFile, path: Path | None = None) -> Namespace:
        ns = Namespace(parse_source(source), source)
        if path:
            self.stack.append(path)
        try:
            for imp in ns.module.imports:
                self._import(ns, imp, path.parent if path else (self.roots or [Path.cwd()])[0])
        finally:
            if path:
                self.stack.pop()
        check_names(ns.module)
        for let in ns.module.lets:
            ns.lets[let.name] = let
        for block in ns.module.blocks:
            if block.name in ns.blocks:
                first = ns.blocks[block.name]
                raise SpecNameError(f"'{block.name}' is defined twice", block.name_span,
                                    notes=[Note("first defined here", first.name_span)],
                                    hint="rename one of them")
            ns.blocks[block.name] = block
        return ns

    def _import(self, ns: Namespace, imp: A.Import, here: Path) -> None:
        path = self.resolve(imp, here)
        if path in self.stack:
            chain = " -> ".join(p.name for p in self.stack[self.stack.index(path):] + [path])
            raise SpecImportError(f"import cycle: {chain}", imp.span,
                               hint="move the shared blocks into a file both can import")
        if len(self.stack) >= LIMITS.max_import_depth:
            raise SpecLimitError(f"imports nested deeper than {LIMITS.max_import_depth}",
                                 imp.span)
        if path not in self.cache:
            try:
                self.cache[path] = self.load_source(self.read(path, imp), path)
            except SpecError as err:
                if err.span.file != imp.span.file:
                    err.notes.append(Note("imported here", imp.span))
                raise
        target = self.cache[path]
        if imp.alias:
            ns.aliases[imp.alias] = target
            return
        for name in [*target.blocks, *target.imported]:
            ns.imported[name] = target.lookup_block(name)[1]  # type: ignore[index]

    def read(self, path: Path, imp: A.Import) -> SourceFile:
        """An imported file, through the same size and encoding checks as the top-level one;
        all files together are bounded too."""
        source = self.reader(path)
        self.total_bytes += len(source.text)
        if self.total_bytes > LIMITS.max_total_bytes:
            raise SpecLimitError(f"the spec and its imports exceed "
                                 f"{fmt_bytes(LIMITS.max_total_bytes)}", imp.span)
        return source

    def resolve(self, imp: A.Import, here: Path) -> Path:
        if imp.dotted is not None:
            return self._resolve_std(imp)
        assert imp.path is not None
        raw = Path(imp.path)
        if not imp.path.endswith(SPEC_SUFFIXES):
            raise SpecImportError(f"can only import spec files ({', '.join(SPEC_SUFFIXES)})",
                               imp.span)
        path = (raw if raw.is_absolute() else here / raw).resolve()
        if not self._allowed(path):
            raise SpecImportError(
                f"import of '{imp.path}' is outside the spec's directory", imp.span,
                hint="imports resolve relative to the importing file and may not leave the "
                     "top-level spec's directory; allow another directory with --allow-path")
        if not path.is_file():
            raise SpecImportError(f"cannot find '{imp.path}'", imp.span,
                               hint=f"looked for {path.name} next to the importing file")
        return path

    def _resolve_std(self, imp: A.Import) -> Path:
        parts = imp.dotted or []
        if parts[:1] != ["std"] or len(parts) != 2 or not parts[1].isidentifier():
            raise SpecImportError(f"unknown module '{'.'.join(parts)}'", imp.span,
                               hint="standard library modules are imported as std.NAME; "
                                    f"available: {', '.join(std_modules())}")
        path = STD_DIR / f"{parts[1]}.arch"
        if not path.is_file() or not path.resolve().is_relative_to(STD_DIR):
            from archspec.errors import did_you_mean
            raise SpecImportError(f"no standard library module 'std.{parts[1]}'", imp.span,
                               hint=did_you_mean(parts[1], std_modules()))
        return path.resolve()

    def _allowed(self, path: Path) -> bool:
        return any(path.is_relative_to(root) for root in self.roots) or path.is_relative_to(
            STD_DIR)


def check_names(module: A.Module) -> None:
    """File-level names may not shadow primitives or builtins (a block named ``relu`` would
    silently replace it everywhere) nor mix lookalike scripts; parameters may shadow."""
    from archspec.elaborate.names import check_script, check_shadowing
    for imp in module.imports:
        if imp.alias:
            check_shadowing(imp.alias, imp.span)
    for let in module.lets:
        check_shadowing(let.name, let.span)
    for block in module.blocks:
        check_shadowing(block.name, block.name_span)
        for p in getattr(block, "params", []):
            check_script(p.name, p.span)


def std_modules() -> list[str]:
    return sorted(p.stem for p in STD_DIR.glob("*.arch"))
