"""B6: the cost of an async transaction, `async with atomic()`.

A block of two writes, `async with atomic()` around two `await create.a(...)`, against
the best that async code can do without it: the same two writes inside a sync
`with transaction.atomic()`, run in one `sync_to_async` hop. The block pays one hop
per write and one for the commit (the transaction begins in the first write's hop), and
takes a connection for itself: from Django's pool on PostgreSQL with
`OPTIONS["pool"]` (Django 5.1+), where the goal is <= 1.3; a new connection otherwise,
which is recorded only. The writes use multisync's `.a()` spelling, whose wrapper is
built once, so that the ratio is the block's cost and not that of Django's `acreate()`
building a `sync_to_async` wrapper on every call.

A recorded row measures the floor of any async block of two writes: the same three
hops (begin and write, write, commit) on asgiref's own thread and a connection that it
keeps. What the block adds to it is its own thread and connection, taken and given back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from asgiref.sync import sync_to_async
from django.db import connection, connections, transaction

from benchmarks.harness import Ratio, async_round_robin, paired

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

GOAL = 1.3


def _write(text: str) -> None:
    from benchmarks.benchapp.models import Question

    Question.multisync.create(question_text=text)


async def _async_block(n: int) -> None:
    """`n` async blocks of two writes."""
    from benchmarks.benchapp.models import Question
    from multisync.django import atomic

    for _ in range(n):
        async with atomic():
            await Question.multisync.create.a(question_text="first")
            await Question.multisync.create.a(question_text="second")


def _two_writes() -> None:
    with transaction.atomic():
        _write("first")
        _write("second")


_one_hop = sync_to_async(_two_writes)


async def _sync_block(n: int) -> None:
    """`n` sync blocks of two writes, each in one hop."""
    for _ in range(n):
        await _one_hop()


def _begin_and_write() -> transaction.Atomic:
    block = transaction.Atomic(None, savepoint=True, durable=False)
    block.__enter__()
    _write("first")
    return block


def _commit(block: transaction.Atomic) -> None:
    block.__exit__(None, None, None)


_begin_hop, _write_hop, _commit_hop = map(sync_to_async, (_begin_and_write, _write, _commit))


async def _three_hops(n: int) -> None:
    """`n` sync blocks of two writes, entered, written and committed in three hops."""
    for _ in range(n):
        block: Any = await _begin_hop()
        await _write_hop("second")
        await _commit_hop(block)


async def run(*, quick: bool) -> list[Ratio]:
    """Measure B6 on the configured database; the goal applies with a pool only."""
    variants: dict[str, Callable[[int], Awaitable[None]]] = {
        "async with": _async_block,
        "one hop": _sync_block,
        "three hops": _three_hops,
    }
    timings = await async_round_robin(
        variants, rounds=3 if quick else 15, number=10 if quick else 100
    )
    pooled = bool(connection.settings_dict["OPTIONS"].get("pool"))
    await sync_to_async(connections.close_all)()
    name = "B6 async with atomic(): 2 writes vs 1 sync hop"
    floor = "B6 the floor: 3 hops on one kept connection vs 1 sync hop"
    return [
        paired(timings, name, "async with", "one hop", GOAL if pooled else None),
        paired(timings, floor, "three hops", "one hop", None),
    ]
