"""Hover: shapes of values, facts of layer and block calls, signatures and documentation."""

from __future__ import annotations

from lsprotocol import types as T

from archspec.elaborate import Namespace
from archspec.frontend import ast as A
from archspec.ir.graph import BlockInfo, OpGraph, OpNode, input_shapes, node
from archspec.lsp.analysis import Analysis
from archspec.lsp.describe import block_doc, primitive_doc, primitives
from archspec.lsp.positions import contains, same_file, size, word_at
from archspec.lsp.shapes import (
    ShapeIndex,
    block_instances,
    index_of,
    instance_totals,
    macs,
    shape_text,
)
from archspec.lsp.syntax import bound_names, definition_at, walk
from archspec.lsp.values import name_facts
from archspec.ops.common import fmt_shape
from archspec.source import Span

MAX_LISTED = 4
Definition = A.BlockDef | A.NetworkAlias


def hover(analysis: Analysis, pos: T.Position) -> T.Hover | None:
    found = word_at(analysis.source.text, pos)
    if found is None or analysis.module is None:
        return None
    word, rng = found
    around = enclosing(analysis, pos.line + 1, pos.character + 1)
    text = describe(analysis, word, around, pos.line + 1)
    if not text:
        return None
    return T.Hover(T.MarkupContent(T.MarkupKind.Markdown, text), rng)


def enclosing(analysis: Analysis, line: int, col: int) -> list[A.Node]:
    """The AST nodes of this file around (line, col), innermost first."""
    assert analysis.module is not None
    scope = definition_at(analysis.module, line) or analysis.module
    hits = [n for n in walk(scope) if same_file(n.span, analysis.path)
            and contains(n.span, line, col) and not isinstance(n, A.Module)]
    return sorted(hits, key=lambda n: size(n.span))


def describe(analysis: Analysis, word: str, around: list[A.Node], line: int) -> str:
    call = called_at(around, word)
    block = lookup_block(analysis, word)
    if block is not None:
        facts = block_facts(analysis, call) if call else ""
        return "\n\n".join(filter(None, [block_doc(block[0]), facts]))
    if call and word not in primitives():  # a block held by a name (`unit_block(64)`)
        return block_facts(analysis, call)
    if word in primitives() and (call or is_name(around, word)):
        step = call or around[0]
        return "\n\n".join(filter(None, [layer_facts(analysis, step),
                                         primitive_doc(primitives()[word])]))
    labeled = next((n for n in around if isinstance(n, A.Labeled)), None)
    if labeled is not None and labeled.label.span.line == line and labeled.label.plain == word:
        return layer_facts(analysis, labeled)
    return value_facts(analysis, word, line)


def called_at(around: list[A.Node], word: str) -> A.Call | None:
    """The call whose callee is the name under the cursor."""
    if not around or not isinstance(around[0], A.Name) or around[0].id != word:
        return None
    for n in around[1:]:
        if isinstance(n, A.Call) and n.func is around[0]:
            return n
        if isinstance(n, A.Call) and isinstance(n.func, A.Attr) and n.func.name == word:
            return n
    return None


def is_name(around: list[A.Node], word: str) -> bool:
    return bool(around) and isinstance(around[0], A.Name) and around[0].id == word


def lookup_block(analysis: Analysis, word: str) -> tuple[Definition, Namespace] | None:
    """The block or network ``word`` names here (defined, imported, or in an aliased import)."""
    if analysis.ns is None:
        return None
    found = analysis.ns.lookup_block(word)
    if found is None:
        for ns in analysis.ns.aliases.values():
            found = found or ns.lookup_block(word)
    return found


def layer_facts(analysis: Analysis, step: A.Node) -> str:
    index = index_of(analysis)
    made = index.results(step.span) if index else []
    if not made:
        return ""
    graph = analysis.graph
    assert graph is not None
    lines = [node_line(graph, n) for n in made[:MAX_LISTED]]
    if len(made) > MAX_LISTED:
        lines.append(f"- … {len(made) - MAX_LISTED} more instances")
    head = "**output** " + shape_text(index.shapes(step.span)) if index else ""
    return "\n".join([head, "", *lines])


def node_line(graph: OpGraph, n: OpNode) -> str:
    ins = ", ".join(fmt_shape(s) for s in input_shapes(graph, n))
    params = ", ".join(f"{k}={v!r}" for k, v in n.params.items())
    return f"- `{n.name}`: {n.op}({params}): {ins} → {fmt_shape(n.shape)}, " \
           f"MACs {macs(graph, n):,}"


def block_facts(analysis: Analysis, call: A.Call) -> str:
    graph = analysis.graph
    if graph is None:
        return ""
    infos = block_instances(graph, call.span)
    lines = [instance_line(graph, b) for b in infos[:MAX_LISTED]]
    if len(infos) > MAX_LISTED:
        lines.append(f"- … {len(infos) - MAX_LISTED} more instances")
    return "\n".join(lines)


def instance_line(graph: OpGraph, info: BlockInfo) -> str:
    params, total = instance_totals(graph, info.path)
    out = fmt_shape(node(graph, info.output.node).port_shape(info.output.port)) \
        if info.output else "?"
    args = ", ".join(f"{k}={v!r}" for k, v in info.args.items())
    return f"- `{info.path}` ({args}) → {out}, params {params:,}, MACs {total:,}"


def symbolic_facts(analysis: Analysis, index: ShapeIndex, word: str, target: Span) -> str:
    """A value's shapes as formulas in the input's size symbols, and the valid sizes."""
    from archspec.symbolic.dims import fmt_shape as fmt_formula
    sym = analysis.symbolic
    shapes = [fmt_formula(sym.shapes.get((n.name, 0), n.shape)) for n in index.results(target)]
    if not shapes:
        return ""
    return (f"`{word}`: " + " | ".join(dict.fromkeys(shapes))
            + f"\n\nvalid sizes: {sym.valid.describe()}")


def value_facts(analysis: Analysis, word: str, line: int) -> str:
    """What a name holds at ``line``: the shape of its last binding above in its block, or
    for a parameter or a let, its values."""
    assert analysis.module is not None
    owner = definition_at(analysis.module, line)
    if isinstance(owner, A.NetworkAlias):
        return ""
    bindings = [s for name, s in bound_names(owner.body) if name == word
                and s.span.line <= line] if owner else []
    binding = bindings[-1] if bindings else None
    index = index_of(analysis)
    if isinstance(binding, (A.Assign, A.Input)) and index is not None:
        target = binding.value.span if isinstance(binding, A.Assign) else binding.span
        if analysis.symbolic is not None:
            return symbolic_facts(analysis, index, word, target)
        shapes = index.shapes(target)
        return f"`{word}`: " + shape_text(shapes) if shapes else ""
    return name_facts(analysis, owner, binding, word)
