"""The block hierarchy of a built network, kept on its class for ``archspec import``.

The generated ``forward`` is flat (``getattr(self.layer1, "0").conv1(x)``), so tracing it
sees no block boundaries; ``block_scopes`` records, per node of the generated code, the block
and group instances around it, as torch.fx's ``nn_module_stack`` would for hand-written
modules. Importing a built module then recovers the spec's blocks and keeps its names.
"""

from __future__ import annotations

from archspec.backends.torch.codegen import ident
from archspec.ir.graph import OpGraph

GROUP_CLASS = "Sequential"   # what the importer writes as a group ``label: [...]``

Scopes = tuple[tuple[str, str], ...]


def block_scopes(graph: OpGraph) -> dict[str, Scopes]:
    """fx node name -> ((path, kind), ...) of its enclosing instances, outermost first;
    a group's kind is ``Sequential``, a block's its block name."""
    blocks = graph.meta.blocks
    chains: dict[str, Scopes] = {"": ()}

    def chain(path: str) -> Scopes:
        if path not in chains:
            info = blocks[path]
            kind = GROUP_CLASS if info.kind == "group" else info.kind
            chains[path] = (*chain(info.parent or ""), (path, kind))
        return chains[path]

    return {ident(name): chain(data["data"].block)
            for name, data in graph.nodes.items() if data["data"].block in blocks}
