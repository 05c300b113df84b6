"""The async relation namespace `obj.a` (DESIGN 2b).

Every model gets `a`: `await obj.a.<name>` loads a relation or field without blocking
the event loop. In Django's tutorial terms:

    forward FK / one-to-one       await choice.a.question   -> Question (None for a null FK)
    reverse one-to-one            await user.a.profile      -> Profile, or the sync
                                                               RelatedObjectDoesNotExist
    reverse FK                    await question.a.choice_set -> list[Choice]
    many-to-many (either side)    await question.a.tags     -> list[Tag]
    generic relations             await comment.a.content_object -> the object or None;
                                  await question.a.comments -> list[Comment]
    deferred or plain field       await question.a.body     -> the value, loaded if deferred

A value that is already loaded (by `select_related`, `prefetch_related`, an earlier
access or await) is returned at once: no query, no thread hop. Otherwise one
`sync_to_async` hop runs Django's own sync access path (`getattr` for single values,
`prefetch_related_objects` for collections), so exactly the caches Django fills are
filled, and a later sync access in async code runs no query.
"""

from __future__ import annotations

import functools
import inspect
from typing import TYPE_CHECKING, Any, Self, TypeVar, overload

from django.core.exceptions import SynchronousOnlyOperation
from django.db.models import Manager, Model
from django.db.models.fields.related_descriptors import (
    ForeignKeyDeferredAttribute,
    ForwardManyToOneDescriptor,
    ForwardOneToOneDescriptor,
    ManyToManyDescriptor,
    ReverseManyToOneDescriptor,
    ReverseOneToOneDescriptor,
)
from django.db.models.query_utils import DeferredAttribute
from django.utils.functional import cached_property

from multisync.core import AsyncRelations, T
from multisync.django import batching, loading
from multisync.django._compat import cache_name, class_attribute, generic_classes, is_pk_set
from multisync.django.guards import gives_stored_value, original_class

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine
    from typing import TypeAlias

    # Takes the namespace, returns the coroutine that `await obj.a.<name>` awaits.
    Loader: TypeAlias = Callable[["AsyncRelations[Any]"], Coroutine[Any, Any, Any]]

__all__ = ["AsyncRelations", "AsyncRelationsDescriptor", "forget_relations", "install_namespace"]

M = TypeVar("M", bound=Model)

_new = object.__new__


# --- one loader per relation kind ---------------------------------------------------
# Each factory returns the `async def` that a namespace property is: reading
# `question.a.choice_set` calls it and so creates the coroutine that the caller awaits.
# The fast path (already loaded) reads Django's own caches and returns without a hop;
# otherwise `batching.load` loads it, with its peers and concurrent awaits, through the
# kind's strategy in `loading`, and the value is read from the cache that filled.


def _forward(field: Any, *, batched: bool) -> Loader:
    """A forward foreign key or one-to-one; `batched` False runs the sync access itself."""
    name, cache_key, null = field.name, cache_name(field), field.null
    key_state = _key_state(tuple(f.attname for f in field.local_related_fields))
    relation = loading.forward(field)

    async def load(namespace: AsyncRelations[Any]) -> Any:
        instance = namespace._instance
        cache = instance._state.fields_cache
        if cache_key in cache:
            value = cache[cache_key]
            if value is None and not null:
                return getattr(instance, name)  # RelatedObjectDoesNotExist, as sync access
            return value
        null_key = key_state(instance)
        if null_key is None or not batched:
            # A deferred key column: sync access loads it, then the object.
            return await loading.read_in_thread(instance, name)
        if null_key:
            return getattr(instance, name)  # a null key: None, or Django's error
        await batching.load(instance, relation)
        if cache_key not in cache:  # its row is gone: DoesNotExist, as sync access
            return await loading.read_in_thread(instance, name)
        return cache[cache_key]

    return load


_DEFERRED = object()


def _key_state(attnames: tuple[str, ...]) -> Callable[[Model], bool | None]:
    """Whether an instance's key is null; None when a column of it is deferred.

    Read from `__dict__`, never through the descriptor, which would load a deferred
    column in the event loop's thread.
    """
    if len(attnames) == 1:  # the usual foreign key: one column, no generator frames
        (attname,) = attnames

        def one_column(instance: Model) -> bool | None:
            value = instance.__dict__.get(attname, _DEFERRED)
            return None if value is _DEFERRED else value is None

        return one_column

    def columns(instance: Model) -> bool | None:
        values = instance.__dict__
        if not all(attname in values for attname in attnames):
            return None
        return any(values[attname] is None for attname in attnames)

    return columns


