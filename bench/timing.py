"""Timing shared by the bench scripts: calls alternated round by round, so a drifting machine
slows every contender alike."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def interleaved(calls: dict[str, Callable[[], Any]], rounds: int) -> dict[str, list[float]]:
    """Wall seconds of each call in each round."""
    samples: dict[str, list[float]] = {k: [] for k in calls}
    for _ in range(rounds):
        for key, call in calls.items():
            start = time.perf_counter()
            call()
            samples[key].append(time.perf_counter() - start)
    return samples
