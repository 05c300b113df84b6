"""One access, sync or async, turned into an `Outcome` that compares with `==`.

An outcome holds what the access gave (a description of the value, or the exception's
class and message) and what it left behind on the instance: Django's
`_state.fields_cache`, every attribute in the instance's `__dict__` (field values,
`_prefetched_objects_cache`, modelcluster's in-memory relations, a third-party cache
such as django CMS's `_inst`), and the set of deferred fields.

Descriptions are plain data (JSON-ready): a model instance is its class, its primary
key and the values of its loaded concrete fields, so an `as_of()` author and today's
author with the same key differ; a list is a list of descriptions, in order.
Describing never queries: it reads `__dict__` and evaluated result caches only.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Model, QuerySet

if TYPE_CHECKING:
    from collections.abc import Sequence

MAX_DEPTH = 4  # instances inside lists inside caches inside caches: deep enough to differ
_SCALARS = (str, int, float, bool, type(None))
PREFETCHED = "_prefetched_objects_cache"
_IGNORED_ATTRIBUTES = ("_state", PREFETCHED)  # the prefetch cache is compared on its own
_IGNORED_PREFIX = "_multisync"  # multisync's own bookkeeping (peer groups), not a cache


@dataclass(frozen=True)
class Outcome:
    """What one access gave, and the caches it left on its instance."""

    result: Any = None
    error: str | None = None  # "module.Class" of the exception raised, if any
    message: str | None = None
    caches: dict[str, Any] = field(default_factory=dict)

    def differences(self, other: Outcome) -> list[tuple[str, str | None]]:
        """The parts of `other` that differ from this (the sync) outcome.

        Each is `(part, key)`: `("result", None)`, `("error", None)`, or a cache and the
        key in it that differs, such as `("attributes", "refresh_calls")`.
        """
        parts: list[tuple[str, str | None]] = []
        if self.error != other.error:
            parts.append(("error", None))
        elif self.error is None and self.result != other.result:
            parts.append(("result", None))
        for cache in sorted(set(self.caches) | set(other.caches)):
            mine, theirs = self.caches.get(cache), other.caches.get(cache)
            if isinstance(mine, dict) and isinstance(theirs, dict):
                parts.extend(
                    (cache, key)
                    for key in sorted(set(mine) | set(theirs))
                    if mine.get(key, ABSENT) != theirs.get(key, ABSENT)
                    and not self._keeps_listing(cache, key, theirs)
                )
            elif mine != theirs:
                parts.append((cache, None))
        return parts

    def _keeps_listing(self, cache: str, key: str, theirs: dict[str, Any]) -> bool:
        """Whether the other side only kept what this sync access listed, to serve it again.

        `await obj.a.<collection>` fills the prefetch cache on purpose (DESIGN 2b: a
        later sync `.all()` runs no query), where sync `.all()` caches nothing. That
        entry is right exactly when it holds the items sync access listed.
        """
        return (
            cache == PREFETCHED
            and key not in self.caches[cache]
            and self.error is None
            and theirs[key] == self.result
        )

    def part(self, part: str, key: str | None) -> Any:
        """The description of one part that `differences()` named."""
        if part == "error":
            return {"error": self.error, "message": self.message}
        if part == "result":
            return self.result
        value = self.caches.get(part, ABSENT)
        if key is not None and isinstance(value, dict):
            return value.get(key, ABSENT)
        return value


ABSENT = "<absent>"  # a cache key that one side has and the other lacks


# --- the two sides ----------------------------------------------------------------------


def read_sync(instance: Model, name: str) -> Any:
    """`instance.<name>` as sync code reads it; a manager is listed, as `.all()` gives it."""
    value = getattr(instance, name)
    if is_manager(value):
        return list(value.all())
    return value


def sync_outcome(instance: Model, name: str) -> Outcome:
    """Read `instance.<name>` in sync code (no event loop running) and record it."""
    try:
        value = read_sync(instance, name)
    except Exception as error:  # noqa: BLE001  # the exception is the outcome
        return failed(error, instance)
    return succeeded(value, instance)


async def await_name(instance: Model, name: str) -> Any:
    """`await instance.a.<name>`: reading the name and awaiting it, errors included."""
    return await getattr(instance.a, name)


async def gathered_outcomes(instances: Sequence[Model], name: str) -> list[Outcome]:
    """Await `<name>` of every instance together (one `asyncio.gather`), then record each."""
    results = await asyncio.gather(
        *(await_name(instance, name) for instance in instances), return_exceptions=True
    )
    return [
        _recorded(result, instance) for result, instance in zip(results, instances, strict=True)
    ]


async def sequential_outcomes(instances: Sequence[Model], name: str) -> list[Outcome]:
    """Await `<name>` of each instance alone, one after the other, then record each."""
    results: list[Any] = []
    for instance in instances:
        try:
            results.append(await await_name(instance, name))
        except Exception as error:  # noqa: BLE001  # the exception is the outcome
            results.append(error)
    return [
        _recorded(result, instance) for result, instance in zip(results, instances, strict=True)
    ]


def _recorded(result: Any, instance: Model) -> Outcome:
    if isinstance(result, BaseException):
        return failed(result, instance)
    return succeeded(result, instance)


def succeeded(value: Any, instance: Model) -> Outcome:
    """The outcome of an access that gave `value`."""
    return Outcome(result=describe(value), caches=snapshot(instance))


def failed(error: BaseException, instance: Model) -> Outcome:
    """The outcome of an access that raised `error`."""
    kind = type(error)
    return Outcome(
        error=f"{kind.__module__}.{kind.__qualname__}",
        message=str(error)[:300],
        caches=snapshot(instance),
    )


# --- descriptions -----------------------------------------------------------------------


def snapshot(instance: Model) -> dict[str, Any]:
    """The caches and loaded state of `instance`, described."""
    state = instance._state  # noqa: SLF001
    attributes = {
        key: describe(value)
        for key, value in instance.__dict__.items()
        if key not in _IGNORED_ATTRIBUTES and not key.startswith(_IGNORED_PREFIX)
    }
    # Absent and empty mean the same to Django (`prefetch_related_objects` adds `{}`).
    prefetched = instance.__dict__.get(PREFETCHED, {})
    return {
        "fields_cache": {key: describe(value) for key, value in state.fields_cache.items()},
        PREFETCHED: {key: _describe_prefetched(value) for key, value in prefetched.items()},
        "attributes": attributes,
        "deferred": sorted(instance.get_deferred_fields()),
        "state": {"adding": state.adding, "db": state.db},
    }


def _describe_prefetched(value: Any) -> Any:
    """A prefetched collection, described as a `result` listing the same items is."""
    cache = getattr(value, "_result_cache", value)
    return describe(list(cache)) if isinstance(cache, (list, tuple)) else describe(value)


def describe(value: Any, depth: int = 0) -> Any:
    """Plain data that equals another description exactly when the values match."""
    if isinstance(value, _SCALARS):
        return value
    if depth >= MAX_DEPTH:
        return {"too deep": type(value).__qualname__}
    if isinstance(value, Model):
        return describe_instance(value, depth)
    return _describe_container(value, depth)


def _describe_container(value: Any, depth: int) -> Any:
    """Querysets, lists, sets and dicts item by item; anything else by `_describe_object`."""
    if isinstance(value, QuerySet):
        cache = value._result_cache  # noqa: SLF001
        return {"queryset": None if cache is None else describe(list(cache), depth + 1)}
    if isinstance(value, (list, tuple)):
        return [describe(item, depth + 1) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted((describe(item, depth + 1) for item in value), key=repr)
    if isinstance(value, dict):
        return {str(key): describe(item, depth + 1) for key, item in value.items()}
    return _describe_object(value)


def describe_instance(instance: Model, depth: int = 0) -> dict[str, Any]:
    """A model instance: its class, primary key and loaded concrete field values."""
    loaded = instance.__dict__
    return {
        "model": instance._meta.label,  # noqa: SLF001
        "pk": describe(instance.pk, depth + 1),
        "fields": {
            model_field.attname: describe(loaded[model_field.attname], depth + 1)
            for model_field in instance._meta.concrete_fields  # noqa: SLF001
            if model_field.attname in loaded
        },
    }


def _describe_object(value: Any) -> dict[str, Any]:
    """Any other object: by its `repr` when its class defines equality, else by class."""
    if is_manager(value):
        return {"manager": type(value).__qualname__}
    kind = type(value)
    if kind.__eq__ is object.__eq__:
        return {"object": kind.__qualname__}
    text = repr(value)
    if " at 0x" in text:  # the default repr: an address, different on each side
        return {"object": kind.__qualname__}
    return {"object": kind.__qualname__, "repr": text[:300]}


def is_manager(value: Any) -> bool:
    """Whether `value` is a manager (Django's, or a third party's) that `.all()` lists."""
    return callable(getattr(value, "get_queryset", None)) and callable(getattr(value, "all", None))