def _reverse_one(related: Any) -> Loader:
    name, cache_key = related.get_accessor_name(), cache_name(related)
    relation = loading.reverse_one(related)

    async def load(namespace: AsyncRelations[Any]) -> Any:
        instance = namespace._instance
        cache = instance._state.fields_cache
        if cache_key not in cache:
            if not is_pk_set(instance):
                return await loading.read_in_thread(instance, name)  # Django's own error
            await batching.load(instance, relation)
        value = cache.get(cache_key)
        if value is None:  # missing: RelatedObjectDoesNotExist, with no query
            return getattr(instance, name)
        return value

    return load


def _collection(cache_key: str, name: str, *, reverse_fk: bool = False) -> Loader:
    relation = loading.collection(name, cache_key, reverse_fk=reverse_fk)

    async def load(namespace: AsyncRelations[Any]) -> list[Any]:
        instance = namespace._instance
        if relation.missing(instance):
            await batching.load(instance, relation)
        prefetched = instance.__dict__.get("_prefetched_objects_cache")
        if prefetched is not None and cache_key in prefetched:
            return list(prefetched[cache_key])
        return await loading.list_collection_in_thread(instance, name, cache_key)  # unsaved

    return load


def _generic_foreign(gfk: Any, ct_attname: str, fk_attname: str) -> Loader:
    name = gfk.name
    relation = loading.generic_foreign(gfk, ct_attname)

    async def load(namespace: AsyncRelations[Any]) -> Any:
        instance = namespace._instance
        values = instance.__dict__
        if ct_attname not in values or fk_attname not in values:  # deferred: as sync access
            return await loading.read_in_thread(instance, name)
        if relation.missing(instance):
            await batching.load(instance, relation)
        try:
            return getattr(instance, name)
        except SynchronousOnlyOperation:  # checking the object can need the ContentType cache
            return await loading.read_in_thread(instance, name)

    return load


def _field(model: type[Model], attname: str) -> Loader:
    # A custom descriptor (FileField's, say) turns the stored value into what sync access
    # gives; Django's plain one gives the stored value itself, which is read directly.
    descriptor = class_attribute(model, attname)
    plain = gives_stored_value(descriptor)
    # A deferred field loads through `refresh_from_db()`, which a batch does not call.
    batched = _batch_safe(descriptor, *_DJANGO_FIELDS) and _refreshes_as_django(model)
    relation = loading.deferred(model, attname)

    async def load(namespace: AsyncRelations[Any]) -> Any:
        instance = namespace._instance
        if attname in instance.__dict__:
            return instance.__dict__[attname] if plain else getattr(instance, attname)
        if batched and relation.missing(instance):  # deferred
            await batching.load(instance, relation)
            if attname in instance.__dict__:
                return instance.__dict__[attname] if plain else getattr(instance, attname)
        return await loading.read_in_thread(instance, attname)  # Django's own path and errors

    return load


def _sync_access(name: str) -> Loader:
    """A loader that runs the sync access itself, in the thread hop: never batched."""

    async def load(namespace: AsyncRelations[Any]) -> Any:
        return await loading.read_listed_in_thread(namespace._instance, name)

    return load


# --- the table of names per model ---------------------------------------------------

# Batching replaces each instance's own access with one query for many, through
# `prefetch_related_objects` or `values_list`. Only these classes, Django's own, are
# known to give the same that way; a subclass may fetch its own way (django-simple-
# history's HistoricForeignKey), a manager may hold unsaved objects (django-
# modelcluster's). Anything else runs the sync access itself, one instance at a time.
_DJANGO_FORWARD = (ForwardManyToOneDescriptor, ForwardOneToOneDescriptor)
_DJANGO_COLLECTIONS = (ManyToManyDescriptor, ReverseManyToOneDescriptor)
_DJANGO_FIELDS = (DeferredAttribute, ForeignKeyDeferredAttribute)


