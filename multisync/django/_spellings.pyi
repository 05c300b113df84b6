# What type checkers see of `MultisyncQuerySet` and `MultisyncManager` (a stub-only
# module, never imported at runtime).
#
# At runtime the pairs are built in a loop (`_query_pairs`) and the manager proxies
# them, which no checker can follow; these declarations say the same thing. Each query
# method is a `@multisync` pair with django-stubs' signature (so `qs.get.a(...)` is
# typed and `multisync.mypy` can hand the call to django-stubs' lookup checks), and
# each has its `_async` attribute. Methods that return a queryset return the evaluated
# queryset from `.a()`, typed as the same queryset.
#
# Keep the signatures in step with django-stubs' `QuerySet` (django-stubs 6.1).
#
# Pyright reports every pair that overrides a plain method (a descriptor is not a
# method to it); mypy compares the bound types and accepts them.
# pyright: reportIncompatibleMethodOverride=false

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any, Generic, Literal, Self, TypeVar

from django.db.models import Manager, Model, QuerySet
from django.db.models.expressions import Combinable, OrderBy
from django.db.models.fetch_modes import FetchMode

from multisync import BoundMultisync, multisync
from multisync.core import AsyncHalf

_M = TypeVar("_M", bound=Model)
# The queryset class a manager's chaining methods return: `_QS`, given
# by `multisync.django.query` (named here, the stub and that module would import each
# other).
_QS = TypeVar("_QS", bound=QuerySet[Any, Any])

