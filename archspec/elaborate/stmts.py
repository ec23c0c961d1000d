"""Statements of block and network bodies. Each failing statement is reported and its targets
poisoned, so independent errors are all found in one run."""

from __future__ import annotations

from typing import Any

from archspec.elaborate import values as V
from archspec.elaborate.context import Ctx, Frame
from archspec.elaborate.expr import evaluate, iterate
from archspec.elaborate.names import check_shadowing
from archspec.errors import (
    ArgumentError,
    EvalError,
    Note,
    SpecError,
    SpecLimitError,
    SpecNameError,
    SpecTypeError,
)
from archspec.frontend import ast as A
from archspec.ir.graph import OutputInfo
from archspec.names import check_argument_name

RESULT = "__out__"


def run_block_body(ctx: Ctx, frame: Frame, block: A.BlockDef) -> Any:
    run_statements(ctx, frame, block.body)
    warn_unused(ctx, frame)
    if RESULT not in frame.env:
        if any(e for e in ctx.errors if e.span.file == block.span.file):
            return V.POISON
        raise SpecTypeError(f"block '{block.name}' has no `out` statement", block.name_span,
                            hint="end the block with `out VALUE`")
    return frame.env[RESULT]


def run_statements(ctx: Ctx, frame: Frame, body: list[A.Stmt]) -> None:
    for stmt in body:
        try:
            execute(ctx, frame, stmt)
        except SpecLimitError:
            raise  # a limit ends elaboration: going on could take as long again
        except RecursionError:
            raise SpecLimitError("the spec nests too deeply to elaborate (block calls and "
                                 "expressions together)", stmt.span,
                                 hint="reduce the nesting of blocks or of this expression"
                                 ) from None
        except SpecError as err:
            if err.span.line < 1:  # never an unlocated error: at least the statement
                err.span = stmt.span
            ctx.report(err, failed_node(ctx))
            for target in targets(stmt):
                frame.env[target] = V.POISON


def failed_node(ctx: Ctx) -> str | None:
    return ctx.failed[-1][0] if ctx.failed else None


def targets(stmt: A.Stmt) -> list[str]:
    if isinstance(stmt, A.Assign):
        return stmt.targets
    if isinstance(stmt, A.Let):
        return [stmt.name]
    if isinstance(stmt, A.Out):
        return [RESULT]
    if isinstance(stmt, A.Input):
        return [stmt.name]
    return []


def execute(ctx: Ctx, frame: Frame, stmt: A.Stmt) -> None:
    handler = {A.Let: _let, A.Assign: _assign, A.Input: _input, A.Out: _out, A.Aux: _aux,
               A.For: _for, A.Assert: _assert, A.ExprStmt: _expr}[type(stmt)]
    handler(ctx, frame, stmt)


def bind(frame: Frame, name: str, value: Any, span: Any) -> None:
    check_shadowing(name, span)
    if name in frame.env and frame.loop_depth == 0 and frame.env[name] is not V.POISON:
        first = frame.spans.get(name)
        raise SpecNameError(f"'{name}' is already defined", span,
                         notes=[Note("first defined here", first)] if first else [],
                         hint="names are bound once; use a new name (rebinding is allowed "
                              "inside `for` loops)")
    frame.env[name] = value
    frame.spans.setdefault(name, span)


def _let(ctx: Ctx, frame: Frame, stmt: A.Let) -> None:
    bind(frame, stmt.name, evaluate(ctx, frame, stmt.value), stmt.span)
    frame.used.add(stmt.name)


def _assign(ctx: Ctx, frame: Frame, stmt: A.Assign) -> None:
    value = evaluate(ctx, frame, stmt.value)
    if len(stmt.targets) == 1:
        bind(frame, stmt.targets[0], value, stmt.span)
        return
    parts = destructure(ctx, value, len(stmt.targets), stmt)
    for name, part in zip(stmt.targets, parts):
        bind(frame, name, part, stmt.span)


