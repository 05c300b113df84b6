"""A paired, round-robin benchmark runner.

Every variant of a benchmark runs once per round, in turn, in the same process; a
ratio is taken inside each round (variant / baseline) and the median over rounds is
reported. Pairing cancels most of the drift of a noisy machine, which is why the
ratios are the numbers to read, not the absolute times.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable


@dataclass
class Ratio:
    """One measured ratio and the goal it is held to."""

    name: str
    variant: str
    baseline: str
    value: float
    goal: float | None
    unit_variant: float
    unit_baseline: float
    unit: str = "ns"

    @property
    def met(self) -> bool | None:
        """Whether the goal is met, or None when the ratio is only recorded."""
        return None if self.goal is None else self.value <= self.goal


@dataclass
class Absolute:
    """One measured absolute figure and the goal it is held to."""

    name: str
    value: float
    goal: float | None
    unit: str

    @property
    def met(self) -> bool | None:
        """Whether the goal is met, or None when the figure is only recorded."""
        return None if self.goal is None else self.value <= self.goal


@dataclass
class Timings:
    """Per-round timings of each variant, in the unit they were measured in."""

    rounds: dict[str, list[float]] = field(default_factory=dict)

    def median(self, variant: str) -> float:
        """The median of a variant over all rounds."""
        return statistics.median(self.rounds[variant])

    def ratio(self, variant: str, baseline: str) -> float:
        """The median over rounds of variant / baseline within each round."""
        pairs = zip(self.rounds[variant], self.rounds[baseline], strict=True)
        return statistics.median(v / b for v, b in pairs)


def per_call_ns(fn: Callable[[int], None], number: int) -> float:
    """Run `fn(number)` (a loop of `number` operations) and return ns per operation."""
    start = time.perf_counter_ns()
    fn(number)
    return (time.perf_counter_ns() - start) / number


def round_robin(variants: dict[str, Callable[[int], None]], *, rounds: int, number: int) -> Timings:
    """Run each variant once per round, in turn, and collect ns per operation."""
    timings = Timings({name: [] for name in variants})
    for fn in variants.values():  # warm-up: caches, lazy imports, thread pools
        fn(max(1, number // 10))
    for _ in range(rounds):
        for name, fn in variants.items():
            timings.rounds[name].append(per_call_ns(fn, number))
    return timings


async def async_round_robin(
    variants: dict[str, Callable[[int], Awaitable[None]]], *, rounds: int, number: int
) -> Timings:
    """`round_robin` for coroutines, all in the running event loop."""
    timings = Timings({name: [] for name in variants})
    for fn in variants.values():
        await fn(max(1, number // 10))
    for _ in range(rounds):
        for name, fn in variants.items():
            start = time.perf_counter_ns()
            await fn(number)
            timings.rounds[name].append((time.perf_counter_ns() - start) / number)
    return timings


def paired(timings: Timings, name: str, variant: str, baseline: str, goal: float | None) -> Ratio:
    """The paired ratio of two variants (in ns), with their medians."""
    return Ratio(
        name,
        variant,
        baseline,
        timings.ratio(variant, baseline),
        goal,
        timings.median(variant),
        timings.median(baseline),
    )
