"""Training memory per device: one device, data parallel (DDP) or sharded (ZeRO stages 1-3,
FSDP), Adam, fp32 or mixed precision (docs/audit.md, "Training memory"). Pure arithmetic on
the audit's totals: the same function serves concrete ints and cost formulas (SizePolys).
"""

from __future__ import annotations

from typing import Any, NamedTuple

ADAM_STATES = 2  # exp_avg and exp_avg_sq per trainable parameter
# strategy -> ZeRO stage: 1 shards the optimizer state, 2 also the gradients, 3 also weights
STAGES = {"single": 0, "ddp": 0, "zero1": 1, "zero2": 2, "zero3": 3, "fsdp": 3}
# precision -> (bytes of weights, gradients and optimizer state; bytes of an activation);
# None: the audit's dtype for both
PRECISIONS: dict[str, tuple[int, int] | None] = {
    "fp32": None, "bf16-mixed": (4, 2), "fp16-mixed": (4, 2)}


class _Setup(NamedTuple):
    strategy: str = "single"
    world: int = 1
    batch: int = 1
    precision: str = "fp32"


class TrainingSetup(_Setup):
    """How the network is trained: ``strategy`` over ``world`` devices, ``batch`` samples per
    device, ``precision`` (mixed: fp32 master weights, gradients and Adam state; half-width
    activations, as under torch.autocast). A named tuple: as a frozen dataclass it was 0.4 ms
    of every audit's start-up."""

    __slots__ = ()

    def __new__(cls, strategy: str = "single", world: int = 1, batch: int = 1,
                precision: str = "fp32") -> TrainingSetup:
        if strategy not in STAGES:
            raise ValueError(f"strategy {strategy!r}: expected one of {', '.join(STAGES)}")
        if precision not in PRECISIONS:
            raise ValueError(f"precision {precision!r}: expected one of "
                             f"{', '.join(PRECISIONS)}")
        if world < 1 or batch < 1 or (strategy == "single" and world != 1):
            raise ValueError(f"world {world}, batch {batch}: expected positive ints (world 1 "
                             "for a single device)")
        return super().__new__(cls, strategy, world, batch, precision)

    @property
    def stage(self) -> int:
        return STAGES[self.strategy]

    def shard(self, count: Any, from_stage: int) -> Any:
        """Elements one device holds: ``⌈count / world⌉`` when this stage shards them (torch
        pads the flat shard to equal sizes), else all of them."""
        return -(-count // self.world) if self.stage >= from_stage else count


def per_device(setup: TrainingSetup, params: int, trainable: int, buffers: int,
               saved_elements: Any, dtype_bytes: int) -> dict[str, Any]:
    """Bytes per device: weights, gradients, optimizer, buffers and activations (at
    ``setup.batch``); ``saved_elements``: the activation elements saved for backward, batch
    1 (an int, or a SizePoly)."""
    state, act = PRECISIONS[setup.precision] or (dtype_bytes, dtype_bytes)
    return {"weights": setup.shard(params, 3) * state,
            "gradients": setup.shard(trainable, 2) * state,
            "optimizer": setup.shard(ADAM_STATES * trainable, 1) * state,
            "buffers": buffers * dtype_bytes,
            "activations": saved_elements * (setup.batch * act)}