def destructure(ctx: Ctx, value: Any, count: int, stmt: A.Assign) -> list[Any]:
    from archspec.ir.graph import Ref, node
    if value is V.POISON:
        return [value] * count
    if isinstance(value, list):
        parts = value
    elif isinstance(value, V.Tensor):
        n = node(ctx.graph, value.ref.node)
        parts = [value] + [V.Tensor(Ref(n.name, p), n.port_shapes[p])
                           for p in sorted(n.port_shapes)]
    else:
        raise SpecTypeError(f"cannot unpack {V.describe(value)}", stmt.value.span)
    if len(parts) != count:
        raise SpecTypeError(f"cannot unpack {len(parts)} values into {count} names",
                            stmt.span)
    return parts


def _input(ctx: Ctx, frame: Frame, stmt: A.Input) -> None:
    if frame.in_value is not None or frame.path:
        raise SpecTypeError("`input` is only allowed in a network", stmt.span,
                            hint="a block receives its input as `in`")
    declared = declared_input(ctx, frame, stmt)
    check_shape_literal(declared, stmt)
    check_argument_name(stmt.name, "input", stmt.span)
    shape = ctx.input_overrides.get(stmt.name) or declared
    if shape is not declared:
        check_override(list(shape), declared, stmt)
    if stmt.name in ctx.graph:
        raise SpecNameError(f"duplicate input '{stmt.name}'", stmt.span)
    ref = ctx.builder.input(stmt.name, tuple(shape), stmt.span)
    bind(frame, stmt.name, V.Tensor(ref, tuple(shape)), stmt.span)


def declared_input(ctx: Ctx, frame: Frame, stmt: A.Input) -> Any:
    """The declared shape; with size symbols (``[3, H, W]``), the size given from outside."""
    from archspec.elaborate.symbols import declared_shape, symbolic_dims
    dims = symbolic_dims(ctx, frame, stmt)
    if dims is not None:
        return declared_shape(ctx, frame, stmt, dims)
    if stmt.bounds:
        raise SpecTypeError("size bounds need size symbols in the shape", stmt.bounds[0].span,
                            hint="write `input x: [3, H, W] where H >= 32`")
    return evaluate(ctx, frame, stmt.shape)


def check_shape_literal(shape: Any, stmt: A.Input) -> None:
    from archspec.limits import LIMITS
    if not isinstance(shape, list) or not shape or not all(
            isinstance(d, int) and not isinstance(d, bool) for d in shape):
        raise SpecTypeError("an input shape is a list of integers, e.g. [3, 224, 224]",
                            stmt.shape.span)
    if any(d <= 0 for d in shape):
        raise SpecTypeError(f"input dimensions must be positive, got {shape}", stmt.shape.span)
    if any(d > LIMITS.max_dim for d in shape):
        raise SpecLimitError(f"input dimension exceeds {LIMITS.max_dim:,}", stmt.shape.span)


def check_override(shape: list[int], declared: list[int], stmt: A.Input) -> None:
    """A shape given from outside (``--input``, ``load(input_shape=...)``) replaces the
    declared one: same rank, positive, within the limits."""
    given = "x".join(map(str, shape))
    if len(shape) != len(declared):
        raise SpecTypeError(f"the input shape {given} has {len(shape)} dimensions; input "
                            f"'{stmt.name}' declares {len(declared)}: {declared}",
                            stmt.shape.span, hint=f"give {len(declared)} sizes, e.g. "
                            + "x".join(map(str, declared)))
    check_shape_literal(shape, stmt)


def _out(ctx: Ctx, frame: Frame, stmt: A.Out) -> None:
    value = evaluate(ctx, frame, stmt.value)
    expect_tensor(value, stmt.value)
    if frame.in_value is not None or frame.path:  # inside a block: its result
        if stmt.name is not None:
            raise SpecTypeError("a block has one unnamed `out`", stmt.span)
        if RESULT in frame.env:
            raise SpecNameError("a block has only one `out`", stmt.span)
        frame.env[RESULT] = value
        return
    add_output(ctx, stmt.name or "out", value, "main", 1.0, stmt)