def _batch_safe(descriptor: Any, *djangos: type[Any]) -> bool:
    """Whether loads through `descriptor` may be batched.

    True for Django's own classes, exactly, and for a class that declares
    `multisync_batch_safe = True`: its `get_prefetch_querysets()` gives for many
    instances what its `__get__` gives for each.
    """
    cls = original_class(descriptor)
    return cls in djangos or vars(cls).get("multisync_batch_safe") is True


def _refreshes_as_django(model: type[Model]) -> bool:
    """Whether `model` refreshes as Django does: its `refresh_from_db` and base manager.

    `refresh_from_db()` reads through the base manager, which django-polymorphic, for
    one, replaces (it loads more fields).
    """
    return (
        class_attribute(model, "refresh_from_db") is vars(Model)["refresh_from_db"]
        and type(model._base_manager) is Manager
    )


def _collection_cache_key(descriptor: Any) -> str:
    """The `_prefetched_objects_cache` key Django uses for a collection descriptor."""
    generic_relation = generic_classes().relation_descriptor
    if generic_relation is not None and isinstance(descriptor, generic_relation):
        return descriptor.rel.field.attname  # type: ignore[no-any-return]
    if isinstance(descriptor, ManyToManyDescriptor):
        field = descriptor.rel.field
        # Reverse M2M is cached under the query name, not the accessor (`tag.question_set`
        # under "question"): prefetch_related_objects itself gets this wrong.
        return field.related_query_name() if descriptor.reverse else field.name
    return cache_name(descriptor.rel)


def _field_loaders(model: type[Model], field: Any) -> dict[str, Loader]:
    """The names one field (or reverse relation) of `model` adds to `obj.a`."""
    if field.auto_created and not field.concrete:  # a reverse relation
        return _reverse_loaders(model, field)
    generic_foreign_key = generic_classes().foreign_key or ()
    if isinstance(field, generic_foreign_key):
        return {field.name: _generic_foreign_loader(model, field)}
    if field.many_to_many or field.one_to_many:  # forward M2M, GenericRelation, others'
        return {field.name: _forward_collection(model, field.name)}
    if field.is_relation:  # forward FK / one-to-one
        return {
            field.name: _forward_loader(model, field),
            field.attname: _field(model, field.attname),
        }
    if field.concrete:
        return {field.name: _field(model, field.attname)}
    return {}


def _forward_loader(model: type[Model], field: Any) -> Loader:
    if not _batch_safe(class_attribute(model, field.name), *_DJANGO_FORWARD):
        return _sync_access(field.name)
    # A parent link builds the parent from the child's own (maybe edited) values, where
    # a batch would load the parent's row.
    return _forward(field, batched=not field.remote_field.parent_link)


def _generic_foreign_loader(model: type[Model], field: Any) -> Loader:
    generic = generic_classes()
    djangos = tuple(c for c in (generic.foreign_key, generic.foreign_key_descriptor) if c)
    if not _batch_safe(class_attribute(model, field.name), *djangos):
        return _sync_access(field.name)
    content_type_field: Any = model._meta.get_field(field.ct_field)
    object_id_field: Any = model._meta.get_field(field.fk_field)
    return _generic_foreign(field, content_type_field.attname, object_id_field.attname)


def _django_collections() -> tuple[type[Any], ...]:
    generic_relation = generic_classes().relation_descriptor
    return (*_DJANGO_COLLECTIONS, *((generic_relation,) if generic_relation else ()))


def _forward_collection(model: type[Model], name: str) -> Loader:
    descriptor = class_attribute(model, name)
    if _batch_safe(descriptor, *_django_collections()):
        return _collection(_collection_cache_key(descriptor), name)
    return _sync_access(name)  # a manager Django did not define: django-taggit's, say


def _reverse_loaders(model: type[Model], rel: Any) -> dict[str, Loader]:
    name = rel.get_accessor_name()
    if not name:
        return {}
    descriptor = class_attribute(model, name)
    generic_rel = generic_classes().relation_rel
    if generic_rel is not None and isinstance(rel, generic_rel):
        # The accessor a GenericRelation's `related_query_name` adds to its target: a
        # manager Django builds over the generic columns, not a foreign key's.
        return {name: _sync_access(name)}
    if rel.one_to_one:
        batch_safe = _batch_safe(descriptor, ReverseOneToOneDescriptor)
        return {name: _reverse_one(rel) if batch_safe else _sync_access(name)}
    if _batch_safe(descriptor, *_django_collections()):
        reverse_fk = original_class(descriptor) is ReverseManyToOneDescriptor
        key = _collection_cache_key(descriptor)
        return {name: _collection(key, name, reverse_fk=reverse_fk)}
    if isinstance(descriptor, ReverseManyToOneDescriptor):  # a subclass: its own way
        return {name: _sync_access(name)}
    return {}


