"""Output shapes of ops that mix positions (global pools, flatten, linear) on symbolic maps.

Their geometry rule says only that positions mix, so the output shape comes from the op's
own shape rule, run at the reference size and at two larger ones: a dim that does not change
is a constant; one that changes must be one of the input's sizes (a permute moves it) or a
constant times the product of the input's sizes (a flatten), else the size does not follow
from a rule and the user is told to fix it.
"""

from __future__ import annotations

from math import prod

from archspec.errors import SpecError, SpecTypeError
from archspec.ir.graph import OpNode, Shape
from archspec.ops.registry import get
from archspec.symbolic.dims import Dim, SizeProduct, SymShape, evaluate_shape, is_symbolic
from archspec.symbolic.expr import SizeExpr


def probe_environments(reference: dict[str, int]) -> list[dict[str, int]]:
    """The reference and two larger sizes, each symbol moved differently (so that H and W,
    equal at the reference, can be told apart after a permute)."""
    names = sorted(reference)  # different factors: after a //32, H and W still differ
    return [reference,
            {k: (2 + i) * reference[k] + 3 + 5 * i for i, k in enumerate(names)},
            {k: (3 + 2 * i) * reference[k] + 7 + 11 * i for i, k in enumerate(names)}]


def run_rule(n: OpNode, ins: list[SymShape], env: dict[str, int]) -> dict[int, Shape] | None:
    shapes = [evaluate_shape(s, env) for s in ins]
    try:
        result = get(n.op).infer(n.params, shapes)
    except SpecError:
        return None
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], dict):
        return {0: tuple(result[0]), **{p: tuple(s) for p, s in result[1].items()}}
    return {0: tuple(result)}


def probe_output(n: OpNode, ins: list[SymShape], reference: dict[str, int]
                 ) -> dict[int, SymShape]:
    """The output shapes of ``n`` from its shape rule at the reference and larger sizes."""
    runs = [run_rule(n, ins, env) for env in probe_environments(reference)]
    if any(r is None for r in runs):
        raise needs_fixed_size(n, "its shape rule at other sizes")
    factors = size_factors(ins[0])
    shapes = {}
    for port in runs[0]:
        columns = zip(*(r[port] for r in runs))
        dims = [fitted(column, ins[0], factors, reference) for column in columns]
        if any(d is None for d in dims):
            raise needs_fixed_size(n, "a rule (it is not a product of the input's sizes)")
        shapes[port] = tuple(dims)
    return shapes


def size_factors(shape: SymShape) -> tuple[SizeExpr, ...]:
    found: list[SizeExpr] = []
    for d in shape:
        if isinstance(d, SizeProduct):
            found.extend(d.factors)
        elif is_symbolic(d):
            found.append(d)  # type: ignore[arg-type]
    return tuple(found)


def fitted(column: tuple[int, ...], shape: SymShape, factors: tuple[SizeExpr, ...],
           reference: dict[str, int]) -> Dim | None:
    moved = moved_dim(column, shape, reference)
    return moved if moved is not None else fitted_dim(column, factors, reference)


def moved_dim(column: tuple[int, ...], shape: SymShape, reference: dict[str, int]
              ) -> Dim | None:
    """The input size that ``column`` follows at every probe (a permute moves dims)."""
    if len(set(column)) == 1:
        return None
    envs = probe_environments(reference)
    for d in shape:
        if is_symbolic(d) and all(d.evaluate(env) == value  # type: ignore[union-attr]
                                  for env, value in zip(envs, column)):
            return d
    return None


def fitted_dim(column: tuple[int, ...], factors: tuple[SizeExpr, ...],
               reference: dict[str, int]) -> Dim | None:
    if len(set(column)) == 1:
        return column[0]
    if not factors:
        return None
    envs = probe_environments(reference)
    products = [prod(f.evaluate(env) for f in factors) for env in envs]
    if column[0] % products[0]:
        return None
    candidate = SizeProduct(column[0] // products[0], factors)
    if all(candidate.evaluate(env) == value for env, value in zip(envs, column)):
        return candidate
    return None


def needs_fixed_size(n: OpNode, what: str) -> SpecTypeError:
    return SpecTypeError(
        f"'{n.name}' ({n.op}): its output size does not follow from {what} when the input "
        "size is symbolic", n.span,
        hint="give this map a fixed size first (adaptive_avgpool), or check at concrete "
             "sizes (--input 3x224x224)")
