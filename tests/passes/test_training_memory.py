"""Training memory per device (docs/audit.md, "Training memory"): one device, DDP, ZeRO
stages 1-3 and FSDP, fp32 and mixed precision, with byte counts worked out by hand."""

from __future__ import annotations

import pytest
from test_audit_totals import tiny

from archspec.passes import audit
from archspec.passes.training import TrainingSetup

# tiny(trainable=False): 41,418 params of which 40,970 trainable (the conv's 448 frozen);
# saved activations: x 3,072 + conv 16,384 + relu 16,384 + pool 4,096 + flat 4,096 + fc 10
PARAMS, TRAINABLE, SAVED = 41_418, 40_970, 44_042


def memory(strategy: str, world: int, batch: int = 1, precision: str = "fp32"):
    return audit(tiny(trainable=False), lints=False,
                 train=TrainingSetup(strategy, world, batch, precision)).training_memory


def test_one_device_is_the_adam_line_of_every_audit():
    tm = memory("single", 1, batch=2)
    assert (tm.weights, tm.gradients, tm.optimizer, tm.buffers, tm.activations) == (
        PARAMS * 4, TRAINABLE * 4, 2 * TRAINABLE * 4, 0, SAVED * 4 * 2)
    assert tm == audit(tiny(trainable=False), batch=2, lints=False).training_memory


def test_ddp_replicates_everything_per_device():
    tm = memory("ddp", 8, batch=32)
    assert (tm.weights, tm.gradients, tm.optimizer, tm.activations) == (
        165_672, 163_880, 327_760, SAVED * 4 * 32)
    assert (tm.strategy, tm.world, tm.batch) == ("ddp", 8, 32)


@pytest.mark.parametrize(("strategy", "weights", "gradients", "optimizer"), [
    # world 3: each shard is ⌈count / 3⌉ elements (the flat shards are padded to equal size)
    ("zero1", 41_418 * 4, 40_970 * 4, 27_314 * 4),   # ⌈81,940 / 3⌉ = 27,314
    ("zero2", 41_418 * 4, 13_657 * 4, 27_314 * 4),   # ⌈40,970 / 3⌉ = 13,657
    ("zero3", 13_806 * 4, 13_657 * 4, 27_314 * 4),   # ⌈41,418 / 3⌉ = 13,806
    ("fsdp", 13_806 * 4, 13_657 * 4, 27_314 * 4),
])
def test_zero_stages_shard_state_per_device(strategy, weights, gradients, optimizer):
    tm = memory(strategy, 3, batch=5)
    assert (tm.weights, tm.gradients, tm.optimizer) == (weights, gradients, optimizer)
    assert tm.activations == SAVED * 4 * 5  # activations are never sharded
    assert tm.total == weights + gradients + optimizer + SAVED * 4 * 5


def test_mixed_precision_keeps_fp32_state_and_halves_activations():
    tm = memory("zero2", 2, batch=4, precision="bf16-mixed")
    assert (tm.weights, tm.gradients, tm.optimizer, tm.activations) == (
        PARAMS * 4, 20_485 * 4, 40_970 * 4, SAVED * 2 * 4)
    assert tm.precision == "bf16-mixed"


@pytest.mark.parametrize(("args", "message"), [
    (("zero4", 2), "strategy 'zero4'"), (("single", 2), "world 1 for a single device"),
    (("ddp", 0), "expected positive"), (("ddp", 2, 1, "int8"), "precision 'int8'")])
def test_bad_setups_are_value_errors(args, message):
    with pytest.raises(ValueError, match=message):
        TrainingSetup(*args)
