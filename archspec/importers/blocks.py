"""Hierarchical recovery: module scopes -> groups (``nn.Sequential``) and blocks (every other
module class), instances of one class unified into one parametric block.

Phases: collect the instances of each class; align instances that lack an optional child
(``downsample``) with a placeholder; emit every body with placeholder calls; unify each
class's bodies, innermost classes first, and fill in the calls; collapse runs into ``* n``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from archspec.errors import SpecImportError
from archspec.frontend import ast as A
from archspec.frontend.fmt import format_expr
from archspec.importers.align import align
from archspec.importers.emit import (
    Emitter,
    call_ast,
    network_module,
    network_outputs,
    outputs,
    value_ast,
)
from archspec.importers.flat import (
    FlatNet,
    Layer,
    consumer_counts,
    identifier,
    reserved_names,
    stateful,
    with_port_calls,
)
from archspec.importers.loops import COUNT, concat_loop, index_loops
from archspec.importers.params import signature
from archspec.importers.scopes import (
    CONTAINERS,
    Scope,
    boundary,
    build_tree,
    call_counts,
    is_sequence,
)
from archspec.importers.unify import Mismatch, Unifier, substitute
from archspec.names import module_name_problem
from archspec.source import UNKNOWN


@dataclass(eq=False)
class Instance:
    scope: Scope
    reads: str
    out: str
    call: A.Call = field(default_factory=lambda: A.Call(A.Name(""), [], []))
    body: list[A.Stmt] = field(default_factory=list)


class Recovery:
    def __init__(self, net: FlatNet):
        self.net = net
        self.consumers = consumer_counts(net)
        self.calls = call_counts(net)
        self.instances: dict[Scope, Instance] = {}
        self.classes: dict[str, list[Instance]] = {}
        self.signatures: dict[str, list[str]] = {"range": [COUNT]}  # block -> its params

    def run(self) -> A.Module:
        root = build_tree(self.net)
        self.collect(root)
        for insts in self.classes.values():
            align([i.scope for i in insts], self.consumers)
        body = self.network_body(root)
        for inst in self.instances.values():
            inst.body = self.instance_body(inst)
        blocks = self.recover_blocks()
        module = network_module(self.net, body, blocks)
        collapse_runs(module)
        return module

    def collect(self, scope: Scope) -> None:
        for item in list(scope.items):
            if isinstance(item, Scope):
                hoist_input_concat(scope, item, self.consumers)
                if not self.is_group(item):
                    reads, used = self.chain_boundary(item)
                    inst = Instance(item, reads, used)
                    self.instances[item] = inst
                    self.classes.setdefault(item.cls, []).append(inst)
                self.collect(item)

    def is_group(self, scope: Scope) -> bool:
        """Sequential containers are groups; so is a module guessed from names (Caffe's
        ``pool1/...``) whose layers simply follow one another."""
        return scope.cls in CONTAINERS or (self.net.guessed_classes and
                                              is_sequence(scope, self.consumers))

    def chain_boundary(self, scope: Scope) -> tuple[str, str]:
        reads, used = boundary(scope, self.consumers)
        if len(reads) != 1 or len(used) != 1:
            raise SpecImportError(f"module '{scope.path}' ({scope.cls}) reads {len(reads)} "
                                  f"and produces {len(used)} tensors; only one-in, one-out "
                                  "modules are recovered", UNKNOWN)
        return reads[0], used[0]

    def network_body(self, root: Scope) -> list[A.Stmt]:
        em = Emitter(local_uses(root.items, self.net.outputs, self.consumers))
        stmts: list[A.Stmt] = []
        for name, shape in self.net.inputs:
            var = identifier(name, em.taken)
            em.taken.add(var)
            stmts.append(A.Input(var, value_ast(list(shape))))
            em.bind(name, A.Name(var))
        self.emit_items(root, em)
        outs = network_outputs(em, self.net)
        return stmts + em.stmts + outs

    def instance_body(self, inst: Instance) -> list[A.Stmt]:
        em = Emitter(local_uses(inst.scope.items, [inst.out], self.consumers))
        em.bind(inst.reads, A.InRef())
        self.emit_items(inst.scope, em)
        outs = outputs(em, [inst.out])
        return em.stmts + outs

    def emit_items(self, scope: Scope, em: Emitter) -> None:
        for item in scope.items:
            if isinstance(item, Layer):
                label = self.label(item, scope)
                em.hints[item.out] = (item.hint if not scope.path else "") or label or "y"
                em.layer(item, label)
                continue
            reads, used = self.chain_boundary(item)
            em.hints[used] = item.name
            em.layer(Layer(used, "", inputs=[reads]), self.scope_label(item, scope),
                     self.element(item))

    def label(self, layer: Layer, scope: Scope) -> str:
        if not layer.path:
            return ""
        relative = layer.path[len(scope.path) + 1:] if scope.path else layer.path
        if self.calls[layer.path] > 1 or (relative == layer.op and not stateful(layer.op)):
            return ""
        return checked_label(relative, layer.path)

    def scope_label(self, child: Scope, parent: Scope) -> str:
        relative = child.path[len(parent.path) + 1:] if parent.path else child.path
        return checked_label(relative, child.path)

    def element(self, scope: Scope) -> A.Expr:
        if scope in self.instances:
            return self.instances[scope].call
        items: list[A.Expr] = []
        for position, item in enumerate(scope.items):
            if isinstance(item, Layer):
                label = self.label(item, scope)
                e = call_ast(item.op, item.args, item.kwargs)
            else:
                label, e = self.scope_label(item, scope), self.element(item)
            items.append(A.Labeled(A.Label([label]), e) if label and label != str(position)
                         else e)
        return A.Group(items)

    def recover_blocks(self) -> list[A.BlockDef]:
        blocks: list[A.BlockDef] = []
        taken: set[str] = reserved_names()
        for cls in sorted(self.classes, key=self.height):
            for inst in self.classes[cls]:   # the calls inside are final: inner classes first
                inst.body = concat_loop(inst.body) or inst.body
            for group in partition(self.classes[cls]):
                name = identifier(snake(cls), taken)
                taken.add(name)
                blocks.append(self.block(name, group))
        return blocks

    def height(self, cls: str) -> int:
        return max(scope_height(i.scope, self.instances) for i in self.classes[cls])

    def block(self, name: str, group: list[Instance]) -> A.BlockDef:
        unifier = Unifier(len(group), signatures=self.signatures)
        body = unifier.part([i.body for i in group], "", "")
        in_channels = [(self.net.shapes.get(i.reads) or (None,))[0] for i in group]
        sig = signature(unifier.holes, in_channels)
        body = substitute(body, sig.mapping)
        self.signatures[name] = [d.name for d in sig.defs()]
        for n, inst in enumerate(group):
            args, kwargs = sig.call_args(n)
            inst.call.func = A.Name(name)
            inst.call.args = [value_ast(a) for a in args]
            inst.call.kwargs = [A.Kwarg(k, value_ast(v)) for k, v in kwargs.items()]
        return A.BlockDef(name, sig.defs(), body)


def checked_label(relative: str, path: str) -> str:
    """A module name that can be a label: the state_dict keys depend on it."""
    if "." in relative:
        raise SpecImportError(f"module '{path}' is called from a module that is not its "
                              "parent; its name cannot be kept", UNKNOWN)
    problem = module_name_problem(relative)
    if problem:
        raise SpecImportError(f"module name '{relative}' (in '{path}') cannot be a spec "
                              f"label: it {problem}", UNKNOWN, hint="rename the module")
    return relative  # a name that is not an identifier is written as a quoted label


def hoist_input_concat(parent: Scope, scope: Scope, consumers: Counter[str]) -> None:
    """A module that starts by concatenating the several tensors it reads (DenseNet's
    ``_DenseLayer`` reads every earlier feature map) reads one tensor once the concat is
    moved in front of it: ``concat(a, b, c) -> denselayer3: dense_layer()``."""
    reads, _ = boundary(scope, consumers)
    first = scope.items[0] if scope.items else None
    if not reads or not isinstance(first, Layer) or first.op != "concat" or \
            set(first.inputs) != set(reads) or consumers[first.out] != 1:
        return
    scope.items.remove(first)
    parent.items.insert(parent.items.index(scope), first)


def local_uses(items: list[Scope | Layer], outs: list[str], consumers: Counter[str]
               ) -> Counter[str]:
    """How many items of this scope (and outside users) read each tensor."""
    uses: Counter[str] = Counter()
    for item in items:
        reads = boundary(item, consumers)[0] if isinstance(item, Scope) else item.inputs
        uses.update(reads)
    uses.update(outs)
    return with_port_calls(uses)


def partition(instances: list[Instance]) -> list[list[Instance]]:
    """Groups of instances whose bodies unify (usually one group per class)."""
    groups: list[list[Instance]] = []
    for inst in instances:
        for g in groups:
            try:
                Unifier(len(g) + 1).part([i.body for i in [g[0], inst]], "", "")
            except Mismatch:
                continue
            g.append(inst)
            break
        else:
            groups.append([inst])
    return groups


def scope_height(scope: Scope, instances: dict[Scope, Instance]) -> int:
    heights = [scope_height(s, instances) + (1 if s in instances else 0)
               for s in scope.items if isinstance(s, Scope)]
    return max(heights, default=0)


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower().lstrip("_") or "block"


def collapse_runs(node: object) -> None:
    """``[b(64), b(64), b(64)]`` -> ``[b(64) * 3]`` in every group, in place."""
    if isinstance(node, list):
        for x in node:
            collapse_runs(x)
        return
    if not isinstance(node, A.Node):
        return
    for value in vars(node).values():
        collapse_runs(value)
    if isinstance(node, A.Group):
        node.items = runs(index_loops(node.items))


def runs(items: list[A.Expr]) -> list[A.Expr]:
    out: list[A.Expr] = []
    texts: list[str] = []
    counts: list[int] = []
    for item in items:
        text = format_expr(item)
        if texts and texts[-1] == text and not isinstance(item, A.Labeled) and \
                not isinstance(item, (A.Num, A.UnaryOp)):
            counts[-1] += 1
            continue
        out.append(item)
        texts.append(text)
        counts.append(1)
    return [A.BinOp("*", e, A.Num(n)) if n > 1 else e for e, n in zip(out, counts)]


def recover_hierarchy(net: FlatNet) -> A.Module:
    return Recovery(net).run()
