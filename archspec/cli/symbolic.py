"""``--input 3xHxW``: what check and audit print for a network with symbolic input sizes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from archspec.cli.options import bad
from archspec.cli.output import fmt_shape

MAX_SIZES = 64  # rows of an audit table (a concrete load each where no formula exists)


def is_symbolic(net: Any) -> bool:
    from archspec.api import SymbolicNetwork
    return isinstance(net, SymbolicNetwork)


def output_shapes(net: Any) -> str:
    """``out [1000]`` for each output: formulas for a symbolic network."""
    if is_symbolic(net):
        return ", ".join(f"{k} {fmt_formula(v)}" for k, v in net.symbolic_outputs.items())
    return ", ".join(f"{k} {fmt_shape(v)}" for k, v in net.outputs.items())


def fmt_formula(shape: tuple) -> str:
    """Like a concrete shape (``1000``, ``3×224×224``) unless a dim is a formula."""
    from archspec.symbolic.dims import fmt_shape as fmt_symbolic
    from archspec.symbolic.dims import shape_is_symbolic
    return fmt_symbolic(shape) if shape_is_symbolic(shape) else fmt_shape(shape)


def print_valid(net: Any) -> None:
    """The valid set statement and its caveats (spec code that reads sizes); with spec code
    that branches on sizes, one line per case."""
    if not net.cases:
        print(f"  valid sizes: {net.shapes.valid.describe()}")
    else:
        where = ", ".join(dict.fromkeys(str(t.where) for c in net.cases if c.shapes
                                        for t in c.shapes.tests))
        print(f"  cases (spec code compares sizes at {where}):")
        for case in net.cases:
            answer = (f"{case_outputs(case.shapes)}; valid sizes: {case.shapes.valid.describe()}"
                      if case.shapes else case.failure)
            print(f"    where {case.describe_conditions()}: {answer}")
    for caveat in net.caveats():
        print(f"  note: {caveat}")


def case_outputs(shapes: Any) -> str:
    return ", ".join(f"{k} {fmt_formula(v)}" for k, v in shapes.outputs.items())


def parse_sizes(text: str | None) -> list[int] | None:
    """``--sizes 224,320,448`` or ``--sizes 224:640:32`` (start:stop:step, stop included)."""
    if text is None:
        return None
    try:
        if ":" in text:
            start, stop, step = (int(p) for p in text.split(":"))
            sizes: Sequence[int] = range(start, stop + 1, step) if step > 0 else []
        else:
            sizes = [int(p) for p in text.split(",")]
    except ValueError:
        raise bad("--sizes", f"expected 224,320,448 or START:STOP:STEP, got {text!r}") from None
    if not sizes or (sizes[0] if isinstance(sizes, range) else min(sizes)) < 1:
        raise bad("--sizes", f"expected positive sizes, got {text!r}")
    if len(sizes) > MAX_SIZES:  # a range is counted here, never listed
        raise bad("--sizes", f"at most {MAX_SIZES} sizes ({len(sizes)} given)")
    return list(sizes)


def check_sizes(text: str | None, request: Any, files: int) -> list[int] | None:
    """``--sizes`` needs size symbols (``--input 3xHxW`` or in the spec) and one spec."""
    sizes = parse_sizes(text)
    if sizes is not None and request.input_shape is not None and not any(
            isinstance(d, str) for d in request.input_shape):
        raise bad("--sizes", "needs size names in --input, e.g. --input 3xHxW")
    if sizes is not None and files != 1:
        raise bad("--sizes", "a table of sizes takes one spec")
    return sizes


def require_sizes(net: Any, request: Any, command: str) -> None:
    """``build`` of a spec that writes size symbols (``input x: [3, H, W]``) needs a size (or
    ``--dynamic``): a located error at the input, with a valid size in the hint."""
    from archspec.errors import SpecTypeError
    if not is_symbolic(net) or request.input_shape is not None:
        return
    example = "x".join(str(net.shapes.reference.get(d, d)) if isinstance(d, str) else str(d)
                       for d in net.input_dims)
    first = net.ir.meta.inputs[0]
    raise SpecTypeError(
        f"input '{first}' has size symbols {list(net.input_dims)}: {command} needs sizes",
        net.ir.nodes[first]["data"].span,
        hint=f"give a size, e.g. --input {example} (valid sizes: "
             f"{net.shapes.valid.describe()}), or export with --dynamic")


def plain(item: Any) -> str:
    """A constraint in plain text (``(H - 11)//48 - 5 >= 1``)."""
    from archspec.symbolic.constraints import Constraint
    if isinstance(item, Constraint):
        relation = ">=" if item.kind == "≥" else "=="
        return f"{item.lhs.plain()} {relation} {item.rhs.plain()}"
    return " or ".join("(" + " and ".join(plain(c) for c in option) + ")"
                       for option in item.options)


def failing_at(net: Any, point: dict[str, int]) -> Any:
    """The constraint failing at ``point``, in the case of the spec's size comparisons that
    holds there (None in a case not analysed: the concrete load decides)."""
    shapes = net.shapes_at(**point) if net.cases else net.shapes
    return shapes.valid.failing(**point) if shapes is not None else None


def print_size_table(net: Any, doc: dict[str, Any]) -> None:
    """One line per size of ``doc["sizes"]`` (cli/formulas.py): totals, or why invalid."""
    from archspec.audit_view import fmt_bytes, fmt_count
    print(f"{net.name}: {output_shapes(net)}; valid sizes: {doc['valid']}")
    print(f"{'size':>6}  {'params':>9}  {'MACs':>9}  {'FLOPs':>9}  {'activations':>11}  "
          f"{'peak':>10}  {'training':>10}")
    for row in doc["sizes"]:
        if not row["valid"]:
            print(f"{row['size']:>6}  invalid: {row['reason']} ({row['at']})")
            continue
        print(f"{row['size']:>6}  {fmt_count(row['params']):>9}  {fmt_count(row['macs']):>9}  "
              f"{fmt_count(row['flops']):>9}  {fmt_bytes(row['activation_bytes']):>11}  "
              f"{fmt_bytes(row['peak_activation_bytes']):>10}  "
              f"{fmt_bytes(row['training_bytes']):>10}")
    setup = doc["training"]
    print(f"training: per device, {setup['strategy']} over {setup['world']} device(s), batch "
          f"{setup['batch']} per device, {setup['precision']}, Adam (docs/audit.md)")
    for caveat in doc["caveats"]:
        print(f"note: {caveat}")
