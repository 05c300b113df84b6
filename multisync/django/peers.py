"""Peers: the instances loaded together by one queryset evaluation.

Awaiting a relation on one peer loads it for the peers that lack it too (`batching`).
Django 6.1 records peers
in `instance._state.peers` under `FETCH_PEERS`; elsewhere `MultisyncQuerySet` (and the
lists `obj.a.<collection>` returns) record them here: each instance points to one shared
`PeerGroup`, which holds each peer's `__dict__` (where everything a batch reads and fills
lives), never the instance itself. So peers stay linked through any copy of the results
(`list(qs)`, `[c async for c in qs]`, slices, lists joined from several querysets), and
the tracking keeps no instance alive: one pointer per instance and one per peer in its
group, no weak reference per instance (80 bytes each, a sixth of a small instance).
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from django.db.models import Model
from django.db.models.base import ModelState

from multisync.django._settings import read_setting

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

__all__ = ["CHUNK", "PeerGroup", "enabled", "track_peers", "track_prefetched", "window"]

# The most instances one query loads a relation for: large `IN` lists strain databases
# (SQLite caps bound parameters), and a loop over many peers needs only the next ones.
CHUNK = 1_000

_PEERS_KEY = "_multisync_peers"
# Django 6.1 records peers itself, under FETCH_PEERS.
_DJANGO_TRACKS_PEERS = hasattr(ModelState, "peers")


def enabled() -> bool:
    """Whether `MULTISYNC["PEERS"]` leaves peer loading on (the default)."""
    return read_setting("PEERS") is not False


def track_prefetched(querysets: Iterable[Any]) -> None:
    """Record the instances of each evaluated queryset as peers (prefetched lists)."""
    for queryset in querysets:
        if queryset._result_cache is not None:
            track_peers(queryset._result_cache)


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
    if len(results) < _FEWEST_PEERS or not isinstance(results[0], Model) or not enabled():
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


def window(instance: Model, wanted: Callable[[Model], bool]) -> list[Model]:
    """Up to CHUNK - 1 peers of `instance` that lack the relation, from `instance` on.

    Empty when peer loading is off (`MULTISYNC["PEERS"]`).
    """
    if _DJANGO_TRACKS_PEERS and (django_peers := instance._state.peers):
        live = (peer for ref in django_peers if (peer := ref()) is not None)
        return _wanted(instance, live, wanted) if enabled() else []
    group: PeerGroup | None = instance.__dict__.get(_PEERS_KEY)
    if group is None or group.model is not type(instance) or not enabled():
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
