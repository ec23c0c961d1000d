"""``archspec audit FILE --input 3xHxW [--sizes …] --json``: cost formulas in the size symbols
and their values (docs/cli.md), as pydantic models. ``SizesAuditJson.model_validate_json(text)
.model_dump(mode="json")`` gives back exactly the document that was read."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from archspec.schema.audit import Strict


class Formula(Strict):
    text: str = Field(description="readable: 9,408·(⌊(H - 1)/2⌋ + 1)·(⌊(W - 1)/2⌋ + 1) + …")
    plain: str = Field(description="Python syntax: 9408*((H - 1)//2 + 1)*((W - 1)//2 + 1) + …")


class Formulas(Strict):
    params: Formula
    trainable_params: Formula
    buffers: Formula
    macs: Formula
    flops: Formula
    activation_bytes: Formula = Field(description="every non-input output, batch 1")
    training_bytes: Formula | None = Field(
        description="training memory per device; null when a shard of a size-dependent "
                    "parameter count has no formula (the rows still give it per size)")


class PeakCandidate(Strict):
    node: str = Field(description="the live set right after this node runs")
    text: str
    plain: str


class Training(Strict):
    strategy: str
    world: int
    batch: int
    precision: str


class Values(Strict):
    """The formulas' values at one size (ints), and the node after which the peak happens."""

    params: int
    trainable_params: int
    buffers: int
    macs: int
    flops: int
    activation_bytes: int
    training_bytes: int
    peak_activation_bytes: int
    peak_node: str | None


class SizeKey(Strict):
    size: int = Field(description="every symbol set to it")
    valid: bool = Field(description="true")


class ValidRow(Values, SizeKey):
    """``size`` and ``valid`` first (fields follow the bases in reverse order), then the
    values."""


class InvalidRow(Strict):
    size: int
    valid: bool = Field(description="false")
    reason: str = Field(description="the first failing constraint, in plain text")
    at: str = Field(description="the layer it comes from")


class SizesAuditJson(Strict):
    """Formulas are exact at every valid size; ``peak_activation_bytes`` is the largest of
    its candidates' values."""

    model_config = ConfigDict(extra="forbid", title="archspec audit --input 3xHxW report")

    name: str
    symbols: list[str]
    valid: str = Field(description="the valid set, as a statement")
    caveats: list[str]
    reference: dict[str, int]
    training: Training
    formulas: Formulas | None = Field(description="null when an op's cost needs concrete sizes")
    peak_activation_bytes: list[PeakCandidate]
    no_formula: str | None
    at_reference: Values
    sizes: list[ValidRow | InvalidRow]
