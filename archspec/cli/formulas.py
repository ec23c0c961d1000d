"""``audit FILE --input 3xHxW``: costs as exact formulas in the size symbols, and the table of
``--sizes`` evaluated from them (docs/cli.md, docs/symbolic.md "Cost formulas")."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from archspec.cli.symbolic import failing_at, output_shapes, plain
from archspec.passes.training import TrainingSetup, per_device

PER_SIZE = ("per size only (a shard ⌈Ψ/N⌉ of a parameter count that depends on the size "
            "has no formula)")
LABELS = {"params": "params", "trainable_params": "trainable", "buffers": "buffers",
          "macs": "MACs", "flops": "FLOPs", "activation_bytes": "activations",
          "training_bytes": "training"}


def formula_document(net: Any, sizes: list[int] | None, setup: TrainingSetup) -> dict[str, Any]:
    """What ``audit --input 3xHxW [--sizes …] --json`` prints (schema: "audit-sizes")."""
    from archspec.symbolic.costs import NoFormula, cost_formulas
    shapes = net.shapes
    doc: dict[str, Any] = {
        "name": net.name, "symbols": list(shapes.symbols), "valid": valid_statement(net),
        "caveats": net.caveats(), "reference": dict(shapes.reference),
        "training": {"strategy": setup.strategy, "world": setup.world, "batch": setup.batch,
                     "precision": setup.precision}}
    try:
        formulas = cost_formulas(net)
    except NoFormula as e:
        return {**doc, "formulas": None, "peak_activation_bytes": [], "no_formula": str(e),
                "at_reference": concrete_row(net, shapes.reference, setup),
                "sizes": [size_row(net, s, setup, None) for s in sizes or ()]}
    training = training_poly(formulas.training_totals, formulas.saved_activation_bytes,
                             setup)
    texts = {k: {"text": str(p), "plain": p.plain()} for k, p in formulas.totals.items()}
    texts["training_bytes"] = None if training is None else {"text": str(training),
                                                             "plain": training.plain()}
    return {**doc, "formulas": texts,
            "peak_activation_bytes": [{"node": c.node, "text": str(c.bytes),
                                       "plain": c.bytes.plain()} for c in formulas.peak],
            "no_formula": None,
            "at_reference": evaluated(formulas, setup, shapes.reference),
            "sizes": [size_row(net, s, setup, formulas) for s in sizes or ()]}


def valid_statement(net: Any) -> str:
    """The valid set, across the cases of spec code that compares sizes (caveats apart)."""
    if net.cases:
        from archspec.symbolic.branches import describe
        return describe(net.cases)
    return net.shapes.valid.describe()


def training_poly(totals: dict[str, Any], saved_bytes: Any, setup: TrainingSetup,
                  dtype_bytes: int = 4) -> Any:
    """Training memory per device as a SizePoly, or None when a shard ⌈Ψ/N⌉ of a
    size-dependent parameter count has no formula (then it is evaluated per size)."""
    from archspec.symbolic.poly import SizePoly
    try:
        parts = per_device(setup, totals["params"], totals["trainable_params"],
                           totals["buffers"], saved_bytes.exact_div(dtype_bytes), dtype_bytes)
    except TypeError:
        return None
    return sum(parts.values(), SizePoly.of(0))


def evaluated(formulas: Any, setup: TrainingSetup, env: dict[str, int]) -> dict[str, Any]:
    """Every total at ``env``, training memory per device, and the peak with its node."""
    values = {k: p.evaluate(env) for k, p in formulas.totals.items()}
    train = {k: formulas.training_totals[k].evaluate(env)
             for k in ("params", "trainable_params", "buffers")}
    saved = formulas.saved_activation_bytes.evaluate(env) // formulas.dtype_bytes
    values["training_bytes"] = sum(per_device(
        setup, train["params"], train["trainable_params"], train["buffers"], saved,
        formulas.dtype_bytes).values())
    values["peak_activation_bytes"], values["peak_node"] = formulas.peak_at(env)
    return values


def size_row(net: Any, size: int, setup: TrainingSetup, formulas: Any | None
             ) -> dict[str, Any]:
    """Every symbol set to ``size``: the formulas' values (or, without formulas, the concrete
    audit's), or why the size is invalid."""
    point = {name: size for name in net.shapes.symbols}
    failing = failing_at(net, point)
    if failing is not None:
        return {"size": size, "valid": False, "reason": plain(failing),
                "at": str(getattr(failing, "origin", ""))}
    values = evaluated(formulas, setup, point) if formulas else concrete_row(net, point, setup)
    return {"size": size, "valid": True, **values}


def concrete_row(net: Any, point: dict[str, int], setup: TrainingSetup) -> dict[str, Any]:
    report = net.at(**point).audit(train=setup)
    t = report.inference
    return {"params": t.params, "trainable_params": t.trainable_params, "buffers": t.buffers,
            "macs": t.macs, "flops": t.flops, "activation_bytes": t.activation_bytes,
            "training_bytes": report.training_memory.total,
            "peak_activation_bytes": report.peak_activation_bytes, "peak_node": None}


def print_formulas(net: Any, doc: dict[str, Any]) -> None:
    """The formulas, then their values at the reference size."""
    from archspec.audit_view import fmt_bytes, fmt_count
    from archspec.symbolic.load import fmt_reference
    print(f"{net.name}: {output_shapes(net)}; valid sizes: {doc['valid']}")
    for caveat in doc["caveats"]:
        print(f"note: {caveat}")
    if doc["formulas"] is None:
        print(f"no cost formulas: {doc['no_formula']}")
    else:
        print(f"costs for every valid {', '.join(doc['symbols'])} (bytes at fp32, batch 1; "
              f"training: {setup_text(doc['training'])}):")
        for key, label in LABELS.items():
            formula = doc["formulas"][key]
            print(f"  {label:<12} {formula['text'] if formula else PER_SIZE}")
        print(f"  {'peak live':<12} {peak_text(doc['peak_activation_bytes'])}")
    at = doc["at_reference"]
    peak_node = f" after {at['peak_node']}" if at["peak_node"] else ""
    print(f"at {fmt_reference(doc['reference'])}: params {fmt_count(at['params'])}, MACs "
          f"{fmt_count(at['macs'])}, FLOPs {fmt_count(at['flops'])}, activations "
          f"{fmt_bytes(at['activation_bytes'])}, peak {fmt_bytes(at['peak_activation_bytes'])}"
          f"{peak_node}, training {fmt_bytes(at['training_bytes'])}")


def peak_text(candidates: list[dict[str, str]]) -> str:
    if len(candidates) == 1:
        return f"{candidates[0]['text']} (after {candidates[0]['node']})"
    return (f"the largest of {len(candidates)} candidate live sets "
            f"(after {', '.join(c['node'] for c in candidates[:4])}"
            f"{', …' if len(candidates) > 4 else ''}; --json lists their formulas)")


def setup_text(t: dict[str, Any]) -> str:
    from archspec.audit_view import training_setup
    return training_setup(SimpleNamespace(**t))


def row_budgets(row: dict[str, Any], budgets: dict[str, int | None]) -> list[str]:
    """The exceeded budgets of one valid row of the size table."""
    from archspec.audit_view import check_budgets
    report = SimpleNamespace(params=row["params"], macs=row["macs"],
                             activation_bytes=row["activation_bytes"])
    return [f"at {row['size']}: {m}" for m in check_budgets(report, **budgets)]