def _loaders(model: type[Model]) -> dict[str, Loader]:
    """Every name `model().a` answers, with the loader for it.

    A name that Django's rules do not describe (a third-party field, a property that
    shadows a field) degrades to the sync access in a thread hop: it never takes the
    other names down with it.
    """
    loaders: dict[str, Loader] = {}
    for field in model._meta.get_fields():  # fields, relations, generic fields
        try:
            field_loaders = _field_loaders(model, field)
        except Exception:  # noqa: BLE001  # a field whose shape Django's rules do not fit
            field_loaders = {field.name: _sync_access(field.name)}
        loaders.update(field_loaders)
    if "pk" not in loaders:  # `pk` is a property, not a field; answer it like one
        loaders["pk"] = _field(model, model._meta.pk.attname)
    for name in loaders:
        if _shadowed(model, name):
            loaders[name] = _sync_access(name)
    return loaders


def _shadowed(model: type[Model], name: str) -> bool:
    """Whether `model` (or a parent) replaces Django's attribute `name` with its own.

    A proxy model's `pk` property, say: `obj.a.pk` must give what `obj.pk` gives.
    """
    attribute = class_attribute(model, name)
    if name == "pk":
        return attribute is not vars(Model)["pk"]
    return isinstance(attribute, _USER_ATTRIBUTES) or inspect.isfunction(attribute)


_USER_ATTRIBUTES = (property, functools.cached_property, cached_property)


# --- the namespace ------------------------------------------------------------------


# `AsyncRelations` itself lives in the Django-free `multisync.core.protocols`, where the mypy
# plugin can name it while mypy analyses Django's `Model`; it is re-exported here.


def _namespace_class(model: type[Model]) -> type[AsyncRelations[Any]]:
    """The per-model subclass of `AsyncRelations`, built on first use."""
    loaders = _loaders(model)
    attrs: dict[str, Any] = {"__slots__": (), "_names": frozenset(loaders), "_model": model}
    for name, loader in loaders.items():
        attrs[name] = property(loader, doc=f"Await to load `{model.__name__}.{name}`.")
    namespace = type(f"{model.__name__}AsyncRelations", (AsyncRelations,), attrs)
    namespace.__module__ = model.__module__
    model._multisync_relations = namespace  # type: ignore[attr-defined]
    return namespace


def forget_relations(model: type[Model]) -> None:
    """Drop a model's namespace class, after a late model added a reverse relation."""
    if "_multisync_relations" in vars(model):
        model._multisync_relations = None  # type: ignore[attr-defined]


class AsyncRelationsDescriptor:
    """`Model.a`: gives each instance its `AsyncRelations` namespace.

    A non-data descriptor (not a `property`, which Django's `Options` collects as a
    model property): a field or attribute named `a` on a model shadows it, and the
    system check `multisync.E002` reports that.
    """

    # Typed as `multisync.core.protocols.AsyncRelationsAccessor`, what the mypy plugin gives
    # every model: on an instance, that instance's `AsyncRelations`.
    @overload
    def __get__(self, instance: None, owner: type[Any], /) -> Self: ...
    @overload
    def __get__(self, instance: T, owner: type[Any] | None = None, /) -> AsyncRelations[T]: ...
    def __get__(self, instance: Any, owner: type[Any] | None = None, /) -> Any:
        if instance is None:
            return self
        model = type(instance)
        # A plain class attribute (the type attribute cache makes it cheap); a subclass
        # inherits its parent's, hence the `_model` check.
        namespace = model._multisync_relations
        if namespace is None or namespace._model is not model:
            namespace = _namespace_class(model)
        relations = _new(namespace)
        relations._instance = instance
        return relations


def install_namespace() -> None:
    """Give every model `a` (idempotent)."""
    if not isinstance(vars(Model).get("a"), AsyncRelationsDescriptor):
        Model.a = AsyncRelationsDescriptor()  # mypy sees `Model.a` through multisync.mypy
        Model._multisync_relations = None  # type: ignore[attr-defined]
