"""B7: peak memory of loading rows through a MultisyncManager and touching `obj.a`.

Compared with plain Django loading the same rows: goal <= 1.05x. Measured with
tracemalloc, each variant after a warm-up so that one-time imports and caches do not
count against either.
"""

from __future__ import annotations

import gc
import tracemalloc
from typing import TYPE_CHECKING

from benchmarks.harness import Ratio

if TYPE_CHECKING:
    from collections.abc import Callable


def seed(rows: int) -> None:
    """`rows` choices on one question."""
    from benchmarks.benchapp.models import Choice, Question

    question = Question.objects.create(question_text="Memory")
    Choice.objects.bulk_create(
        (Choice(question=question, choice_text=f"Choice {n}") for n in range(rows)),
        batch_size=5_000,
    )


def peak(load: Callable[[], object]) -> int:
    """Peak bytes allocated while `load()` runs and its result is alive."""
    gc.collect()
    tracemalloc.start()
    try:
        result = load()
        _, high = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del result
    return high


def run(*, quick: bool) -> list[Ratio]:
    """Measure B7 and return its ratio."""
    from benchmarks.benchapp.models import Choice

    rows = 2_000 if quick else 100_000
    seed(rows)

    def plain() -> object:
        return list(Choice.objects.all())

    def with_multisync() -> object:
        loaded = list(Choice.multisync.all())
        for choice in loaded:
            choice.a  # noqa: B018  # build each namespace, as an async view would
        return loaded

    plain(), with_multisync()  # warm-up
    plain_peak, multisync_peak = peak(plain), peak(with_multisync)
    return [
        Ratio(
            f"B7 peak memory, {rows:,} rows + obj.a vs plain",
            "multisync",
            "plain",
            multisync_peak / plain_peak,
            1.05,
            multisync_peak / 2**20,
            plain_peak / 2**20,
            "MiB",
        )
    ]
