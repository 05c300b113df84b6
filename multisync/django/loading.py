"""How each relation kind loads, in the thread hop: Django's own sync paths.

For one instance, a load is the sync access itself (`getattr`, or listing a manager);
for many, one `prefetch_related_objects` (or one `values_list` query for a deferred
field). The `Relation` of each kind also says which instances still lack it, so that
`batching` adds only those peers to a batch. Everything here is sync: `relations`
calls it through `sync_to_async` or hands it to `batching`, which does.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from asgiref.sync import sync_to_async
from django.core import exceptions as django_exceptions
from django.db import router
from django.db.models import Model, prefetch_related_objects

from multisync.django import peers
from multisync.django._compat import cache_name, class_attribute, is_pk_set
from multisync.django.batching import Relation

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "collection",
    "deferred",
    "forward",
    "generic_foreign",
    "list_collection_in_thread",
    "read_in_thread",
    "read_listed_in_thread",
    "reverse_one",
]

# Django 6.1's FETCH_RAISE forbids implicit fetches; awaiting `obj.a.<name>` is explicit.
_FETCH_BLOCKED: tuple[type[Exception], ...] = tuple(
    error for error in (getattr(django_exceptions, "FieldFetchBlocked", None),) if error is not None
)


# --- one instance -------------------------------------------------------------------


def _read(instance: Model, name: str) -> Any:
    """Django's sync access to `instance.<name>`."""
    try:
        return getattr(instance, name)
    except _FETCH_BLOCKED:  # an empty tuple before Django 6.1: catches nothing
        class_attribute(type(instance), name).fetch_one(instance)
        return getattr(instance, name)


def _list_collection(
    instance: Model, name: str, cache_key: str, *, reverse_fk: bool = False
) -> list[Any]:
    """Prefetch `instance.<name>` as `prefetch_related` would, and list it."""
    if is_pk_set(instance):
        prefetch_related_objects([instance], name)
        peers.track_prefetched([instance._prefetched_objects_cache[cache_key]])  # type: ignore[attr-defined]
        if reverse_fk:
            _adopt_database([instance], cache_key)
    # For an unsaved instance this raises the ValueError that sync access raises.
    return list(getattr(instance, name).all())


def _read_listed(instance: Model, name: str) -> Any:
    """`instance.<name>` as sync code reads it; a manager is listed as `.all()` would be."""
    value = _read(instance, name)
    if _is_manager(value):
        return _list_manager(instance, name, value)
    return value


def _is_manager(value: Any) -> bool:
    return callable(getattr(value, "get_queryset", None)) and callable(getattr(value, "all", None))


def _list_manager(instance: Model, name: str, manager: Any) -> list[Any]:
    """List a third-party manager, through `prefetch_related` when it supports that.

    A manager that prefetches (django-taggit's, for one) then serves sync access from
    the cache that `prefetch_related("<name>")` fills.
    """
    cache_key = getattr(manager, "prefetch_cache_name", None)
    prefetches = hasattr(manager, "get_prefetch_querysets") or hasattr(
        manager, "get_prefetch_queryset"
    )
    if isinstance(cache_key, str) and prefetches and is_pk_set(instance):
        prefetch_related_objects([instance], name)
        cached = instance.__dict__.get("_prefetched_objects_cache", {}).get(cache_key)
        if cached is not None:
            return list(cached)
    return list(manager.all())


read_in_thread = sync_to_async(_read)
list_collection_in_thread = sync_to_async(_list_collection)
read_listed_in_thread = sync_to_async(_read_listed)


# --- many instances: one Relation per kind -------------------------------------------


def forward(field: Any) -> Relation:
    """A forward foreign key or one-to-one.

    `prefetch_related` caches None for a key whose row is gone, where sync access raises
    `DoesNotExist` and caches nothing: a batch leaves such an instance unloaded, for the
    single-instance path to raise what sync access raises.
    """
    name, key = field.name, cache_name(field)
    attnames = tuple(f.attname for f in field.local_related_fields)

    def missing(instance: Model) -> bool:
        # Read from `__dict__`: a deferred key column is loaded by sync access alone.
        values = instance.__dict__
        return key not in instance._state.fields_cache and all(
            values.get(attname) is not None for attname in attnames
        )

    def load_many(instances: list[Model]) -> None:
        prefetch_related_objects(instances, name)
        for instance in instances:
            cache = instance._state.fields_cache
            if cache.get(key, False) is None and None not in field.get_local_related_value(
                instance
            ):
                del cache[key]

    return Relation(name, missing, functools.partial(_read, name=name), load_many)


def reverse_one(related: Any) -> Relation:
    """A reverse one-to-one: a missing object is cached as None, as sync access does."""
    name, key = related.get_accessor_name(), cache_name(related)

    def missing(instance: Model) -> bool:
        return key not in instance._state.fields_cache and is_pk_set(instance)

    return Relation(name, missing, functools.partial(_read, name=name), _prefetch(name))


def collection(name: str, cache_key: str, *, reverse_fk: bool) -> Relation:
    """A reverse foreign key, many-to-many or generic relation: a list per instance.

    The loaded lists become peer groups too, so a loop over them batches in turn.
    """

    def missing(instance: Model) -> bool:
        prefetched = instance.__dict__.get("_prefetched_objects_cache")
        return (prefetched is None or cache_key not in prefetched) and is_pk_set(instance)

    def load_many(instances: list[Model]) -> None:
        prefetch_related_objects(instances, name)
        peers.track_prefetched(i._prefetched_objects_cache[cache_key] for i in instances)  # type: ignore[attr-defined]
        if reverse_fk:
            _adopt_database(instances, cache_key)

    load_one = functools.partial(
        _list_collection, name=name, cache_key=cache_key, reverse_fk=reverse_fk
    )
    return Relation(name, missing, load_one, load_many)


def _adopt_database(instances: list[Model], cache_key: str) -> None:
    """Give an instance with no database the one its loaded children came from.

    Listing a reverse foreign key in sync code sets each child's foreign key to the
    instance, and Django's `__set__` then gives an instance without a database
    (`Question(pk=1)`) one; `prefetch_related` fills the same caches without it.
    """
    for instance in instances:
        children = instance._prefetched_objects_cache[cache_key]  # type: ignore[attr-defined]
        if instance._state.db is None and children:
            instance._state.db = router.db_for_write(type(instance), instance=children[0])


def generic_foreign(gfk: Any, ct_attname: str) -> Relation:
    """A GenericForeignKey: the object, or None where sync access gives None.

    Instances whose content type column is deferred are left to sync access.
    """
    name = gfk.name

    def missing(instance: Model) -> bool:
        values = instance.__dict__
        return not gfk.is_cached(instance) and values.get(ct_attname) is not None

    return Relation(name, missing, functools.partial(_read, name=name), _prefetch(name))


def deferred(model: type[Model], attname: str) -> Relation:
    """A deferred field, loaded for many instances of `model` with one query."""

    def missing(instance: Model) -> bool:
        return attname not in instance.__dict__ and is_pk_set(instance)

    load_one = functools.partial(_read, name=attname)
    return Relation(attname, missing, load_one, _fetch_deferred(model, attname))


def _prefetch(name: str) -> Callable[[list[Model]], None]:
    return functools.partial(_prefetch_related, name=name)


def _prefetch_related(instances: list[Model], name: str) -> None:
    prefetch_related_objects(instances, name)


def _fetch_deferred(model: type[Model], attname: str) -> Callable[[list[Model]], None]:
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
