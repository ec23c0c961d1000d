"""Elaboration state: the graph under construction and the frame of the block being expanded."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from archspec.elaborate.loader import Loader, Namespace
from archspec.errors import SpecError, SpecLimitError
from archspec.ir.builder import GraphBuilder
from archspec.limits import current
from archspec.source import Span


@dataclass(eq=False)
class Frame:
    """One block instance (or the network) being elaborated."""

    path: str                       # module path prefix: "" for the network, "layer1.0"
    ns: Namespace                   # where the block was defined (for name lookup)
    env: dict[str, Any] = field(default_factory=dict)
    spans: dict[str, Span] = field(default_factory=dict)  # where each name was bound
    in_value: Any = None            # the chained input (`in`), None at network level
    trace: list[Span] = field(default_factory=list)      # call sites, outermost first
    blocks: tuple[str, ...] = ()    # block names on the call stack (recursion check)
    loop_depth: int = 0
    used: set[str] = field(default_factory=set)

    def child_path(self, label: str) -> str:
        return f"{self.path}.{label}" if self.path else label


@dataclass(frozen=True, eq=False)
class Interpreter:
    """The elaborator's mutually recursive steps (an expression applies a block whose
    statements evaluate expressions). elaborate/network.py wires them, so that the modules
    that implement them import each other in one direction only."""

    apply: Callable[..., Any]           # apply.apply: a layer applied to a tensor
    call: Callable[..., Any]            # calls.call: a call expression
    apply_block: Callable[..., Any]     # blocks.apply_block: a block instance
    run_block_body: Callable[..., Any]  # stmts.run_block_body: a block's statements


NODE_STEPS = 20    # a primitive node: shape rule, naming, graph insertion (~30-40 µs)
CALL_STEPS = 50    # a block call: frame, parameters, statements (~70-100 µs)


class Ctx:
    """Shared across one elaboration."""

    def __init__(self, loader: Loader, name: str, params: dict[str, Any], interp: Interpreter):
        self.loader = loader
        self.interp = interp
        self.builder = GraphBuilder(name, params)
        self.graph = self.builder.graph
        self.errors: list[SpecError] = []
        self.failures = 0               # errors reported, repeats included
        self.steps = 0                  # elaboration work done (see tick)
        self.limits = current()         # load() made its limits the current ones
        self.input_overrides: dict[str, tuple[int, ...]] = {}  # input name -> shape
        self.failed: list[tuple[str, list[str]]] = []  # ops whose shape rule failed, inputs
        self.path_counts: dict[str, int] = {}  # base -> next suffix to try (fresh_path)

    def report(self, err: SpecError, node: str | None = None) -> None:
        """Record an error once (a block called many times fails the same way each time)."""
        self.failures += 1
        key = (err.span.file, err.span.line, err.span.col, err.message)
        if all((e.span.file, e.span.line, e.span.col, e.message) != key for e in self.errors):
            self.errors.append(err)
            self.graph.meta.errors.append((node, err))

    def tick(self, span: Span, work: int = 1) -> None:
        """Count elaboration work, so a runaway spec stops at a fixed budget whatever it is
        busy with. One step is one loop iteration or list element (about 1.3 µs); a node costs
        NODE_STEPS, a block call CALL_STEPS, in proportion to their time."""
        self.steps += work
        if self.steps > self.limits.max_steps:
            raise SpecLimitError(f"elaboration takes more than {self.limits.max_steps:,} steps "
                                 "(loop iterations, block calls, nodes, list elements)", span,
                                 hint="loops, repeats and block calls multiply: reduce their "
                                      "counts")

    def check_node_budget(self, span: Span) -> None:
        if self.graph.number_of_nodes() >= self.limits.max_nodes:
            raise SpecLimitError(f"the network elaborates to more than {self.limits.max_nodes:,} "
                                 "primitive nodes", span,
                                 hint="reduce repeat counts; the limit guards against runaway "
                                      "specs")
        self.tick(span, NODE_STEPS)
