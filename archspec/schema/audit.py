"""The audit report as ``archspec audit --json`` writes it, as pydantic models.

``AuditJson.model_validate_json(text).model_dump(mode="json")`` gives back exactly the
document that was read (same keys, order and values); ``to_report`` turns it into the
``AuditReport`` dataclass the rest of archspec uses.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Totals(Strict):
    params: int
    trainable_params: int
    non_trainable_params: int
    buffers: int
    macs: int
    flops: int
    activation_bytes: int = Field(description="outputs of every non-input node, batch 1")
    nodes: int


class TrainingMemory(Strict):
    """Bytes per device (docs/audit.md, "Training memory")."""

    weights: int
    gradients: int
    optimizer: int
    buffers: int
    activations: int
    batch: int = Field(description="samples per device")
    strategy: str = Field(description="single, ddp, zero1, zero2, zero3 or fsdp")
    world: int = Field(description="devices")
    precision: str = Field(description="fp32, bf16-mixed or fp16-mixed")
    total: int


class ReceptiveField(Strict):
    size: tuple[float, float]
    jump: tuple[float, float]
    start: tuple[float, float]
    spatial: bool
    global_: bool
    misaligned: bool
    why: str


class Row(Strict):
    """One layer."""

    name: str
    op: str
    block: str
    shape: list[int] = Field(description="without the batch dimension")
    params: int
    buffers: int
    macs: int
    flops: int
    activation_bytes: int
    rf: tuple[float, float] | None
    rf_global: bool
    role: str
    is_block: bool


class BlockRow(Strict):
    """The rollup of one block instance."""

    path: str
    kind: str
    parent: str | None
    depth: int
    params: int
    macs: int
    flops: int
    activation_bytes: int
    nodes: int
    role: str
    signature: str


class Run(Strict):
    """Consecutive instances of one block, shown as one line."""

    parent: str
    kind: str
    first: str
    last: str
    count: int
    params_each: int
    macs_total: int
    label: str


class AuditJson(Strict):
    """``archspec audit --json``: inference totals first, then the whole report."""

    model_config = ConfigDict(extra="forbid", title="archspec audit report")

    params: int
    trainable_params: int
    non_trainable_params: int
    buffers: int
    macs: int
    flops: int
    activation_bytes: int
    name: str
    inference: Totals
    training: Totals = Field(description="inference plus the auxiliary heads")
    dead: Totals = Field(description="nodes that reach no output")
    param_bytes: dict[str, int]
    buffer_bytes: int
    input_bytes: int
    peak_activation_bytes: int
    training_memory: TrainingMemory
    receptive_field: ReceptiveField | None
    rows: list[Row]
    blocks: list[BlockRow]
    runs: list[Run]
    input_shapes: dict[str, list[int]]
    dtype_bytes: int
    depth: int | None
    warnings: list[str]

    def to_report(self) -> Any:
        """The ``archspec.passes.report.AuditReport`` this document describes."""
        from archspec.audit_view import from_dict
        return from_dict(self.model_dump(mode="json"))