def _aux(ctx: Ctx, frame: Frame, stmt: A.Aux) -> None:
    if frame.in_value is not None or frame.path:
        raise SpecTypeError("`aux` outputs belong to a network, not a block", stmt.span)
    value = evaluate(ctx, frame, stmt.value)
    expect_tensor(value, stmt.value)
    weight = aux_weight(ctx, frame, stmt)
    add_output(ctx, stmt.name, value, "aux", weight, stmt)


def aux_weight(ctx: Ctx, frame: Frame, stmt: A.Aux) -> float:
    values = [evaluate(ctx, frame, a) for a in stmt.args]
    values += [evaluate(ctx, frame, k.value) for k in stmt.kwargs if k.name == "weight"]
    unknown = [k for k in stmt.kwargs if k.name != "weight"]
    if unknown or len(values) > 1:
        raise ArgumentError("aux takes one argument: weight", (unknown or stmt.args)[0].span)
    weight = values[0] if values else 1.0
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0:
        raise SpecTypeError("an aux loss weight is a non-negative number", stmt.span)
    return float(weight)


def add_output(ctx: Ctx, name: str, value: Any, role: str, weight: float, stmt: Any) -> None:
    outputs = ctx.graph.meta.outputs
    check_argument_name(name, "output", stmt.span)
    if name in outputs:
        raise SpecNameError(f"duplicate output '{name}'", stmt.span)
    if value is not V.POISON:
        outputs[name] = OutputInfo(name, value.ref, role, weight, stmt.span)


def expect_tensor(value: Any, e: A.Node) -> None:
    if value is not V.POISON and not isinstance(value, V.Tensor):
        hint = "apply it to a tensor: `x -> layer`" if isinstance(value, V.Layer) else None
        raise SpecTypeError(f"expected a tensor, got {V.describe(value)}", e.span, hint=hint)


def _for(ctx: Ctx, frame: Frame, stmt: A.For) -> None:
    check_shadowing(stmt.var, stmt.span)
    for value in iterate(ctx, frame, stmt.iter):
        ctx.tick(stmt.span)
        failures = ctx.failures
        frame.env[stmt.var] = value
        frame.loop_depth += 1
        try:
            run_statements(ctx, frame, stmt.body)
        finally:
            frame.loop_depth -= 1
        if ctx.failures > failures:
            break  # the later iterations would fail the same way, once per iteration
    frame.used.add(stmt.var)


def _assert(ctx: Ctx, frame: Frame, stmt: A.Assert) -> None:
    cond = evaluate(ctx, frame, stmt.cond)
    if cond is V.POISON or cond is True:
        return
    if cond is not False:
        raise SpecTypeError(f"assert needs true or false, got {V.describe(cond)}",
                            stmt.cond.span)
    message = evaluate(ctx, frame, stmt.message) if stmt.message else "assertion failed"
    raise EvalError(str(message), stmt.span)


def _expr(ctx: Ctx, frame: Frame, stmt: A.ExprStmt) -> None:
    value = evaluate(ctx, frame, stmt.value)
    if isinstance(value, V.Layer):
        raise SpecTypeError(f"{V.describe(value)} is never applied", stmt.span,
                            hint="apply it to a value: `y = x -> layer`")


def warn_unused(ctx: Ctx, frame: Frame) -> None:
    for name, value in frame.env.items():
        if isinstance(value, V.Tensor) and name not in frame.used and name in frame.spans:
            ctx.graph.meta.warnings.append(SpecError(
                f"'{name}' is assigned but never used", frame.spans[name], severity="warning",
                hint="remove it, or use it in an output or a merge"))
