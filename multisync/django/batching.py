"""The batch scheduler behind `obj.a`: one query for concurrent awaits and peers.

Awaiting `obj.a.<name>` for a value that is not loaded joins a *batch*: every
instance whose `<name>` is awaited in the same event-loop turn (an `asyncio.gather`,
concurrent tasks) and every *peer* of those instances that lacks it (`peers`). A batch
runs one thread hop and, through the relation's load strategy (`loading`), one query
per relation (in chunks of `peers.CHUNK` instances), filling each instance's caches
exactly as a single load would. Then each awaiter reads its own value from the cache,
so an error that concerns one instance (a missing reverse one-to-one) reaches that
awaiter only.

A batch is keyed by (model, relation, database alias, thread-sensitive context): it
never mixes databases, nor requests whose queries run on different threads and
connections. Each awaiter waits on a future of its own: cancelling one cancels nothing
else; an exception from the batch's query reaches each of them.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from asgiref.sync import SyncToAsync, sync_to_async

from multisync.django import peers

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.db.models import Model

__all__ = ["Relation", "load"]


@dataclass(frozen=True)
class Relation:
    """How to batch one relation of one model: who lacks it, and how to load many."""

    name: str
    missing: Callable[[Model], bool]  # True if this instance must be loaded
    load_one: Callable[[Model], object]  # sync: Django's own path for one instance
    load_many: Callable[[list[Model]], None]  # sync: fills the caches of all of them


@dataclass
class _Batch:
    relation: Relation
    # By `id(instance.__dict__)`: an awaited instance replaces a peer's stand-in.
    instances: dict[int, Model] = field(default_factory=dict)
    waiters: list[asyncio.Future[None]] = field(default_factory=list)


# The batches still open for new members, by (loop, model, relation, alias, context). A
# batch is open for one turn of its event loop, so entries never outlive their loop.
_OPEN: dict[tuple[Any, ...], _Batch] = {}

# The request's thread-sensitive context: its queries run on its own thread.
_THREAD_CONTEXT = getattr(SyncToAsync, "thread_sensitive_context", None)


async def load(instance: Model, relation: Relation) -> None:
    """Load `instance.<relation>` together with its peers and concurrent awaits.

    The first awaiter leads: it yields one turn of the event loop, for every task that is
    ready to run to join, then closes the batch. Alone, it loads in its own task, which
    costs nothing more than a plain hop. With company, a task of the batch's own loads,
    so that cancelling one awaiter cancels nobody else.
    """
    loop = asyncio.get_running_loop()
    context = _THREAD_CONTEXT.get(None) if _THREAD_CONTEXT is not None else None
    key = (id(loop), type(instance), relation.name, instance._state.db, context)
    batch = _OPEN.get(key)
    leader = batch is None
    if batch is None:
        batch = _OPEN[key] = _Batch(relation)
    batch.instances[id(instance.__dict__)] = instance
    for peer in peers.window(instance, relation.missing):
        batch.instances.setdefault(id(peer.__dict__), peer)
    if not leader:
        await _wait(loop, batch)
        return
    try:
        await asyncio.sleep(0)
    except asyncio.CancelledError:
        del _OPEN[key]
        if batch.waiters:  # those who joined still wait: the batch runs without me
            _start(loop, batch)
        raise
    del _OPEN[key]
    if not batch.waiters:  # alone: load in this task (the batch is dropped with it)
        await _load_in_thread(relation, list(batch.instances.values()))
        return
    _start(loop, batch)
    await _wait(loop, batch)


def _take_instances(batch: _Batch) -> list[Model]:
    """The instances to load, which the batch stops holding."""
    instances = list(batch.instances.values())
    batch.instances.clear()
    return instances


# The loop keeps only weak references to tasks; these keep running batches alive.
_RUNNING: set[asyncio.Task[None]] = set()


def _start(loop: asyncio.AbstractEventLoop, batch: _Batch) -> None:
    task = loop.create_task(_run(batch))
    _RUNNING.add(task)
    task.add_done_callback(_RUNNING.discard)


async def _wait(loop: asyncio.AbstractEventLoop, batch: _Batch) -> None:
    waiter = loop.create_future()
    batch.waiters.append(waiter)
    await waiter


async def _run(batch: _Batch) -> None:
    try:
        await _load_in_thread(batch.relation, _take_instances(batch))
    except BaseException as error:  # noqa: BLE001  # every awaiter gets it, whatever it is
        for waiter in batch.waiters:
            if not waiter.done():  # a cancelled awaiter's future is done already
                waiter.set_exception(error)
    else:
        for waiter in batch.waiters:
            if not waiter.done():
                waiter.set_result(None)


def _load_chunks(relation: Relation, instances: list[Model]) -> None:
    if len(instances) == 1:  # nothing to batch: exactly what a sync access runs
        relation.load_one(instances[0])
        return
    chunk = peers.CHUNK
    for start in range(0, len(instances), chunk):
        relation.load_many(instances[start : start + chunk])


_load_in_thread = sync_to_async(_load_chunks)
