"""The guard: a clear error for unloaded relations touched in async code (DESIGN 2c).

Django raises a generic `SynchronousOnlyOperation` when sync code in a running event
loop reaches for the database, at `connection.cursor()`: after the query is compiled,
before anything is sent or cached. multisync swaps, per model, the class of each
related descriptor for a subclass that turns exactly that error into
`UnprefetchedRelatedModelAccessError`, naming the relation and the fix. Nothing is
checked on the hot path: a loaded relation costs what it cost before, and
`DJANGO_ALLOW_ASYNC_UNSAFE` works as Django defines it, because the error only ever
comes from Django's own check.

    forward FK / one-to-one, reverse one-to-one, GenericForeignKey, deferred fields:
        `__get__` is wrapped.
    reverse FK, many-to-many, GenericRelation (managers):
        building a manager or a lazy queryset stays allowed; the manager's querysets
        get a class whose evaluating methods (iteration, `len`, `count`, `get`, ...)
        are wrapped, and `count()`/`exists()` of many-to-many managers too.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import SynchronousOnlyOperation
from django.db.models.fields.related import RelatedField
from django.db.models.fields.related_descriptors import (
    ForwardManyToOneDescriptor,
    ReverseManyToOneDescriptor,
    ReverseOneToOneDescriptor,
)
from django.db.models.query_utils import DeferredAttribute
from django.utils.functional import cached_property

from multisync.core import is_pair, sync_half, variable_name
from multisync.django._compat import generic_classes
from multisync.django._settings import guard_enabled
from multisync.django.exceptions import UnprefetchedRelatedModelAccessError

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.db.models import Model, QuerySet

__all__ = ["gives_stored_value", "guard_model", "original_class", "relation_error"]

# --- the message --------------------------------------------------------------------


def relation_error(
    model: type[Model], name: str, *, kind: str
) -> UnprefetchedRelatedModelAccessError:
    """The error for sync access to `model.<name>`.

    `kind` picks the advice: "select" (`select_related`), "prefetch"
    (`prefetch_related`) or "deferred".
    """
    variable = variable_name(model.__name__)
    if kind == "deferred":
        msg = (
            f"`{model.__name__}.{name}` was deferred, and loading it here would run a "
            "database query inside an async context. Use "
            f"`await {variable}.a.{name}`, or leave it out of `.defer()`/`.only()`."
        )
    else:
        loader = "select_related" if kind == "select" else "prefetch_related"
        msg = (
            f"`{model.__name__}.{name}` is not loaded, and loading it here would run a "
            "database query inside an async context. Use "
            f"`await {variable}.a.{name}`, or load it up front with "
            f'`{loader}("{name}")`.'
        )
    return UnprefetchedRelatedModelAccessError(msg)


def _converted(
    error: SynchronousOnlyOperation, model: type[Model], name: str, kind: str
) -> SynchronousOnlyOperation:
    """Our error for Django's; Django's itself if the guard is off or it is ours already.

    The caller raises ours `from None`: its traceback is then the user's line and the
    raise, not Django's internals and the `KeyError` of an empty cache before them.
    """
    if isinstance(error, UnprefetchedRelatedModelAccessError) or not guard_enabled():
        return error
    return relation_error(model, name, kind=kind)


# --- single-valued descriptors ------------------------------------------------------


def _relation_of(descriptor: Any) -> tuple[type[Model], str]:
    """The (model, attribute name) a guarded descriptor was installed for."""
    return descriptor.__dict__["_multisync_relation"]  # type: ignore[no-any-return]


def _guarded_get(kind: str, base_get: Callable[..., Any]) -> Callable[..., Any]:
    """A `__get__` that turns Django's async error for this relation into ours.

    It calls the original class's `__get__` directly: a `super()` call would cost more
    than Django's whole cached-value path.
    """

    def __get__(self: Any, instance: Model | None, cls: type[Model] | None = None) -> Any:  # noqa: N807
        __tracebackhide__ = True
        try:
            return base_get(self, instance, cls)
        except SynchronousOnlyOperation as error:
            # Django only queries for an instance, never for the class.
            converted = _converted(error, type(instance), _relation_of(self)[1], kind)  # type: ignore[arg-type]
            if converted is error:
                raise
        raise converted from None

    return __get__


def _deferred_get(self: Any, instance: Model | None, cls: type[Model] | None = None) -> Any:
    __tracebackhide__ = True
    if instance is None:
        return self
    try:  # loaded: the common case, and Django's own first step
        return instance.__dict__[self.field.attname]
    except KeyError:
        pass
    try:
        return DeferredAttribute.__get__(self, instance, cls)
    except SynchronousOnlyOperation as error:
        converted = _converted(error, type(instance), self.field.attname, "deferred")
        if converted is error:
            raise
    raise converted from None


def original_class(descriptor: Any) -> type[Any]:
    """The class `descriptor` had before the guard swapped it for a subclass."""
    cls = type(descriptor)
    return cls.__bases__[0] if "_multisync_guarded" in vars(cls) else cls


def gives_stored_value(descriptor: Any) -> bool:
    """Whether `descriptor` gives a loaded field's stored value as it is.

    Django's plain `DeferredAttribute` does; a custom one (FileField's) converts it.
    """
    get = getattr(type(descriptor), "__get__", None)
    return get is DeferredAttribute.__get__ or get is _deferred_get


# --- managers -----------------------------------------------------------------------

# QuerySet methods that evaluate it (everything else that queries goes through them).
_EVALUATING = (
    "_fetch_all",
    "count",
    "exists",
    "aggregate",
    "iterator",
    "contains",
    "explain",
    "in_bulk",
)


def _converting(
    method: Any, relation: Callable[[Any], tuple[type[Model], str]]
) -> Callable[..., Any]:
    """Wrap a queryset or manager method; `relation(self)` names the relation."""
    if is_pair(method):  # wrap the sync half; the override rule re-pairs it
        method = sync_half(method)

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True
        try:
            return method(self, *args, **kwargs)
        except SynchronousOnlyOperation as error:
            converted = _converted(error, *relation(self), "prefetch")
            if converted is error:
                raise
        raise converted from None

    return wrapper


def _queryset_relation(queryset: QuerySet[Any]) -> tuple[type[Model], str]:
    return queryset._query.__dict__["_multisync_relation"]  # type: ignore[attr-defined,no-any-return]


_GUARDED_QUERYSETS: dict[type[QuerySet[Any]], type[QuerySet[Any]]] = {}


def _guarded_queryset_class(base: type[QuerySet[Any]]) -> type[QuerySet[Any]]:
    """A subclass of `base` whose evaluating methods convert the async error (cached).

    `_clone()` keeps the class, so `.filter()` and friends stay guarded. The relation
    is read from `_query`, which `Query.clone()` copies with its `__dict__`.
    """
    if base in _GUARDED_QUERYSETS:
        return _GUARDED_QUERYSETS[base]
    attrs: dict[str, Any] = {
        name: _converting(getattr(base, name), _queryset_relation)
        for name in _EVALUATING
        if hasattr(base, name)
    }
    # Pickle as the base class, so unpickling needs no dynamic class.
    attrs["__reduce__"] = lambda qs: (_unpickle_queryset, (base, qs.__getstate__()))
    attrs["__module__"] = base.__module__
    attrs["__qualname__"] = base.__qualname__
    guarded: type[QuerySet[Any]] = type(base.__name__, (base,), attrs)
    _GUARDED_QUERYSETS[base] = guarded
    return guarded


def _unpickle_queryset(base: type[QuerySet[Any]], state: dict[str, Any]) -> QuerySet[Any]:
    queryset = base.__new__(base)
    queryset.__setstate__(state)  # type: ignore[attr-defined]  # QuerySet defines it
    return queryset


def _guarded_manager_class(base: type[Any], model: type[Model], name: str) -> type[Any]:
    """A related manager class whose querysets are guarded for `model.<name>`."""

    def get_queryset(self: Any, *args: Any, **kwargs: Any) -> QuerySet[Any]:
        # Django's managers take no arguments; django-taggit's takes `extra_filters`.
        queryset: QuerySet[Any] = super(cast("Any", guarded), self).get_queryset(*args, **kwargs)
        if queryset._result_cache is not None:  # prefetched: nothing to guard
            return queryset
        # Query.clone() copies __dict__, so `.filter()` keeps it; hints would reach routers.
        # `_query`, not `query`: reading `query` would apply the filter that Django defers
        # so that prefetch_related() never builds it for each instance.
        queryset._query.__dict__["_multisync_relation"] = (model, name)  # type: ignore[attr-defined]
        queryset.__class__ = _guarded_queryset_class(type(queryset))
        return queryset

    def __call__(self: Any, *, manager: str) -> Any:  # noqa: N807
        # `question.choice_set(manager="...")` builds a related manager class from another
        # manager of the model: guard that one too.
        built = super(cast("Any", guarded), self).__call__(manager=manager)
        built.__class__ = _guarded_manager_class(type(built), model, name)
        return built

    attrs: dict[str, Any] = {
        "get_queryset": get_queryset,
        "__call__": __call__,
        "__module__": base.__module__,
    }
    # Many-to-many managers count and test through the `through` table (5.1+), not
    # through get_queryset().
    for method_name in ("count", "exists"):
        if method_name in vars(base):
            attrs[method_name] = _converting(vars(base)[method_name], lambda _: (model, name))
    guarded = type(base.__name__, (base,), attrs)
    guarded.__qualname__ = base.__qualname__
    return guarded


_THIRD_PARTY_MANAGERS: dict[tuple[type[Any], type[Model], str], type[Any]] = {}


def _guarded_manager_get(base_get: Callable[..., Any]) -> Callable[..., Any]:
    """A `__get__` for a field that is its own descriptor and returns a related manager.

    django-taggit's `TaggableManager` is one: each access builds a manager, whose
    querysets get guarded as Django's related managers' do.
    """

    def __get__(self: Any, instance: Model | None, cls: type[Model] | None = None) -> Any:  # noqa: N807
        manager = base_get(self, instance, cls)
        if instance is None or not callable(getattr(manager, "get_queryset", None)):
            return manager
        key = (type(manager), type(instance), _relation_of(self)[1])
        if key not in _THIRD_PARTY_MANAGERS:
            _THIRD_PARTY_MANAGERS[key] = _guarded_manager_class(*key)
        manager.__class__ = _THIRD_PARTY_MANAGERS[key]
        return manager

    return __get__


def _is_manager_field(descriptor_class: type[Any]) -> bool:
    """A relation field class that is its own descriptor and gives a manager (taggit's)."""
    return (
        issubclass(descriptor_class, RelatedField)
        and hasattr(descriptor_class, "__get__")
        and bool(descriptor_class.many_to_many or descriptor_class.one_to_many)
    )


# --- swapping descriptor classes ----------------------------------------------------


def _guarded_related_manager_cls(self: Any) -> type[Any]:
    original = next(
        vars(klass)["related_manager_cls"]
        for klass in type(self).__mro__[1:]
        if "related_manager_cls" in vars(klass)
    )
    model, name = _relation_of(self)
    return _guarded_manager_class(original.real_func(self), model, name)


def _guarded_attrs(descriptor_class: type[Any]) -> dict[str, Any] | None:
    """The attributes that guard `descriptor_class`, or None if it needs no guard."""
    if issubclass(descriptor_class, ReverseManyToOneDescriptor):  # includes M2M, generic
        cached = cached_property(_guarded_related_manager_cls)
        cached.__set_name__(descriptor_class, "related_manager_cls")
        return {"related_manager_cls": cached}
    if _is_manager_field(descriptor_class):
        return {"__get__": _guarded_manager_get(descriptor_class.__get__)}
    get = _guarded_single_get(descriptor_class)
    return None if get is None else {"__get__": get}


def _guarded_single_get(descriptor_class: type[Any]) -> Callable[..., Any] | None:
    """The guarded `__get__` of a descriptor that gives one value, if it needs one."""
    if issubclass(descriptor_class, (ForwardManyToOneDescriptor, ReverseOneToOneDescriptor)):
        return _guarded_get("select", descriptor_class.__get__)
    # The GenericForeignKey field is its own descriptor before Django 6.1.
    generic = generic_classes()
    generic_single = tuple(c for c in (generic.foreign_key_descriptor, generic.foreign_key) if c)
    if generic_single and issubclass(descriptor_class, generic_single):
        return _guarded_get("prefetch", descriptor_class.__get__)
    if issubclass(descriptor_class, DeferredAttribute):
        if descriptor_class.__get__ is DeferredAttribute.__get__:
            return _deferred_get
        return _guarded_get("deferred", descriptor_class.__get__)
    return None


_GUARDED_DESCRIPTORS: dict[type[Any], type[Any] | None] = {}


def _guarded_class(descriptor_class: type[Any]) -> type[Any] | None:
    """One guarded subclass per descriptor class, reused across models."""
    if descriptor_class in _GUARDED_DESCRIPTORS:
        return _GUARDED_DESCRIPTORS[descriptor_class]
    attrs = _guarded_attrs(descriptor_class)
    if attrs is None:
        _GUARDED_DESCRIPTORS[descriptor_class] = None
        return None
    attrs["__module__"] = descriptor_class.__module__
    attrs["__qualname__"] = descriptor_class.__qualname__
    attrs["_multisync_guarded"] = True
    guarded = type(descriptor_class.__name__, (descriptor_class,), attrs)
    _GUARDED_DESCRIPTORS[descriptor_class] = guarded
    return guarded


def guard_model(model: type[Model]) -> None:
    """Swap the class of every related descriptor in `model`'s own `__dict__`.

    Swapping the class of the existing object keeps its state: cached
    `RelatedObjectDoesNotExist` classes, pickling, `isinstance` checks. Only an exact
    `type(descriptor) is X` check can tell. Idempotent.
    """
    for name, descriptor in list(vars(model).items()):
        if getattr(type(descriptor), "_multisync_guarded", False):
            continue
        guarded = _guarded_class(type(descriptor))
        if guarded is None:
            continue
        descriptor.__dict__["_multisync_relation"] = (model, name)
        # The related manager class is cached per descriptor; rebuild it guarded.
        descriptor.__dict__.pop("related_manager_cls", None)
        descriptor.__class__ = guarded
