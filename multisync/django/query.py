"""`MultisyncQuerySet` and `MultisyncManager`: every query method with `.a()` (DESIGN 2d).

Methods that run a query (`get`, `count`, `create`, ...) are pairs whose async half
runs Django's own method in the thread-sensitive executor, with the same result as
Django's `a`-prefixed twin, which is one more spelling of the same async half
(`aget` = `get.a` = `get_async`).

Methods that return a queryset (`filter`, `select_related`, ...) are pairs whose async
half builds the queryset and evaluates it in that executor, so that the queryset
returned by `await qs.filter.a(...)` iterates, `len()`s and indexes with no query.

Managers proxy every pair of their queryset class, as Django's `from_queryset`
proxies plain methods (it skips descriptors), with the same spellings (`aget` runs a
manager subclass's `get` override too) and the queryset method's signature and flags
(`alters_data`). Related managers of models whose default manager is a
`MultisyncManager` inherit those pairs, and their `add`, `remove`, `set`, `clear`,
`create`, `get_or_create` and `update_or_create` become pairs too.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, TypeVar

from asgiref.sync import sync_to_async
from django.db.models import Manager, Model, QuerySet

from multisync.core import (
    Multisync,
    Traits,
    async_name,
    build_pair,
    install,
    is_pair,
    sync_half,
    traits_of,
)
from multisync.django.checks import installed_errors
from multisync.django.peers import track_peers

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine, Iterator

    from django.core.checks import CheckMessage

__all__ = ["MultisyncManager", "MultisyncQuerySet"]

_M = TypeVar("_M", bound=Model)

# Methods that run a query; each has an `a`-prefixed twin in Django 4.2+.
QUERY_METHODS = (
    "aggregate",
    "bulk_create",
    "bulk_update",
    "contains",
    "count",
    "create",
    "delete",
    "earliest",
    "exists",
    "explain",
    "first",
    "get",
    "get_or_create",
    "in_bulk",
    "last",
    "latest",
    "update",
    "update_or_create",
)

# Methods that return a new queryset, which `.a()` returns evaluated.
CHAINING_METHODS = (
    "alias",
    "all",
    "annotate",
    "complex_filter",
    "dates",
    "datetimes",
    "defer",
    "difference",
    "distinct",
    "exclude",
    "extra",
    "fetch_mode",  # Django 6.1
    "filter",
    "intersection",
    "none",
    "only",
    "order_by",
    "prefetch_related",
    "reverse",
    "select_for_update",
    "select_related",
    "union",
    "using",
    "values",
    "values_list",
)

# Related-manager methods that change the relation; each has an `a` twin.
RELATED_MANAGER_METHODS = ("add", "clear", "remove", "set")


def _build_and_evaluate(
    sync_fn: Callable[..., QuerySet[Any]], *args: Any, **kwargs: Any
) -> QuerySet[Any]:
    queryset = sync_fn(*args, **kwargs)
    queryset._fetch_all()  # what iteration does; fills _result_cache
    return queryset


_build_and_evaluate_in_thread = sync_to_async(_build_and_evaluate)


def evaluating_async_half(
    sync_fn: Callable[..., QuerySet[Any]],
) -> Callable[..., Coroutine[Any, Any, Any]]:
    """The async half of a queryset-returning method: build it, evaluate it, return it.

    Both run in one hop: a custom override may touch the database while building.
    """

    async def async_half(self: QuerySet[Any], *args: Any, **kwargs: Any) -> QuerySet[Any]:
        return await _build_and_evaluate_in_thread(sync_fn, self, *args, **kwargs)

    functools.update_wrapper(async_half, sync_fn)
    async_half.__name__ = async_name(sync_fn.__name__)
    async_half.__qualname__ = async_name(sync_fn.__qualname__)
    return async_half


_EVALUATED = Traits(async_factory=evaluating_async_half)


def _query_pairs(namespace: dict[str, Any]) -> None:
    """Define the pairs of MultisyncQuerySet in its class body namespace."""
    for name in QUERY_METHODS:
        traits = Traits(extra_async_names=(f"a{name}",))
        namespace[name] = build_pair(getattr(QuerySet, name), None, traits)
    for name in CHAINING_METHODS:
        if hasattr(QuerySet, name):
            sync_fn = getattr(QuerySet, name)
            namespace[name] = build_pair(sync_fn, evaluating_async_half(sync_fn), _EVALUATED)


if TYPE_CHECKING:
    # What checkers see of the pairs built in `_query_pairs` (a stub-only module).
    from multisync.django._spellings import ManagerPairs, QuerySetPairs

    _QuerySetBase = QuerySetPairs
else:
    _QuerySetBase = QuerySet


class MultisyncQuerySet(_QuerySetBase[_M]):
    """A `QuerySet` whose query methods have `.a()` and `_async` spellings.

    ```python
    question = await Question.objects.filter(pk=1).get.a()
    choices = await question.choice_set.filter.a(votes__gt=0)  # evaluated
    ```

    !!! note "Added in 0.1"
    """

    _query_pairs(locals())

    def _fetch_all(self) -> None:
        # Instances loaded by one evaluation are peers: awaiting a relation on one of
        # them loads it for all (see batching).
        fresh = self._result_cache is None
        super()._fetch_all()
        if fresh and self._result_cache is not None:
            self._result_cache = track_peers(self._result_cache)

    @classmethod
    def as_manager(cls) -> MultisyncManager[Any]:
        """A `MultisyncManager` for this queryset class, as `QuerySet.as_manager` does."""
        manager: MultisyncManager[Any] = MultisyncManager.from_queryset(cls)()
        manager._built_with_as_manager = True  # type: ignore[attr-defined]  # as Django does
        return manager

    as_manager.__func__.queryset_only = True  # type: ignore[attr-defined]


def _public_pairs(
    queryset_class: type[QuerySet[Any]],
) -> Iterator[tuple[str, Multisync[..., Any]]]:
    seen: set[str] = set()
    for klass in queryset_class.__mro__:
        for name, value in vars(klass).items():
            if name in seen or not is_pair(value):
                continue
            seen.add(name)
            queryset_only = getattr(value, "queryset_only", None)
            if not (queryset_only or (queryset_only is None and name.startswith("_"))):
                yield name, value


async def _evaluated(queryset: QuerySet[Any]) -> QuerySet[Any]:
    if queryset._result_cache is None:  # a prefetched one is ready
        await _evaluate_in_thread(queryset)
    return queryset


def _evaluate(queryset: QuerySet[Any]) -> None:
    # Through the instance, not `QuerySet._fetch_all`: a subclass may override it
    # (libraries that post-process results do), and iteration would run the override.
    queryset._fetch_all()


_evaluate_in_thread = sync_to_async(_evaluate)


def _manager_pair(name: str, queryset_pair: Multisync[..., Any]) -> Multisync[..., Any]:
    """A manager method whose halves call the same halves on `get_queryset()`."""

    def sync_half(self: Manager[Any], *args: Any, **kwargs: Any) -> Any:
        return getattr(self.get_queryset(), name)(*args, **kwargs)

    async def async_half(self: Manager[Any], *args: Any, **kwargs: Any) -> Any:
        return await getattr(self.get_queryset(), name).a(*args, **kwargs)

    return _named_pair(name, queryset_pair, sync_half, async_half)


def _manager_all_pair(queryset_pair: Multisync[..., Any]) -> Multisync[..., Any]:
    """`all()`, Django's exception: it returns `get_queryset()` itself.

    Not a copy: a related manager's prefetched results must survive.
    """

    def sync_half(self: Manager[Any]) -> Any:
        return self.get_queryset()

    async def async_half(self: Manager[Any]) -> Any:
        return await _evaluated(self.get_queryset())

    return _named_pair("all", queryset_pair, sync_half, async_half)


def _named_pair(
    name: str,
    queryset_pair: Multisync[..., Any],
    sync_fn: Callable[..., Any],
    async_fn: Callable[..., Coroutine[Any, Any, Any]],
) -> Multisync[..., Any]:
    for half, spelling in ((sync_fn, name), (async_fn, async_name(name))):
        # As Django's own manager proxies do (`functools.wraps`): the queryset method's
        # signature, docstring and flags, `alters_data` above all, which keeps templates
        # from calling `{{ objects.create }}`.
        functools.update_wrapper(half, sync_half(queryset_pair))
        half.__name__ = spelling
        half.__qualname__ = f"MultisyncManager.{spelling}"
    # The queryset pair's traits make Django's twin (`aget`) a spelling of this pair
    # too, so a manager subclass that overrides `get` is run by `aget()` as well, and
    # an override of a chaining method gets an evaluating async half.
    return build_pair(sync_fn, async_fn, traits_of(queryset_pair))


class _ProxiesPairs(Manager[Any]):
    """Makes `from_queryset` proxy multisync pairs too, not only plain functions."""

    @classmethod
    def _get_queryset_methods(cls, queryset_class: type[QuerySet[Any]]) -> dict[str, Any]:
        methods: dict[str, Any] = super()._get_queryset_methods(queryset_class)
        for name, pair in _public_pairs(queryset_class):
            methods[name] = _manager_all_pair(pair) if name == "all" else _manager_pair(name, pair)
            # Django proxied the async spellings (`aget`, `get_async`) as plain defs;
            # the manager's own pair installs them as its async half instead.
            for spelling in pair.async_names:
                methods.pop(spelling, None)
        return methods

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Related managers (built by Django for `question.choice_set`) add these.
        for name in RELATED_MANAGER_METHODS:
            sync_fn = vars(cls).get(name)
            if callable(sync_fn) and not is_pair(sync_fn):
                twin = vars(cls).get(f"a{name}")
                install(cls, name, sync_fn, twin, Traits(extra_async_names=(f"a{name}",)))


if TYPE_CHECKING:
    _ManagerBase = ManagerPairs
else:  # Manager itself is `BaseManager.from_queryset(QuerySet)`; this is the same idea.
    _ManagerBase = _ProxiesPairs.from_queryset(MultisyncQuerySet, "BaseMultisyncManager")


class MultisyncManager(_ManagerBase[_M, MultisyncQuerySet[_M]]):
    """A `Manager` whose query methods have `.a()` and `_async` spellings.

    ```python
    class Question(models.Model):
        objects = MultisyncManager()

    question = await Question.objects.get.a(pk=1)
    ```

    Related managers of a model whose default manager is a `MultisyncManager`
    (`question.choice_set`, `pizza.toppings`) have the same spellings, plus those of
    `add`, `remove`, `set`, `clear`, `create`, `get_or_create` and `update_or_create`.

    !!! note "Added in 0.1"
    """

    def check(self, **kwargs: Any) -> list[CheckMessage]:
        """Django's manager checks, and multisync.E001 once per model (from its first)."""
        errors: list[CheckMessage] = super().check(**kwargs)
        model = self.model
        first = next(m for m in model._meta.managers if isinstance(m, MultisyncManager))
        if first is self:
            errors += installed_errors(model)
        return errors
