"""B2-B5: the async ORM paths, against Django's own, side by side in one event loop.

B2  `await obj.save.a()` vs Django's own `await obj.asave()`             goal <= 1.02
B3  cached `await choice.a.question` (select_related): no query, no hop  goal <= 1 us
B4  uncached `await choice.a.question` vs `await Question.objects.aget()`  goal <= 1.05
B5  100 `choice.a.question` loads, gathered (coalesced) and in a loop over peers,
    vs one `aprefetch_related_objects`                                    goal <= 1.5
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from asgiref.sync import sync_to_async
from django.db import connections
from django.db.models import prefetch_related_objects

from benchmarks.harness import Absolute, Ratio, async_round_robin, paired

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine, Iterable

BATCH = 100


def seed() -> None:
    """One hundred questions with one choice each."""
    from benchmarks.benchapp.models import Choice, Question

    questions = Question.objects.bulk_create(
        Question(question_text=f"Question {n}") for n in range(BATCH)
    )
    Choice.objects.bulk_create(
        Choice(question=question, choice_text=f"Choice {n}") for n, question in enumerate(questions)
    )


async def run(*, quick: bool) -> list[Ratio | Absolute]:
    """Measure B2-B5 and return their results."""
    await sync_to_async(seed)()
    results: list[Ratio | Absolute] = []
    results += await _b2_save(quick=quick)
    results += await _b3_cached(quick=quick)
    results += await _b4_uncached(quick=quick)
    results += await _b5_batch(quick=quick)
    # The executor thread holds its own connection; close it so the database can go.
    await sync_to_async(connections.close_all)()
    return results


async def _b2_save(*, quick: bool) -> list[Ratio | Absolute]:
    from benchmarks import django_setup
    from benchmarks.benchapp.models import Question

    django_asave = django_setup.DJANGO_ASAVE

    question = await Question.objects.afirst()
    assert question is not None  # noqa: S101

    async def multisync_save(n: int) -> None:
        for _ in range(n):
            await question.save.a()

    async def djangos_asave(n: int) -> None:
        for _ in range(n):
            await django_asave(question)

    timings = await async_round_robin(
        {"save.a": multisync_save, "django asave": djangos_asave},
        rounds=3 if quick else 15,
        number=5 if quick else 100,
    )
    return [
        paired(timings, "B2 await obj.save.a() vs Django's asave()", "save.a", "django asave", 1.02)
    ]


async def _b3_cached(*, quick: bool) -> list[Ratio | Absolute]:
    from benchmarks.benchapp.models import Choice

    choice = await Choice.objects.select_related("question").afirst()
    assert choice is not None  # noqa: S101

    async def cached(n: int) -> None:
        for _ in range(n):
            await choice.a.question

    async def empty(n: int) -> None:
        for _ in range(n):
            pass

    timings = await async_round_robin(
        {"cached": cached, "loop": empty},
        rounds=3 if quick else 25,
        number=1_000 if quick else 50_000,
    )
    return [
        Absolute(
            "B3 cached await choice.a.question (no hop)",
            timings.median("cached") - timings.median("loop"),
            1_000,
            "ns",
        )
    ]


async def _b4_uncached(*, quick: bool) -> list[Ratio | Absolute]:
    from benchmarks.benchapp.models import Choice, Question

    choice = await Choice.objects.afirst()
    assert choice is not None  # noqa: S101
    question_id = choice.question_id

    async def relation(n: int) -> None:
        for _ in range(n):
            choice._state.fields_cache.clear()  # noqa: SLF001  # unload it again
            await choice.a.question

    async def aget(n: int) -> None:
        for _ in range(n):
            await Question.objects.aget(pk=question_id)

    django_access = sync_to_async(lambda: choice.question)

    async def one_hop(n: int) -> None:
        for _ in range(n):
            choice._state.fields_cache.clear()  # noqa: SLF001
            await django_access()

    timings = await async_round_robin(
        {"a.question": relation, "aget": aget, "hop": one_hop},
        rounds=3 if quick else 15,
        number=20 if quick else 300,
    )
    return [
        paired(
            timings, "B4 uncached await choice.a.question vs aget()", "a.question", "aget", 1.05
        ),
        # Django's sync path for a foreign key costs more than get(pk=...); this row shows
        # what multisync adds to one hop of that path.
        paired(
            timings,
            "B4 uncached await choice.a.question vs one hop of choice.question",
            "a.question",
            "hop",
            None,
        ),
    ]


async def _b5_batch(*, quick: bool) -> list[Ratio | Absolute]:
    from benchmarks.benchapp.models import Choice

    # Peers: loaded by one MultisyncQuerySet evaluation and copied into a list, as
    # `async for` does, the queryset gone (peers stay linked through copies).
    # Strangers: loaded by a plain queryset, so only the coalescing of concurrent
    # awaits can batch them.
    peers = [choice async for choice in Choice.multisync.order_by("pk")[:BATCH]]
    strangers = [choice async for choice in Choice.objects.order_by("pk")[:BATCH]]

    def unload(choices: Iterable[Any]) -> None:
        for choice in choices:
            choice._state.fields_cache.clear()  # noqa: SLF001

    def batch(
        choices: Iterable[Any], load: Callable[[Iterable[Any]], Coroutine[Any, Any, object]]
    ) -> Callable[[int], Coroutine[Any, Any, None]]:
        async def measured(n: int) -> None:
            for _ in range(n):
                unload(choices)
                await load(choices)

        return measured

    async def gathered(choices: Iterable[Any]) -> object:
        return await asyncio.gather(*(choice.a.question for choice in choices))

    async def looped(choices: Iterable[Any]) -> object:
        return [await choice.a.question for choice in choices]

    async def prefetched(choices: Iterable[Any]) -> object:
        return await sync_to_async(prefetch_related_objects)(choices, "question")

    timings = await async_round_robin(
        {
            "gather": batch(strangers, gathered),
            "loop": batch(peers, looped),
            "prefetch": batch(strangers, prefetched),
        },
        rounds=3 if quick else 15,
        number=1 if quick else 5,
    )
    return [
        paired(timings, "B5 gather of 100 c.a.question vs one prefetch", "gather", "prefetch", 1.5),
        paired(
            timings,
            "B5 loop over 100 copied peers' c.a.question vs one prefetch",
            "loop",
            "prefetch",
            1.5,
        ),
    ]