class QueryPairs(Generic[_M]):
    # The methods that run a query, shared by querysets and managers.

    @multisync
    def aggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]: ...
    @multisync
    def count(self) -> int: ...
    @multisync
    def get(self, *args: Any, **kwargs: Any) -> _M: ...
    @multisync
    def create(self, **kwargs: Any) -> _M: ...
    @multisync
    def bulk_create(
        self,
        objs: Iterable[_M],
        batch_size: int | None = None,
        ignore_conflicts: bool = False,
        update_conflicts: bool = False,
        update_fields: Collection[str] | None = None,
        unique_fields: Collection[str] | None = None,
    ) -> list[_M]: ...
    @multisync
    def bulk_update(
        self, objs: Iterable[_M], fields: Iterable[str], batch_size: int | None = None
    ) -> int: ...
    @multisync
    def get_or_create(
        self, defaults: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> tuple[_M, bool]: ...
    @multisync
    def update_or_create(
        self,
        defaults: Mapping[str, Any] | None = None,
        create_defaults: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> tuple[_M, bool]: ...
    @multisync
    def earliest(self, *fields: str | OrderBy) -> _M: ...
    @multisync
    def latest(self, *fields: str | OrderBy) -> _M: ...
    @multisync
    def first(self) -> _M | None: ...
    @multisync
    def last(self) -> _M | None: ...
    @multisync
    def in_bulk(
        self, id_list: Iterable[Any] | None = None, *, field_name: str = "pk"
    ) -> dict[Any, _M]: ...
    @multisync
    def update(self, **kwargs: Any) -> int: ...
    @multisync
    def exists(self) -> bool: ...
    @multisync
    def contains(self, obj: Model) -> bool: ...
    @multisync
    def explain(self, *, format: str | None = None, **options: Any) -> str: ...  # noqa: A002

    # `multisync.mypy` types each of these as the async half of its sync spelling,
    # with the full signature; other checkers see the types written here.
    aggregate_async: AsyncHalf[..., dict[str, Any]]
    count_async: AsyncHalf[[], int]
    get_async: AsyncHalf[..., _M]
    create_async: AsyncHalf[..., _M]
    bulk_create_async: AsyncHalf[..., list[_M]]
    bulk_update_async: AsyncHalf[..., int]
    get_or_create_async: AsyncHalf[..., tuple[_M, bool]]
    update_or_create_async: AsyncHalf[..., tuple[_M, bool]]
    earliest_async: AsyncHalf[..., _M]
    latest_async: AsyncHalf[..., _M]
    first_async: AsyncHalf[[], _M | None]
    last_async: AsyncHalf[[], _M | None]
    in_bulk_async: AsyncHalf[..., dict[Any, _M]]
    update_async: AsyncHalf[..., int]
    exists_async: AsyncHalf[[], bool]
    contains_async: AsyncHalf[[Model], bool]
    explain_async: AsyncHalf[..., str]

    # The same in both: these return a queryset of another row type.
    @multisync
    def values(
        self, *fields: str | Combinable, **expressions: Any
    ) -> QuerySet[_M, dict[str, Any]]: ...
    @multisync
    def values_list(
        self, *fields: str | Combinable, flat: bool = False, named: bool = False
    ) -> QuerySet[_M, Any]: ...
    @multisync
    def dates(
        self,
        field_name: str,
        kind: Literal["year", "month", "week", "day"],
        order: Literal["ASC", "DESC"] = "ASC",
    ) -> QuerySet[_M, dt.date]: ...
    @multisync
    def datetimes(
        self,
        field_name: str,
        kind: Literal["year", "month", "week", "day", "hour", "minute", "second"],
        order: Literal["ASC", "DESC"] = "ASC",
        tzinfo: dt.tzinfo | None = None,
    ) -> QuerySet[_M, dt.datetime]: ...
    @multisync
    def extra(
        self,
        select: dict[str, Any] | None = None,
        where: Sequence[str] | None = None,
        params: Sequence[Any] | None = None,
        tables: Sequence[str] | None = None,
        order_by: Sequence[str | Combinable] | None = None,
        select_params: Sequence[Any] | None = None,
    ) -> QuerySet[Any, Any]: ...

    values_async: AsyncHalf[..., QuerySet[_M, dict[str, Any]]]
    values_list_async: AsyncHalf[..., QuerySet[_M, Any]]
    dates_async: AsyncHalf[..., QuerySet[_M, dt.date]]
    datetimes_async: AsyncHalf[..., QuerySet[_M, dt.datetime]]
    extra_async: AsyncHalf[..., QuerySet[Any, Any]]

class QuerySetPairs(QueryPairs[_M], QuerySet[_M]):
    # `MultisyncQuerySet`'s spellings: chaining methods return the same queryset class.

    # Declared here, not generated by django-stubs for this class, so that its managers
    # (`BallotQuerySet.as_manager()`) derive from `MultisyncManager` as they do at runtime
    # (`MultisyncQuerySet.as_manager` narrows it to `MultisyncManager`).
    @classmethod
    def as_manager(cls) -> ManagerPairs[Any, Any]: ...
    @multisync
    def delete(self) -> tuple[int, dict[str, int]]: ...

    # Attributes, not `@multisync` methods: mypy loses the `Self` of a decorated
    # method when binding it to a subclass. The arguments (`...`) are still checked
    # under mypy: `multisync.mypy` hands every call to django-stubs' lookup checks.
    all: BoundMultisync[[], Self]
    none: BoundMultisync[[], Self]
    filter: BoundMultisync[..., Self]
    exclude: BoundMultisync[..., Self]
    complex_filter: BoundMultisync[..., Self]
    union: BoundMultisync[..., Self]
    intersection: BoundMultisync[..., Self]
    difference: BoundMultisync[..., Self]
    select_for_update: BoundMultisync[..., Self]
    select_related: BoundMultisync[..., Self]
    prefetch_related: BoundMultisync[..., Self]
    annotate: BoundMultisync[..., Self]
    alias: BoundMultisync[..., Self]
    order_by: BoundMultisync[..., Self]
    distinct: BoundMultisync[..., Self]
    reverse: BoundMultisync[[], Self]
    defer: BoundMultisync[..., Self]
    only: BoundMultisync[..., Self]
    using: BoundMultisync[..., Self]
    fetch_mode: BoundMultisync[..., Self]

    delete_async: AsyncHalf[[], tuple[int, dict[str, int]]]
    all_async: AsyncHalf[[], Self]
    none_async: AsyncHalf[[], Self]
    filter_async: AsyncHalf[..., Self]
    exclude_async: AsyncHalf[..., Self]
    complex_filter_async: AsyncHalf[..., Self]
    union_async: AsyncHalf[..., Self]
    intersection_async: AsyncHalf[..., Self]
    difference_async: AsyncHalf[..., Self]
    select_for_update_async: AsyncHalf[..., Self]
    select_related_async: AsyncHalf[..., Self]
    prefetch_related_async: AsyncHalf[..., Self]
    annotate_async: AsyncHalf[..., Self]
    alias_async: AsyncHalf[..., Self]
    order_by_async: AsyncHalf[..., Self]
    distinct_async: AsyncHalf[..., Self]
    reverse_async: AsyncHalf[[], Self]
    defer_async: AsyncHalf[..., Self]
    only_async: AsyncHalf[..., Self]
    using_async: AsyncHalf[..., Self]
    fetch_mode_async: AsyncHalf[..., Self]

class ManagerPairs(QueryPairs[_M], Manager[_M], Generic[_M, _QS]):
    # `MultisyncManager`'s spellings: chaining methods return a `MultisyncQuerySet`.

    def get_queryset(self) -> _QS: ...
    @multisync
    def all(self) -> _QS: ...
    @multisync
    def none(self) -> _QS: ...
    @multisync
    def filter(self, *args: Any, **kwargs: Any) -> _QS: ...
    @multisync
    def exclude(self, *args: Any, **kwargs: Any) -> _QS: ...
    @multisync
    def complex_filter(self, filter_obj: Any) -> _QS: ...
    @multisync
    def union(
        self,
        *other_qs: QuerySet[Model, Any],
        all: bool = False,  # noqa: A002
    ) -> _QS: ...
    @multisync
    def intersection(self, *other_qs: QuerySet[Model, Any]) -> _QS: ...
    @multisync
    def difference(self, *other_qs: QuerySet[Model, Any]) -> _QS: ...
    @multisync
    def select_for_update(
        self,
        nowait: bool = False,
        skip_locked: bool = False,
        of: Sequence[str] = (),
        no_key: bool = False,
    ) -> _QS: ...
    @multisync
    def select_related(self, *fields: str | None) -> _QS: ...
    @multisync
    def prefetch_related(self, *lookups: Any) -> _QS: ...
    @multisync
    def annotate(self, *args: Any, **kwargs: Any) -> _QS: ...
    @multisync
    def alias(self, *args: Any, **kwargs: Any) -> _QS: ...
    @multisync
    def order_by(self, *field_names: str | Combinable) -> _QS: ...
    @multisync
    def distinct(self, *field_names: str) -> _QS: ...
    @multisync
    def reverse(self) -> _QS: ...
    @multisync
    def defer(self, *fields: str | None) -> _QS: ...
    @multisync
    def only(self, *fields: str) -> _QS: ...
    @multisync
    def using(self, alias: str | None) -> _QS: ...
    @multisync
    def fetch_mode(self, fetch_mode: FetchMode) -> _QS: ...

    all_async: AsyncHalf[[], _QS]
    none_async: AsyncHalf[[], _QS]
    filter_async: AsyncHalf[..., _QS]
    exclude_async: AsyncHalf[..., _QS]
    complex_filter_async: AsyncHalf[..., _QS]
    union_async: AsyncHalf[..., _QS]
    intersection_async: AsyncHalf[..., _QS]
    difference_async: AsyncHalf[..., _QS]
    select_for_update_async: AsyncHalf[..., _QS]
    select_related_async: AsyncHalf[..., _QS]
    prefetch_related_async: AsyncHalf[..., _QS]
    annotate_async: AsyncHalf[..., _QS]
    alias_async: AsyncHalf[..., _QS]
    order_by_async: AsyncHalf[..., _QS]
    distinct_async: AsyncHalf[..., _QS]
    reverse_async: AsyncHalf[[], _QS]
    defer_async: AsyncHalf[..., _QS]
    only_async: AsyncHalf[..., _QS]
    using_async: AsyncHalf[..., _QS]
    fetch_mode_async: AsyncHalf[..., _QS]
