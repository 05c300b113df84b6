"""Batched relation loads behind `obj.a`: peers and concurrent awaits (the async N+1 killer).

Awaiting `obj.a.<name>` for a value that is not loaded joins a *batch*: every
instance whose `<name>` is awaited in the same event-loop turn (an `asyncio.gather`,
concurrent tasks) and, when peer loading is on, every *peer* of those instances that
lacks it. A batch runs one thread hop and, through Django's `prefetch_related_objects`,
one query per relation (in chunks of `CHUNK` instances), filling each instance's
caches exactly as a single load would. Then each awaiter reads its own value from the
cache, so an error that concerns one instance (a missing reverse one-to-one) reaches
that awaiter only.

Peers are instances loaded together by one queryset evaluation. Django 6.1 records them
in `instance._state.peers` under `FETCH_PEERS`; elsewhere `MultisyncQuerySet` (and the
lists `obj.a.<collection>` returns) record them here: each instance points to one shared
`PeerGroup`, which holds each peer's `__dict__` (where everything a batch reads and fills
lives), never the instance itself. So peers stay linked through any copy of the results
(`list(qs)`, `[c async for c in qs]`, slices, lists joined from several querysets), and
the tracking keeps no instance alive: one pointer per instance and one per peer in its
group, no weak reference per instance (80 bytes each, a sixth of a small instance).

A batch is keyed by (model, relation, database alias, thread-sensitive context): it
never mixes databases, nor requests whose queries run on different threads and
connections. Each awaiter waits on a future of its own: cancelling one cancels nothing
else; an exception from the batch's query reaches each of them.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from asgiref.sync import SyncToAsync, sync_to_async
from django.db.models import Model, prefetch_related_objects
from django.db.models.base import ModelState

from multisync.django._compat import cache_name, class_attribute
from multisync.django._settings import read_setting

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

__all__ = ["CHUNK", "PeerGroup", "Relation", "load", "track_peers"]

# The most instances one query loads a relation for: large `IN` lists strain databases
# (SQLite caps bound parameters), and a loop over many peers needs only the next ones.
CHUNK = 1_000


# --- peers ----------------------------------------------------------------------------

_PEERS_KEY = "_multisync_peers"


class PeerGroup:
    """What each instance of one queryset evaluation points to, to find the others.

    It holds each peer's `__dict__`, never the instance: all that a batch reads (keys,
    field values, `_state`) and writes (Django's caches) lives there. An instance that
    nobody else holds is freed as usual, whatever the group; to load a relation for a
    peer, a batch builds a stand-in instance over the same `__dict__`, so the real one,
    if it is still alive, finds its cache filled.
    """

    __slots__ = ("cursor", "model", "states")

    def __init__(self, model: type[Model], states: list[dict[str, Any]]) -> None:
        self.model = model
        self.states = states
        self.cursor = 0  # where the last batch started: loops walk peers in order

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled instances come back without peers, as Django's own `peers` do.
        return _no_peers, ()


def _no_peers() -> None:
    return None


_FEWEST_PEERS = 2  # one instance alone has nobody to share a query with


def track_peers(results: list[Any]) -> list[Any]:
    """Record `results` (model instances from one evaluation) as peers of each other.

    Instances of one class form one group. Returns `results` itself.
    """
    if len(results) < _FEWEST_PEERS or not isinstance(results[0], Model) or not peers_enabled():
        return results
    by_class: dict[type[Model], list[dict[str, Any]]] = {}
    for instance in results:
        by_class.setdefault(type(instance), []).append(instance.__dict__)
    for model, states in by_class.items():
        if len(states) < _FEWEST_PEERS:
            continue
        group = PeerGroup(model, states)
        for state in states:
            # The instance's own __dict__: a new key on `_state` would turn its compact
            # shared-key dict into a full one (measured: ~140 bytes per instance).
            state[_PEERS_KEY] = group
    return results


def peers_enabled() -> bool:
    """Whether `MULTISYNC["PEERS"]` leaves peer loading on (the default)."""
    return read_setting("PEERS") is not False


# Django 6.1 records peers itself, under FETCH_PEERS.
_DJANGO_TRACKS_PEERS = hasattr(ModelState, "peers")


def _window(instance: Model, wanted: Callable[[Model], bool]) -> list[Model]:
    """Up to CHUNK - 1 peers of `instance` that lack the relation, from `instance` on."""
    if _DJANGO_TRACKS_PEERS and (django_peers := instance._state.peers):
        live = (peer for ref in django_peers if (peer := ref()) is not None)
        return _wanted(instance, live, wanted)
    group: PeerGroup | None = instance.__dict__.get(_PEERS_KEY)
    if group is None or group.model is not type(instance):
        return []
    states = group.states
    start = group.cursor = _index_of(instance.__dict__, states, group.cursor)
    in_order = itertools.chain(
        itertools.islice(states, start, None), itertools.islice(states, start)
    )
    return _wanted(instance, (_stand_in(group.model, state) for state in in_order), wanted)


def _wanted(
    instance: Model, peers: Iterable[Model], wanted: Callable[[Model], bool]
) -> list[Model]:
    window: list[Model] = []
    own = instance.__dict__
    for peer in peers:
        if peer.__dict__ is not own and type(peer) is type(instance) and wanted(peer):
            window.append(peer)
            if len(window) == CHUNK - 1:
                break
    return window


def _stand_in(model: type[Model], state: dict[str, Any]) -> Model:
    """An instance of `model` over `state`: what it loads fills the peer's own caches."""
    peer: Model = object.__new__(model)
    peer.__dict__ = state
    return peer


def _index_of(state: dict[str, Any], states: list[dict[str, Any]], hint: int) -> int:
    """Where `state` is in `states`, searching from `hint` on (loops go forward)."""
    hint = min(hint, len(states))
    for index in range(hint, len(states)):
        if states[index] is state:
            return index
    for index in range(hint):
        if states[index] is state:
            return index
    return 0


# --- batches --------------------------------------------------------------------------


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
    instances: dict[int, Model] = field(default_factory=dict)
    waiters: list[asyncio.Future[None]] = field(default_factory=list)

    def add(self, instance: Model, *, awaited: bool) -> None:
        """Add an instance; an awaited one replaces a peer's stand-in for its `__dict__`."""
        key = id(instance.__dict__)
        if awaited or key not in self.instances:
            self.instances[key] = instance

    def take_instances(self) -> list[Model]:
        """The instances to load, which the batch stops holding."""
        instances = list(self.instances.values())
        self.instances.clear()
        return instances


# The batches still open for new members, by (loop, model, relation, alias, context). A
# batch is open for one turn of its event loop, so entries never outlive their loop.
_OPEN: dict[tuple[Any, ...], _Batch] = {}


async def load(instance: Model, relation: Relation) -> None:
    """Load `instance.<relation>` together with its peers and concurrent awaits.

    The first awaiter leads: it yields one turn of the event loop, for every task that is
    ready to run to join, then closes the batch. Alone, it loads in its own task, which
    costs nothing more than a plain hop. With company, a task of the batch's own loads,
    so that cancelling one awaiter cancels nobody else.
    """
    loop = asyncio.get_running_loop()
    key = (id(loop), type(instance), relation.name, instance._state.db, _thread_context())
    batch = _OPEN.get(key)
    leader = batch is None
    if batch is None:
        batch = _OPEN[key] = _Batch(relation)
    batch.add(instance, awaited=True)
    if peers_enabled():
        for peer in _window(instance, relation.missing):
            batch.add(peer, awaited=False)
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
    if not batch.waiters:
        await _load_in_thread(relation, batch.take_instances())
        return
    _start(loop, batch)
    await _wait(loop, batch)


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


def _thread_context() -> object:
    """The request's thread-sensitive context: its queries run on its own thread."""
    context = getattr(SyncToAsync, "thread_sensitive_context", None)
    return context.get(None) if context is not None else None


async def _run(batch: _Batch) -> None:
    try:
        await _load_in_thread(batch.relation, batch.take_instances())
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
    for start in range(0, len(instances), CHUNK):
        relation.load_many(instances[start : start + CHUNK])


_load_in_thread = sync_to_async(_load_chunks)


# --- loading many ---------------------------------------------------------------------


def prefetch(name: str, cache_key: str | None = None) -> Callable[[list[Model]], None]:
    """Load a relation for many instances as `prefetch_related(name)` would.

    With `cache_key` (collections), the loaded lists become peer groups too.
    """

    def load_many(instances: list[Model]) -> None:
        prefetch_related_objects(instances, name)
        if cache_key is not None:
            peer_lists(i._prefetched_objects_cache[cache_key] for i in instances)  # type: ignore[attr-defined]

    return load_many


def prefetch_forward(field: Any) -> Callable[[list[Model]], None]:
    """Load a forward foreign key or one-to-one for many instances.

    `prefetch_related` caches None for a key whose row is gone, where sync access raises
    `DoesNotExist` and caches nothing: such an instance is left unloaded, for the
    single-instance path to raise what sync access raises.
    """
    name, key = field.name, cache_name(field)

    def load_many(instances: list[Model]) -> None:
        prefetch_related_objects(instances, name)
        for instance in instances:
            cache = instance._state.fields_cache
            if cache.get(key, False) is None and None not in field.get_local_related_value(
                instance
            ):
                del cache[key]

    return load_many


def fetch_deferred(model: type[Model], attname: str) -> Callable[[list[Model]], None]:
    """Load one deferred field for many instances of `model` with one query."""
    descriptor = class_attribute(model, attname)
    if hasattr(descriptor, "fetch_many"):  # Django 6.1: its own FETCH_PEERS path
        return descriptor.fetch_many  # type: ignore[no-any-return]

    def load_many(instances: list[Model]) -> None:
        values = dict(
            model._base_manager.using(instances[0]._state.db)
            .filter(pk__in=[instance.pk for instance in instances])
            .values_list("pk", attname)
        )
        for instance in instances:
            if instance.pk in values:
                setattr(instance, attname, values[instance.pk])

    return load_many


def peer_lists(querysets: Iterable[Any]) -> None:
    """Record the instances of each evaluated queryset as peers (prefetched lists)."""
    for queryset in querysets:
        if queryset._result_cache is not None:
            track_peers(queryset._result_cache)
