"""`MultisyncQuerySet`, `MultisyncManager` and related managers (DESIGN 2d).

Every method that runs a query gives, from `await qs.m.a()`, `await qs.m_async()` and
Django's `await qs.am()`, what plain Django's `am()` gives, with as many queries. The
reference is `Model._base_manager`: a plain Django `Manager` over a plain `QuerySet`.
Every method that returns a queryset gives, from `.a()`, that queryset evaluated, so
that reading it in async code runs no query.
"""

from __future__ import annotations

import datetime as dt
import inspect
import pickle
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest
from asgiref.sync import sync_to_async
from django.core.exceptions import FieldDoesNotExist, FieldError
from django.db import connection, models
from django.db.models import Count, F, Manager, Model, QuerySet, Sum
from django.template import Context, Engine
from django.utils import timezone

from multisync import Multisync, UnprefetchedRelatedModelAccessError
from multisync.django import MultisyncManager, MultisyncModel, MultisyncQuerySet
from multisync.django.query import CHAINING_METHODS, QUERY_METHODS
from tests.testapp.models import (
    CALLS,
    AuditedBallotQuerySet,
    Ballot,
    BallotQuerySet,
    Choice,
    Poll,
    Question,
    Topic,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine, Iterator

    from tests.django.conftest import QueryLog

pytestmark = pytest.mark.django_db

# `m.a`: `await qs.get.a()`; `m_async`: `await qs.get_async()`; `am`: Django's `await qs.aget()`.
QUERY_SPELLINGS = ("m.a", "m_async", "am")
# Queryset-returning methods have no Django twin.
CHAIN_SPELLINGS = ("m.a", "m_async")

query_spellings = pytest.mark.parametrize("spelling", QUERY_SPELLINGS)
chain_spellings = pytest.mark.parametrize("spelling", CHAIN_SPELLINGS)
on_both = pytest.mark.parametrize("kind", ["queryset", "manager"])


def spelled(target: Any, name: str, spelling: str) -> Callable[..., Coroutine[Any, Any, Any]]:
    """The async spelling `spelling` of `target.<name>`."""
    if spelling == "m.a":
        return getattr(target, name).a  # type: ignore[no-any-return]
    if spelling == "m_async":
        return getattr(target, f"{name}_async")  # type: ignore[no-any-return]
    return getattr(target, f"a{name}")  # type: ignore[no-any-return]


def source(manager: Any, kind: str) -> Any:
    """The manager itself, or a queryset from it."""
    return manager if kind == "manager" else manager.all()


def ours(model: type[Model], kind: str) -> Any:
    """`Model.objects` (a MultisyncManager), or a MultisyncQuerySet from it."""
    return source(model._default_manager, kind)


def django(model: type[Model], kind: str) -> Any:
    """The same source in plain Django: `_base_manager` is a `Manager` over a `QuerySet`."""
    manager = model._base_manager
    assert type(manager) is Manager
    return source(manager, kind)


def values(instance: Model) -> dict[str, Any]:
    """The concrete field values of an instance, to compare two instances."""
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


@pytest.fixture
def choices(question: Question) -> list[Choice]:
    """The question's two choices in pk order: "Not much" (1 vote), "The sky" (2 votes)."""
    return list(Choice.objects.order_by("pk"))


@pytest.fixture
def poll(db: None) -> Poll:
    """A poll filed under "food" and "news", with ballots by ada (1) and bob (2, counted)."""
    saved = Poll.objects.create(title="Lunch")
    saved.topics.add(Topic.objects.create(name="food"), Topic.objects.create(name="news"))
    Ballot.objects.create(poll=saved, voter="ada", weight=1)
    Ballot.objects.create(poll=saved, voter="bob", weight=2, counted=True)
    return Poll.objects.get(pk=saved.pk)


@pytest.fixture
def utc() -> Iterator[None]:
    """Truncate dates in UTC: MariaDB without time zone tables cannot convert them."""
    with timezone.override(dt.UTC):
        yield


# --- the spellings ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "name"),
    [(MultisyncQuerySet, name) for name in QUERY_METHODS]
    + [(MultisyncManager, name) for name in QUERY_METHODS if name != "delete"],
)
def test_query_method_async_spellings_are_one_function(cls: type[Any], name: str) -> None:
    """`m.a`, `m_async` and Django's `am` are the same async half, on querysets and managers."""
    pair = getattr(cls, name)
    assert getattr(cls, f"{name}_async") is pair.a
    assert getattr(cls, f"a{name}") is pair.a


def test_query_methods_cover_design() -> None:
    """The pairs of query-running methods are exactly those DESIGN 2d lists."""
    assert all(isinstance(vars(MultisyncQuerySet)[name], Multisync) for name in QUERY_METHODS)
    assert set(QUERY_METHODS) == {
        "get", "first", "last", "earliest", "latest", "count", "exists", "contains",
        "aggregate", "in_bulk", "create", "get_or_create", "update_or_create", "bulk_create",
        "bulk_update", "update", "delete", "explain",
    }  # fmt: skip


@pytest.mark.parametrize("spelling", ["delete", "adelete", "delete_async"])
def test_manager_delete_absent_like_django(spelling: str) -> None:
    """`delete` is queryset-only in Django, so the manager has no spelling of it."""
    assert not hasattr(Question._base_manager, spelling)
    with pytest.raises(AttributeError) as exc:
        getattr(Question.objects, spelling)
    assert exc.value.args == (f"'MultisyncManager' object has no attribute '{spelling}'",)


# Django 4.2 flags only `update` and `bulk_update`; 5.0 flags every method that writes.
ALTERING = ["create", "get_or_create", "update_or_create", "bulk_create", "bulk_update", "update"]


@pytest.mark.parametrize("name", ALTERING)
@pytest.mark.parametrize("spelling", ["m", *QUERY_SPELLINGS])
def test_manager_altering_method_keeps_alters_data(name: str, spelling: str) -> None:
    """Manager methods carry Django's `alters_data` flag wherever Django's manager does."""
    expected = getattr(getattr(Question._base_manager, name), "alters_data", False)
    method = getattr(Question.objects, name)
    if spelling != "m":
        method = spelled(Question.objects, name, spelling)
    assert getattr(method, "alters_data", False) is expected
    if name.endswith("update"):
        assert expected is True


def test_manager_create_in_template_behaves_like_django(db: None) -> None:
    """A template naming `objects.create` calls it exactly when Django's manager is called."""
    template = Engine().from_string("[{{ objects.create }}]")
    assert template.render(Context({"objects": Ballot._base_manager})) == "[]"
    created_by_django = Ballot.objects.count()  # 0 from Django 5.0, 1 before
    assert template.render(Context({"objects": Ballot.objects})) == "[]"
    assert Ballot.objects.count() == 2 * created_by_django


@pytest.mark.parametrize("name", ["in_bulk", "update_or_create", "explain", "all", "filter"])
@pytest.mark.parametrize("spelling", ["m", "m.a"])
def test_manager_method_signature_like_django(name: str, spelling: str) -> None:
    """A manager method's halves report the signature Django's manager method reports."""
    expected = inspect.signature(getattr(Question._base_manager, name))
    method = getattr(Question.objects, name)
    assert inspect.signature(method if spelling == "m" else method.a) == expected


# --- query-running methods, on querysets and managers -------------------------------


@dataclass(frozen=True)
class Rows:
    """What the `choices` fixture saved: the question and its two choices in pk order."""

    question: Question
    choices: list[Choice]


@pytest.fixture
def rows(question: Question, choices: list[Choice]) -> Rows:
    """The question and its choices, for the cases to build arguments from."""
    return Rows(question, choices)


def no_args(_: object) -> tuple[Any, ...]:
    """No positional arguments."""
    return ()


def no_kwargs(_: object) -> dict[str, Any]:
    """No keyword arguments."""
    return {}


def exactly(result: Any) -> Any:
    """A result with its type, so that `True` does not compare equal to `1`."""
    return type(result), result


def itself(result: Any) -> Any:
    """A result as it is."""
    return result


def by_pk(result: dict[Any, Model]) -> Any:
    """`in_bulk`'s dict, each instance by its field values."""
    return {pk: values(obj) for pk, obj in result.items()}


@dataclass(frozen=True)
class Read:
    """A query that only reads: `<source>.<name>(*args, **kwargs)`, against Django's `a<name>`.

    The arguments and the expected result are built from the saved `Rows`; `shows` is how
    a result is compared, and `returns` the type both Django's result and ours have.
    """

    name: str
    model: type[Model]
    returns: type
    args: Callable[[Rows], tuple[Any, ...]] = no_args
    kwargs: Callable[[Rows], dict[str, Any]] = no_kwargs
    expected: Callable[[Rows], Any] | None = None  # None: whatever plain Django gives
    shows: Callable[[Any], Any] = itself
    prepare: Callable[[Any, Rows], Any] | None = None  # e.g. filter the source first

    def target(self, source: Any, rows: Rows) -> Any:
        """Where the call is made."""
        return self.prepare(source, rows) if self.prepare is not None else source


READS = {
    "get": Read(
        "get",
        Question,
        Question,
        kwargs=lambda r: {"pk": r.question.pk},
        expected=lambda r: r.question,
        shows=values,
    ),
    # The first and last instances by pk, and by votes.
    "first": Read("first", Choice, Choice, expected=lambda r: r.choices[0], shows=values),
    "last": Read("last", Choice, Choice, expected=lambda r: r.choices[1], shows=values),
    "earliest": Read(
        "earliest",
        Choice,
        Choice,
        args=lambda _: ("votes",),
        expected=lambda r: r.choices[0],
        shows=values,
    ),
    "latest": Read(
        "latest",
        Choice,
        Choice,
        args=lambda _: ("votes",),
        expected=lambda r: r.choices[1],
        shows=values,
    ),
    "count": Read("count", Choice, int, expected=lambda _: 2),
    "exists": Read("exists", Choice, bool, expected=lambda _: True),
    "contains": Read(
        "contains", Choice, bool, args=lambda r: (r.choices[1],), expected=lambda _: True
    ),
    "aggregate": Read(
        "aggregate",
        Choice,
        dict,
        kwargs=lambda _: {"total": Sum("votes")},
        expected=lambda _: {"total": 3},
    ),
    # The dict by pk of both choices.
    "in_bulk": Read(
        "in_bulk",
        Choice,
        dict,
        args=lambda r: ([c.pk for c in r.choices],),
        expected=lambda r: {c.pk: c for c in r.choices},
        shows=by_pk,
    ),
    # The plan of a filtered queryset.
    "explain": Read("explain", Choice, str, prepare=lambda s, r: s.filter(pk=r.choices[0].pk)),
}


def read_params() -> Iterator[Any]:
    """Each read, on a queryset and on the manager, with each async spelling."""
    for case_id, case in READS.items():
        for kind in ("queryset", "manager"):
            for spelling in QUERY_SPELLINGS:
                yield pytest.param(case, kind, spelling, id=f"{case_id}-{kind}-{spelling}")


@pytest.mark.parametrize(("case", "kind", "spelling"), list(read_params()))
async def test_query_method_read_gives_what_django_gives(
    rows: Rows, queries: QueryLog, case: Read, kind: str, spelling: str
) -> None:
    """A read returns, from each async spelling, what Django's `am` returns, from one query."""
    with queries.expect(1):
        got = await spelled(case.target(ours(case.model, kind), rows), case.name, spelling)(
            *case.args(rows), **case.kwargs(rows)
        )
    with queries.expect(1):
        expected = await getattr(case.target(django(case.model, kind), rows), f"a{case.name}")(
            *case.args(rows), **case.kwargs(rows)
        )
    assert type(got) is type(expected) is case.returns
    assert case.shows(got) == case.shows(expected)
    if case.expected is not None:
        assert case.shows(got) == case.shows(case.expected(rows))


@on_both
@query_spellings
async def test_create_gives_what_django_gives(
    question: Question, queries: QueryLog, kind: str, spelling: str
) -> None:
    """`create` saves and returns a new instance, as `acreate` does, in one query."""
    with queries.expect(1):
        got = await spelled(ours(Choice, kind), "create", spelling)(
            question=question, choice_text="Maybe"
        )
    with queries.expect(1):
        expected = await django(Choice, kind).acreate(question=question, choice_text="Perhaps")
    assert type(got) is Choice
    assert (got._state.adding, got.votes) == (expected._state.adding, expected.votes) == (False, 0)
    assert values(await Choice.objects.aget(choice_text="Maybe")) == values(got)


@on_both
@query_spellings
async def test_get_or_create_existing_gives_what_django_gives(
    choices: list[Choice], queries: QueryLog, kind: str, spelling: str
) -> None:
    """`get_or_create` of an existing row returns `(instance, False)` from one query."""
    with queries.expect(1):
        got, created = await spelled(ours(Choice, kind), "get_or_create", spelling)(votes=2)
    with queries.expect(1):
        expected, django_created = await django(Choice, kind).aget_or_create(votes=2)
    assert created is django_created is False
    assert values(got) == values(expected) == values(choices[1])


@on_both
@query_spellings
async def test_get_or_create_new_gives_what_django_gives(
    question: Question, queries: QueryLog, kind: str, spelling: str
) -> None:
    """`get_or_create` of a missing row creates it, with the four queries of Django's."""
    with queries.expect(4):  # SELECT, SAVEPOINT, INSERT, RELEASE
        got, created = await spelled(ours(Choice, kind), "get_or_create", spelling)(
            question=question, choice_text="Maybe"
        )
    with queries.expect(4):
        _, django_created = await django(Choice, kind).aget_or_create(
            question=question, choice_text="Perhaps"
        )
    assert created is django_created is True
    assert values(await Choice.objects.aget(choice_text="Maybe")) == values(got)


@on_both
@query_spellings
async def test_update_or_create_existing_gives_what_django_gives(
    choices: list[Choice], queries: QueryLog, kind: str, spelling: str
) -> None:
    """`update_or_create` of an existing row updates it, with the four queries of Django's."""
    with queries.expect(4):  # SAVEPOINT, SELECT ... FOR UPDATE, UPDATE, RELEASE
        got, created = await spelled(ours(Choice, kind), "update_or_create", spelling)(
            pk=choices[0].pk, defaults={"votes": 10}
        )
    with queries.expect(4):
        _, django_created = await django(Choice, kind).aupdate_or_create(
            pk=choices[1].pk, defaults={"votes": 20}
        )
    assert created is django_created is False
    assert got.votes == 10
    assert [c.votes async for c in Choice.objects.order_by("pk")] == [10, 20]


@on_both
@query_spellings
async def test_update_or_create_new_gives_what_django_gives(
    question: Question, queries: QueryLog, kind: str, spelling: str
) -> None:
    """`update_or_create` of a missing row creates it, with the six queries of Django's."""
    with queries.expect(6):
        got, created = await spelled(ours(Choice, kind), "update_or_create", spelling)(
            question=question, choice_text="Maybe", defaults={"votes": 5}
        )
    with queries.expect(6):
        _, django_created = await django(Choice, kind).aupdate_or_create(
            question=question, choice_text="Perhaps", defaults={"votes": 5}
        )
    assert created is django_created is True
    assert values(await Choice.objects.aget(choice_text="Maybe")) == values(got)
    assert got.votes == 5


@on_both
@query_spellings
async def test_bulk_create_gives_what_django_gives(
    question: Question, queries: QueryLog, kind: str, spelling: str
) -> None:
    """`bulk_create` inserts in one query and returns the objects, as `abulk_create` does."""
    mine = [Choice(question=question, choice_text=t) for t in ("A", "B")]
    theirs = [Choice(question=question, choice_text=t) for t in ("C", "D")]
    with queries.expect(1):
        got = await spelled(ours(Choice, kind), "bulk_create", spelling)(mine)
    with queries.expect(1):
        expected = await django(Choice, kind).abulk_create(theirs)
    assert got == mine
    assert [c.pk is None for c in got] == [c.pk is None for c in expected]
    assert await Choice.objects.filter(choice_text__in=["A", "B"]).acount() == 2


@on_both
@query_spellings
async def test_bulk_update_gives_what_django_gives(
    choices: list[Choice], queries: QueryLog, kind: str, spelling: str
) -> None:
    """`bulk_update` updates in one query and returns the rows matched, as `abulk_update` does."""
    for choice in choices:
        choice.votes = 7
    with queries.expect(1):
        got = await spelled(ours(Choice, kind), "bulk_update", spelling)(choices, ["votes"])
    with queries.expect(1):
        expected = await django(Choice, kind).abulk_update(choices, ["votes"])
    assert got == expected == 2
    assert [c.votes async for c in Choice.objects.order_by("pk")] == [7, 7]


@on_both
@query_spellings
async def test_update_gives_what_django_gives(
    question: Question, queries: QueryLog, kind: str, spelling: str
) -> None:
    """`update` returns the rows matched, as `aupdate` does, from one query."""
    with queries.expect(1):
        got = await spelled(ours(Choice, kind), "update", spelling)(votes=F("votes") + 10)
    with queries.expect(1):
        expected = await django(Choice, kind).aupdate(votes=F("votes") + 10)
    assert got == expected == 2
    assert [c.votes async for c in Choice.objects.order_by("pk")] == [21, 22]


@query_spellings
async def test_delete_gives_what_django_gives(
    choices: list[Choice], queries: QueryLog, spelling: str
) -> None:
    """`delete` returns Django's `(total, per model)` tuple, from one query."""
    with queries.expect(1):
        got = await spelled(Choice.objects.filter(votes=1), "delete", spelling)()
    with queries.expect(1):
        expected = await Choice._base_manager.filter(votes=2).adelete()
    assert got == expected == (1, {"testapp.Choice": 1})
    assert await Choice.objects.acount() == 0


@query_spellings
async def test_delete_cascades_like_django(
    question: Question, queries: QueryLog, spelling: str
) -> None:
    """`delete` of a question collects its choices, tags and comments as Django does."""
    with queries.expect(5):
        got = await spelled(Question.objects.filter(pk=question.pk), "delete", spelling)()
    assert got == (
        6,
        {
            "testapp.Question_tags": 2,
            "testapp.Choice": 2,
            "testapp.Comment": 1,
            "testapp.Question": 1,
        },
    )


# --- errors from query-running methods ----------------------------------------------


@dataclass(frozen=True)
class Misuse:
    """A call that fails in Django: `<source>.<name>(*args, **kwargs)`."""

    name: str
    model: type[Model]
    raises: type[Exception] | str  # a str names an attribute of the model
    args: Callable[[], tuple[Any, ...]] = tuple
    kwargs: dict[str, Any] = field(default_factory=dict)
    prepare: Callable[[Any], Any] | None = None  # e.g. slice it; then queryset only
    # Django's own `am` checks its signature at call time and names itself; compare
    # those with the sync spelling instead, which `.a()` runs.
    against_sync: bool = False

    def exception(self) -> type[Exception]:
        """The class the call raises."""
        if isinstance(self.raises, str):
            return getattr(self.model, self.raises)  # type: ignore[no-any-return]
        return self.raises

    def target(self, source: Any) -> Any:
        """Where the call is made."""
        return self.prepare(source) if self.prepare is not None else source


MISUSES = {
    "get_missing": Misuse("get", Question, "DoesNotExist", kwargs={"pk": -1}),
    "get_multiple": Misuse("get", Choice, "MultipleObjectsReturned"),
    "get_unknown_field": Misuse("get", Question, FieldError, kwargs={"nope": 1}),
    "first_unknown_related": Misuse(
        "first", Question, FieldError, prepare=lambda s: s.select_related("nope")
    ),
    "earliest_without_field": Misuse("earliest", Question, ValueError),
    "latest_without_field": Misuse("latest", Question, ValueError),
    "count_extra_argument": Misuse(
        "count", Question, TypeError, args=lambda: (1,), against_sync=True
    ),
    "contains_unsaved": Misuse("contains", Question, ValueError, args=lambda: (Question(),)),
    "contains_not_a_model": Misuse("contains", Question, TypeError, args=lambda: ("x",)),
    "aggregate_without_alias": Misuse(
        "aggregate", Choice, TypeError, args=lambda: (Sum(F("votes") + 1),)
    ),
    "in_bulk_not_unique": Misuse(
        "in_bulk", Question, ValueError, kwargs={"field_name": "question_text"}
    ),
    "create_unknown_field": Misuse("create", Question, TypeError, kwargs={"nope": 1}),
    "get_or_create_unknown_field": Misuse(
        "get_or_create", Question, FieldError, kwargs={"nope": 1}
    ),
    "bulk_update_without_fields": Misuse("bulk_update", Choice, ValueError, args=lambda: ([], [])),
    "update_unknown_field": Misuse("update", Question, FieldDoesNotExist, kwargs={"nope": 1}),
    "update_after_slice": Misuse(
        "update", Choice, TypeError, kwargs={"votes": 0}, prepare=lambda s: s.all()[:1]
    ),
    "delete_after_slice": Misuse("delete", Choice, TypeError, prepare=lambda s: s.all()[:1]),
    "explain_unknown_format": Misuse("explain", Choice, ValueError, kwargs={"format": "nope"}),
}


def misuse_params() -> Iterator[Any]:
    """Each misuse, on each source it can be made on, with each async spelling."""
    for case_id, case in MISUSES.items():
        queryset_only = case.prepare is not None or case.name == "delete"
        for kind in ("queryset",) if queryset_only else ("queryset", "manager"):
            for spelling in QUERY_SPELLINGS:
                yield pytest.param(case, kind, spelling, id=f"{case_id}-{kind}-{spelling}")


@pytest.mark.parametrize(("case", "kind", "spelling"), list(misuse_params()))
async def test_query_method_error_propagates_unchanged(
    question: Question, case: Misuse, kind: str, spelling: str
) -> None:
    """A failing call raises, from each async spelling, the class and message Django raises."""
    with pytest.raises(case.exception()) as got:
        await spelled(case.target(ours(case.model, kind)), case.name, spelling)(
            *case.args(), **case.kwargs
        )
    reference = case.target(django(case.model, kind))
    if case.against_sync:
        django_call = sync_to_async(getattr(reference, case.name))
    else:
        django_call = getattr(reference, f"a{case.name}")
    with pytest.raises(case.exception()) as expected:
        await django_call(*case.args(), **case.kwargs)
    assert type(got.value) is type(expected.value)
    assert got.value.args == expected.value.args


@on_both
async def test_get_missing_message(question: Question, kind: str) -> None:
    """`get.a()` of a missing row raises `Question.DoesNotExist` with Django's message."""
    with pytest.raises(Question.DoesNotExist) as exc:
        await ours(Question, kind).get.a(pk=-1)
    assert exc.value.args == ("Question matching query does not exist.",)


@on_both
async def test_get_multiple_message(question: Question, kind: str) -> None:
    """`get.a()` of two rows raises `MultipleObjectsReturned` with Django's message."""
    with pytest.raises(Choice.MultipleObjectsReturned) as exc:
        await ours(Choice, kind).get.a()
    assert exc.value.args == ("get() returned more than one Choice -- it returned 2!",)


async def test_count_extra_argument_names_the_sync_method(question: Question) -> None:
    """A wrong argument to `count.a()` is reported as Python reports it for `count()`."""
    with pytest.raises(TypeError) as exc:
        await Question.objects.all().count.a(1)  # type: ignore[call-arg]
    assert exc.value.args == ("QuerySet.count() takes 1 positional argument but 2 were given",)


# --- queryset-returning methods: `.a()` returns them evaluated ----------------------


def text(row: Any) -> Any:
    """What a row shows: a model instance's `str()`, anything else as it is."""
    return str(row) if isinstance(row, Model) else row


@dataclass(frozen=True)
class Chain:
    """A queryset-returning call: `<source>.<name>(*args, **kwargs)` and what it reads as."""

    name: str
    model: type[Model] = Choice
    args: Callable[[], tuple[Any, ...]] = tuple
    kwargs: dict[str, Any] = field(default_factory=dict)
    queries: int = 1
    expected: list[Any] | None = None  # None: whatever plain Django gives
    ordered: bool = False
    show: Callable[[Any], Any] = text  # reads a row; runs inside `queries.expect(0)`


def _only_shows(choice: Choice) -> Any:
    return (choice.choice_text, sorted(choice.get_deferred_fields()))


CHAINS = {
    "all": Chain("all", expected=["Not much", "The sky"]),
    "filter": Chain("filter", kwargs={"votes__gte": 2}, expected=["The sky"]),
    "exclude": Chain("exclude", kwargs={"votes__gte": 2}, expected=["Not much"]),
    "order_by": Chain(
        "order_by", args=lambda: ("-votes",), expected=["The sky", "Not much"], ordered=True
    ),
    "reverse": Chain("reverse", expected=["Not much", "The sky"]),
    "select_related": Chain(
        "select_related",
        args=lambda: ("question",),
        expected=[("Not much", "What's new?"), ("The sky", "What's new?")],
        show=lambda c: (c.choice_text, c.question.question_text),
    ),
    "prefetch_related": Chain(
        "prefetch_related",
        Question,
        args=lambda: ("choice_set", "tags"),
        queries=3,
        expected=[("What's new?", ["Not much", "The sky"], ["news", "sky"])],
        show=lambda q: (
            q.question_text,
            sorted(c.choice_text for c in q.choice_set.all()),
            sorted(t.name for t in q.tags.all()),
        ),
    ),
    "values": Chain(
        "values",
        args=lambda: ("choice_text", "votes"),
        expected=[{"choice_text": "Not much", "votes": 1}, {"choice_text": "The sky", "votes": 2}],
    ),
    "values_list": Chain(
        "values_list",
        args=lambda: ("choice_text",),
        kwargs={"flat": True},
        expected=["Not much", "The sky"],
    ),
    "distinct": Chain("distinct", expected=["Not much", "The sky"]),
    "annotate": Chain(
        "annotate",
        kwargs={"double": F("votes") * 2},
        expected=[("Not much", 2), ("The sky", 4)],
        show=lambda c: (c.choice_text, c.double),
    ),
    "alias": Chain("alias", kwargs={"double": F("votes") * 2}, expected=["Not much", "The sky"]),
    "only": Chain(
        "only",
        args=lambda: ("choice_text",),
        expected=[("Not much", ["question_id", "votes"]), ("The sky", ["question_id", "votes"])],
        show=_only_shows,
    ),
    "defer": Chain(
        "defer",
        args=lambda: ("votes",),
        expected=[("Not much", ["votes"]), ("The sky", ["votes"])],
        show=_only_shows,
    ),
    "none": Chain("none", queries=0, expected=[]),
    "union": Chain(
        "union", args=lambda: (Choice.objects.filter(votes=2),), expected=["Not much", "The sky"]
    ),
    "intersection": Chain(
        "intersection", args=lambda: (Choice.objects.filter(votes=2),), expected=["The sky"]
    ),
    "difference": Chain(
        "difference", args=lambda: (Choice.objects.filter(votes=2),), expected=["Not much"]
    ),
    "complex_filter": Chain("complex_filter", args=lambda: ({"votes": 1},), expected=["Not much"]),
    "extra": Chain("extra", kwargs={"where": ["votes > 1"]}, expected=["The sky"]),
    "dates": Chain("dates", Question, args=lambda: ("pub_date", "year")),
    "datetimes": Chain("datetimes", Question, args=lambda: ("pub_date", "year")),
    "using": Chain("using", args=lambda: ("default",), expected=["Not much", "The sky"]),
    "select_for_update": Chain("select_for_update", expected=["Not much", "The sky"]),
}
if hasattr(QuerySet, "fetch_mode"):  # Django 6.1
    CHAINS["fetch_mode"] = Chain(
        "fetch_mode",
        args=lambda: (models.FETCH_PEERS,),
        expected=["Not much", "The sky"],
    )


def test_chaining_methods_all_tested() -> None:
    """Every queryset-returning method with a pair on this Django has a case in `CHAINS`."""
    available = {name for name in CHAINING_METHODS if hasattr(QuerySet, name)}
    assert set(CHAINS) == available
    assert all(isinstance(vars(MultisyncQuerySet)[name], Multisync) for name in available)


def chain_params() -> Iterator[Any]:
    """Each chaining call, on a queryset and on the manager, with each async spelling."""
    for case_id, case in CHAINS.items():
        for kind in ("queryset", "manager"):
            for spelling in CHAIN_SPELLINGS:
                yield pytest.param(case, kind, spelling, id=f"{case_id}-{kind}-{spelling}")


def chain_sources() -> Iterator[Any]:
    """Each chaining call, on a queryset and on the manager."""
    for case_id, case in CHAINS.items():
        for kind in ("queryset", "manager"):
            yield pytest.param(case, kind, id=f"{case_id}-{kind}")


def normalize(case: Chain, rows: list[Any]) -> list[Any]:
    """Rows in a stable order, unless the call orders them."""
    return rows if case.ordered else sorted(rows, key=repr)


async def django_rows(case: Chain, kind: str) -> list[Any]:
    """What plain Django's sync call reads as, in a thread."""

    def read() -> list[Any]:
        built = getattr(django(case.model, kind), case.name)(*case.args(), **case.kwargs)
        return [case.show(row) for row in built]

    return await sync_to_async(read)()


SET_OPERATION_FEATURES = {
    "intersection": "supports_select_intersection",
    "difference": "supports_select_difference",
}


async def skip_unsupported(case: Chain) -> None:
    """Skip set operations the database cannot run."""
    feature = SET_OPERATION_FEATURES.get(case.name)
    # MySQL's features ask the server for its version: read them in a thread.
    if feature and not await sync_to_async(lambda: getattr(connection.features, feature))():
        pytest.skip(f"{connection.vendor} does not support {case.name}()")


@pytest.mark.usefixtures("question", "utc")
@pytest.mark.parametrize(("case", "kind", "spelling"), list(chain_params()))
async def test_chaining_method_a_gives_evaluated_queryset(
    queries: QueryLog, case: Chain, kind: str, spelling: str
) -> None:
    """`.a()` runs the query at once and returns a queryset of Django's rows."""
    await skip_unsupported(case)
    with queries.expect(case.queries):
        result = await spelled(ours(case.model, kind), case.name, spelling)(
            *case.args(), **case.kwargs
        )
    with queries.expect(0):
        rows = [case.show(row) for row in result]
    assert isinstance(result, MultisyncQuerySet)
    assert normalize(case, rows) == normalize(case, await django_rows(case, kind))
    if case.expected is not None:
        assert normalize(case, rows) == case.expected


@pytest.mark.usefixtures("question", "utc")
@pytest.mark.parametrize(("case", "kind"), list(chain_sources()))
async def test_chaining_method_a_result_reads_without_query(
    queries: QueryLog, case: Chain, kind: str
) -> None:
    """Iterating, `len()`, `bool()`, indexing and `repr()` of the result run no query."""
    await skip_unsupported(case)
    result = await getattr(ours(case.model, kind), case.name).a(*case.args(), **case.kwargs)
    with queries.expect(0):
        rows = list(result)
        assert len(result) == len(rows)
        assert bool(result) is bool(rows)
        assert result[:1] == rows[:1]
        if rows:
            assert result[0] is rows[0]
        assert repr(result).startswith("<MultisyncQuerySet [")


async def test_chaining_method_a_leaves_source_lazy(question: Question, queries: QueryLog) -> None:
    """`.a()` evaluates a new queryset: the one it was called on stays lazy."""
    lazy = Choice.objects.filter(votes__gte=1)
    await lazy.order_by.a("pk")
    assert lazy._result_cache is None


async def test_select_related_a_loads_relation(question: Question, queries: QueryLog) -> None:
    """After `select_related.a()`, sync access to the relation in async code runs no query."""
    choices = await Choice.objects.select_related.a("question")
    with queries.expect(0):
        assert {c.question.question_text for c in choices} == {"What's new?"}


async def test_select_related_absent_guard_raises(question: Question, queries: QueryLog) -> None:
    """Without `select_related`, the same access raises the guard's error before any query."""
    choices = await Choice.objects.all.a()
    with queries.expect(0), pytest.raises(UnprefetchedRelatedModelAccessError) as exc:
        choices[0].question
    assert str(exc.value).startswith("`Choice.question` is not loaded")


async def test_prefetch_related_a_loads_relations(question: Question, queries: QueryLog) -> None:
    """After `prefetch_related.a()`, the prefetched managers read in async code with no query."""
    with queries.expect(3):
        questions = await Question.objects.prefetch_related.a("choice_set", "tags")
    with queries.expect(0):
        assert questions[0].choice_set.count() == 2
        assert sorted(t.name for t in questions[0].tags.all()) == ["news", "sky"]


async def test_prefetch_related_absent_guard_raises(question: Question, queries: QueryLog) -> None:
    """Without `prefetch_related`, iterating the relation raises the guard's error."""
    questions = await Question.objects.all.a()
    with queries.expect(0), pytest.raises(UnprefetchedRelatedModelAccessError) as exc:
        list(questions[0].choice_set.all())
    assert str(exc.value).startswith("`Question.choice_set` is not loaded")


CHAIN_MISUSES = {
    "filter_unknown_field": ("filter", (), {"nope": 1}, FieldError),
    "order_by_unknown_field": ("order_by", ("nope",), {}, FieldError),
    "values_unknown_field": ("values", ("nope",), {}, FieldError),
    "select_related_unknown_field": ("select_related", ("nope",), {}, FieldError),
    "prefetch_related_unknown_lookup": ("prefetch_related", ("nope",), {}, AttributeError),
}


@pytest.mark.parametrize("case_id", CHAIN_MISUSES)
@chain_spellings
async def test_chaining_method_error_propagates_unchanged(
    question: Question, case_id: str, spelling: str
) -> None:
    """A call that fails when built or evaluated raises from `.a()` what Django raises."""
    name, args, kwargs, raises = CHAIN_MISUSES[case_id]
    with pytest.raises(raises) as got:
        await spelled(Choice.objects, name, spelling)(*args, **kwargs)
    with pytest.raises(raises) as expected:
        await sync_to_async(lambda: list(getattr(Choice._base_manager, name)(*args, **kwargs)))()
    assert type(got.value) is type(expected.value)
    assert got.value.args == expected.value.args


@chain_spellings
async def test_chaining_method_after_slice_raises_like_django(
    question: Question, spelling: str
) -> None:
    """Filtering a sliced queryset raises Django's TypeError from `.a()` too."""
    with pytest.raises(TypeError) as exc:
        await spelled(Choice.objects.all()[:1], "filter", spelling)(votes=1)
    assert exc.value.args == ("Cannot filter a query once a slice has been taken.",)


# --- related managers ---------------------------------------------------------------


@dataclass(frozen=True)
class Relation:
    """A related manager under test: its owner, what it holds, and a target it lacks."""

    owner: Model
    attname: str
    field: str  # the target's name field
    names: tuple[str, ...]  # what it holds, sorted
    spare: Model  # a saved target it does not hold
    many_to_many: bool

    @property
    def manager(self) -> Any:
        """A fresh related manager, as `owner.<attname>` builds one."""
        return getattr(self.owner, self.attname)

    @property
    def label(self) -> str:
        """`Question.choice_set`: how errors name the relation."""
        return f"{type(self.owner).__name__}.{self.attname}"

    async def held(self) -> list[str]:
        """The names the relation holds in the database, read afresh in a thread."""

        def read() -> list[str]:
            owner = type(self.owner)._base_manager.get(pk=self.owner.pk)
            return sorted(getattr(owner, self.attname).values_list(self.field, flat=True))

        return await sync_to_async(read)()


def build_relation(name: str, question: Question, poll: Poll) -> Relation:
    """The relation `name`, with a spare target created for it."""
    if name == "choice_set":  # reverse FK, not null: no remove() or clear()
        elsewhere = Question.objects.create(question_text="Other?")
        spare: Model = Choice.objects.create(question=elsewhere, choice_text="Elsewhere")
        return Relation(
            question, name, "choice_text", ("Not much", "The sky"), spare, many_to_many=False
        )
    if name == "ballots":  # reverse FK, nullable
        spare = Ballot.objects.create(voter="carol")
        return Relation(poll, name, "voter", ("ada", "bob"), spare, many_to_many=False)
    if name == "topics":  # forward M2M
        spare = Topic.objects.create(name="sport")
        return Relation(poll, name, "name", ("food", "news"), spare, many_to_many=True)
    topic = Topic.objects.get(name="food")  # reverse M2M: "poll_set"
    return Relation(
        topic, name, "title", ("Lunch",), Poll.objects.create(title="Dinner"), many_to_many=True
    )


RELATIONS = ["choice_set", "ballots", "topics", "poll_set"]
# Relations whose managers have remove() and clear(): nullable FK and M2M.
REMOVABLE = ["ballots", "topics", "poll_set"]
removable = pytest.mark.parametrize("relation", REMOVABLE, indirect=True)


@pytest.fixture(params=RELATIONS)
def relation(request: pytest.FixtureRequest, question: Question, poll: Poll) -> Relation:
    """Each related manager whose target's default manager is a MultisyncManager."""
    return build_relation(request.param, question, poll)


@dataclass(frozen=True)
class RelatedRead:
    """A query that only reads, on a related manager: `<manager>.<name>(**kwargs)`."""

    name: str
    expected: Callable[[Relation], Any]
    kwargs: Callable[[Relation], dict[str, Any]] = no_kwargs
    shows: Callable[[Any], Any] = exactly


RELATED_READS = {
    # The relation's rows, not the spare target's.
    "count": RelatedRead("count", expected=lambda r: len(r.names)),
    "exists": RelatedRead("exists", expected=lambda _: True),
    # A row of the relation, by its name.
    "get": RelatedRead(
        "get", kwargs=lambda r: {r.field: r.names[0]}, expected=lambda r: r.names[0], shows=str
    ),
    # The relation's first row by pk.
    "first": RelatedRead("first", expected=lambda r: r.names[0], shows=str),
    "aggregate": RelatedRead(
        "aggregate", kwargs=lambda _: {"n": Count("pk")}, expected=lambda r: {"n": len(r.names)}
    ),
}


@query_spellings
@pytest.mark.parametrize("case", [pytest.param(c, id=i) for i, c in RELATED_READS.items()])
async def test_related_query_method_reads_the_relation(
    relation: Relation, queries: QueryLog, case: RelatedRead, spelling: str
) -> None:
    """A read on a related manager answers for the relation's rows, in one query."""
    with queries.expect(1):
        got = await spelled(relation.manager, case.name, spelling)(**case.kwargs(relation))
        assert case.shows(got) == case.shows(case.expected(relation))


@query_spellings
async def test_related_get_outside_relation_raises_does_not_exist(
    relation: Relation, spelling: str
) -> None:
    """`get` of the spare target, which the relation lacks, raises DoesNotExist."""
    lookup = {relation.field: str(relation.spare)}
    model = type(relation.spare)
    with pytest.raises(model.DoesNotExist) as exc:  # type: ignore[attr-defined]
        await spelled(relation.manager, "get", spelling)(**lookup)
    assert exc.value.args == (f"{model.__name__} matching query does not exist.",)


@chain_spellings
async def test_related_filter_a_gives_evaluated_queryset(
    relation: Relation, queries: QueryLog, spelling: str
) -> None:
    """`filter.a()` on a related manager returns the relation's rows, evaluated."""
    lookup = {relation.field: relation.names[-1]}
    with queries.expect(1):
        result = await spelled(relation.manager, "filter", spelling)(**lookup)
    with queries.expect(0):
        assert [str(row) for row in result] == [relation.names[-1]]
        assert len(result) == 1


@chain_spellings
async def test_related_all_a_gives_evaluated_queryset(
    relation: Relation, queries: QueryLog, spelling: str
) -> None:
    """`all.a()` on a related manager returns the relation's rows, evaluated."""
    with queries.expect(1):
        result = await spelled(relation.manager, "all", spelling)()
    with queries.expect(0):
        assert sorted(str(row) for row in result) == list(relation.names)
        assert result.count() == len(relation.names)  # from the cache: no guard error
    assert isinstance(result, MultisyncQuerySet)


async def test_related_all_a_after_prefetch_no_query(relation: Relation, queries: QueryLog) -> None:
    """`all.a()` on a prefetched relation returns the prefetched rows with no query."""
    owner_model = type(relation.owner)
    owner = await owner_model._default_manager.prefetch_related(relation.attname).aget(
        pk=relation.owner.pk
    )
    with queries.expect(0):
        result = await getattr(owner, relation.attname).all.a()
        assert sorted(str(row) for row in result) == list(relation.names)


async def test_related_queryset_sync_iteration_raises(
    relation: Relation, queries: QueryLog
) -> None:
    """The guard still stops sync iteration of an unevaluated related queryset in async code."""
    lazy = relation.manager.filter(**{relation.field: relation.names[0]})
    with queries.expect(0), pytest.raises(UnprefetchedRelatedModelAccessError) as exc:
        list(lazy)
    assert str(exc.value).startswith(f"`{relation.label}` is not loaded")


async def test_related_count_sync_raises(relation: Relation, queries: QueryLog) -> None:
    """The guard still stops a sync `count()` on a related manager in async code."""
    with queries.expect(0), pytest.raises(UnprefetchedRelatedModelAccessError) as exc:
        relation.manager.count()
    assert str(exc.value).startswith(f"`{relation.label}` is not loaded")


async def test_related_manager_by_name_sync_iteration_raises(poll: Poll) -> None:
    """`poll.ballots(manager="audited")` is guarded like `poll.ballots`."""
    with pytest.raises(UnprefetchedRelatedModelAccessError) as exc:
        list(poll.ballots(manager="audited").all())
    assert str(exc.value).startswith("`Poll.ballots` is not loaded")


# --- related managers: changing the relation ----------------------------------------


@query_spellings
async def test_related_add(relation: Relation, queries: QueryLog, spelling: str) -> None:
    """`add` puts the spare target in the relation, with one query."""
    with queries.expect(1):
        assert await spelled(relation.manager, "add", spelling)(relation.spare) is None
    assert await relation.held() == sorted([*relation.names, str(relation.spare)])


@removable
@query_spellings
async def test_related_remove(relation: Relation, queries: QueryLog, spelling: str) -> None:
    """`remove` takes a target out of the relation, with one query."""
    target = await relation.manager.get.a(**{relation.field: relation.names[0]})
    with queries.expect(1):
        assert await spelled(relation.manager, "remove", spelling)(target) is None
    assert await relation.held() == list(relation.names[1:])


@removable
@query_spellings
async def test_related_clear(relation: Relation, queries: QueryLog, spelling: str) -> None:
    """`clear` empties the relation, with one query."""
    with queries.expect(1):
        assert await spelled(relation.manager, "clear", spelling)() is None
    assert await relation.held() == []


@removable
@query_spellings
async def test_related_set_replaces(relation: Relation, queries: QueryLog, spelling: str) -> None:
    """`set` on a nullable or M2M relation replaces its targets with the given ones."""
    with queries.expect(3):  # read the current targets, take out the old, put in the new
        assert await spelled(relation.manager, "set", spelling)([relation.spare]) is None
    assert await relation.held() == [str(relation.spare)]


@query_spellings
async def test_related_set_on_non_null_fk_only_adds(
    question: Question, queries: QueryLog, spelling: str
) -> None:
    """`set` on a non-null reverse FK can only add, as in Django: one query."""
    elsewhere = await Question.objects.create.a(question_text="Other?")
    spare = await Choice.objects.create.a(question=elsewhere, choice_text="Elsewhere")
    with queries.expect(1):
        await spelled(question.choice_set, "set", spelling)([spare])
    assert [c.choice_text async for c in Choice.objects.filter(question=question)] == [
        "Not much",
        "The sky",
        "Elsewhere",
    ]


@query_spellings
async def test_related_create(relation: Relation, queries: QueryLog, spelling: str) -> None:
    """`create` saves a new target in the relation (one more query for the M2M row)."""
    with queries.expect(1 + relation.many_to_many):
        created = await spelled(relation.manager, "create", spelling)(**{relation.field: "Fresh"})
    assert str(created) == "Fresh"
    assert created.pk is not None
    assert await relation.held() == sorted([*relation.names, "Fresh"])


@query_spellings
async def test_related_get_or_create_existing(
    relation: Relation, queries: QueryLog, spelling: str
) -> None:
    """`get_or_create` of a target in the relation returns it, unchanged, from one query."""
    lookup = {relation.field: relation.names[0]}
    with queries.expect(1):
        got, created = await spelled(relation.manager, "get_or_create", spelling)(**lookup)
    assert (str(got), created) == (relation.names[0], False)
    assert await relation.held() == list(relation.names)


@query_spellings
async def test_related_update_or_create_existing(
    relation: Relation, queries: QueryLog, spelling: str
) -> None:
    """`update_or_create` of a target in the relation updates it."""
    lookup = {relation.field: relation.names[0]}
    with queries.expect(4):
        got, created = await spelled(relation.manager, "update_or_create", spelling)(
            defaults={relation.field: "Renamed"}, **lookup
        )
    assert (str(got), created) == ("Renamed", False)
    assert await relation.held() == sorted(["Renamed", *relation.names[1:]])


@query_spellings
@pytest.mark.parametrize(
    ("name", "count"),
    [
        pytest.param("get_or_create", 4, id="get_or_create"),
        pytest.param("update_or_create", 6, id="update_or_create"),
    ],
)
async def test_related_or_create_new(
    relation: Relation, queries: QueryLog, name: str, count: int, spelling: str
) -> None:
    """`get_or_create` and `update_or_create` of a missing target create it in the relation."""
    with queries.expect(count + relation.many_to_many):
        got, created = await spelled(relation.manager, name, spelling)(**{relation.field: "Fresh"})
    assert (str(got), created) == ("Fresh", True)
    assert await relation.held() == sorted([*relation.names, "Fresh"])


@pytest.mark.parametrize(
    "spelling", ["remove", "aremove", "remove_async", "clear", "aclear", "clear_async"]
)
def test_related_non_null_fk_has_no_remove_or_clear(question: Question, spelling: str) -> None:
    """A non-null reverse FK manager has no spelling of `remove` or `clear`, as in Django."""
    with pytest.raises(AttributeError) as exc:
        getattr(question.choice_set, spelling)
    assert exc.value.args == (f"'RelatedManager' object has no attribute '{spelling}'",)


@query_spellings
async def test_related_add_unsaved_raises_like_django(poll: Poll, spelling: str) -> None:
    """Adding an unsaved ballot raises Django's ValueError, unchanged, from every spelling."""
    unsaved = Ballot(voter="eve")
    with pytest.raises(ValueError, match="instance isn't saved") as got:
        await spelled(poll.ballots, "add", spelling)(unsaved)
    with pytest.raises(ValueError, match="instance isn't saved") as expected:
        await sync_to_async(poll.ballots.add)(unsaved)
    assert (
        got.value.args
        == expected.value.args
        == ("<Ballot: eve> instance isn't saved. Use bulk=False or save the object first.",)
    )


@query_spellings
async def test_related_m2m_add_wrong_type_raises_like_django(
    poll: Poll, question: Question, spelling: str
) -> None:
    """Adding a question to `poll.topics` raises Django's TypeError from every spelling."""
    with pytest.raises(TypeError) as exc:
        await spelled(poll.topics, "add", spelling)(question)
    assert exc.value.args == ("'Topic' instance expected, got <Question: What's new?>",)


def test_related_manager_of_plain_target_has_no_pairs(question: Question) -> None:
    """`question.tags` targets the plain Tag model: Django's manager, whose `.a` only hints."""
    with pytest.raises(AttributeError, match=r"call Django's own `aget\(\)`"):
        question.tags.get.a(name="news")  # type: ignore[attr-defined]
    assert not hasattr(question.tags, "get_async")


# --- custom querysets ---------------------------------------------------------------

by_manager = pytest.mark.parametrize("manager_name", ["objects", "from_queryset"])


@by_manager
def test_custom_queryset_manager_is_multisync_manager(manager_name: str) -> None:
    """`as_manager()` and `MultisyncManager.from_queryset()` build MultisyncManagers for it."""
    manager = getattr(Ballot, manager_name)
    assert isinstance(manager, MultisyncManager)
    assert type(manager.all()) is BallotQuerySet


def test_custom_queryset_as_manager_deconstructs_like_django() -> None:
    """`as_manager()` marks the manager as Django's `as_manager()` does, for migrations."""
    assert Ballot.objects.deconstruct() == (
        True,
        None,
        "tests.testapp.models.BallotQuerySet",
        None,
        None,
    )


@by_manager
async def test_custom_queryset_plain_method_chains(
    poll: Poll, queries: QueryLog, manager_name: str
) -> None:
    """A plain method of the custom queryset is proxied, and its result has `.a()` methods."""
    counted = getattr(Ballot, manager_name).counted()
    assert type(counted) is BallotQuerySet
    with queries.expect(1):
        result = await counted.order_by.a("pk")
    with queries.expect(0):
        assert [b.voter for b in result] == ["bob"]


def test_custom_queryset_plain_method_stays_plain() -> None:
    """A plain custom method gets no async spellings: `@multisync` is how to ask for them."""
    assert not hasattr(Ballot.objects.counted, "a")
    assert not hasattr(Ballot.objects, "counted_async")


@by_manager
def test_custom_queryset_multisync_method_sync_half(
    poll: Poll, queries: QueryLog, manager_name: str
) -> None:
    """The custom queryset's `@multisync` method runs its sync half from the manager."""
    with queries.expect(1):
        assert getattr(Ballot, manager_name).total_weight() == 3


@by_manager
@chain_spellings
async def test_custom_queryset_multisync_method_async_half(
    poll: Poll, queries: QueryLog, manager_name: str, spelling: str
) -> None:
    """The custom queryset's `@multisync` method has `.a()` and `_async` on the manager."""
    with queries.expect(1):
        assert await spelled(getattr(Ballot, manager_name), "total_weight", spelling)() == 3


@chain_spellings
async def test_custom_queryset_multisync_method_sees_filter(
    poll: Poll, queries: QueryLog, spelling: str
) -> None:
    """On a filtered queryset, the `@multisync` method's async half sees the filter."""
    with queries.expect(1):
        assert await spelled(Ballot.objects.filter(voter="bob"), "total_weight", spelling)() == 2


@chain_spellings
async def test_custom_queryset_multisync_method_on_related_manager(
    poll: Poll, queries: QueryLog, spelling: str
) -> None:
    """`poll.ballots` is built on Ballot's manager: its `@multisync` method sees the relation."""
    await Ballot.objects.create.a(voter="carol", weight=50)  # not in the poll
    with queries.expect(1):
        assert await spelled(poll.ballots, "total_weight", spelling)() == 3


def test_overridden_get_sync(poll: Poll) -> None:
    """A plain `def get` on a MultisyncQuerySet subclass runs from sync `get()`."""
    assert Ballot.audited.get(voter="ada").voter == "ada"
    assert CALLS == ["AuditedBallotQuerySet.get", "AuditedBallotQuerySet.filter"]


@on_both
@query_spellings
async def test_overridden_get_async_spellings(
    poll: Poll, queries: QueryLog, kind: str, spelling: str
) -> None:
    """`get.a()`, `get_async()` and `aget()` run the plain `def get` override too."""
    with queries.expect(1):
        got = await spelled(source(Ballot.audited, kind), "get", spelling)(voter="ada")
    assert got.voter == "ada"
    assert CALLS == ["AuditedBallotQuerySet.get", "AuditedBallotQuerySet.filter"]


@on_both
@chain_spellings
async def test_overridden_filter_a_gives_evaluated_queryset(
    poll: Poll, queries: QueryLog, kind: str, spelling: str
) -> None:
    """`.a()` of a plain `def filter` override runs it and returns its queryset evaluated."""
    with queries.expect(1):
        result = await spelled(source(Ballot.audited, kind), "filter", spelling)(voter="ada")
    with queries.expect(0):
        assert [b.voter for b in result] == ["ada"]
    assert type(result) is AuditedBallotQuerySet
    assert CALLS == ["AuditedBallotQuerySet.filter"]


@query_spellings
async def test_manager_subclass_create_override_async_spellings(
    db: None, queries: QueryLog, spelling: str
) -> None:
    """A plain `def create` on a MultisyncManager subclass runs from every async spelling."""
    with queries.expect(1):
        created = await spelled(Ballot.recording, "create", spelling)(voter="dan")
    assert (created.voter, created._state.adding) == ("dan", False)
    assert CALLS == ["RecordingBallotManager.create"]


@chain_spellings
async def test_manager_subclass_filter_override_a_gives_evaluated_queryset(
    poll: Poll, queries: QueryLog, spelling: str
) -> None:
    """`.a()` of a plain `def filter` on a manager subclass runs it and evaluates the result."""
    with queries.expect(1):
        result = await spelled(Ballot.recording, "filter", spelling)(voter="bob")
    with queries.expect(0):
        assert [b.voter for b in result] == ["bob"]
    assert CALLS == ["RecordingBallotManager.filter"]


def test_manager_subclass_create_override_sync(db: None) -> None:
    """A plain `def create` on a MultisyncManager subclass runs from sync `create()`."""
    assert Ballot.recording.create(voter="dan").voter == "dan"
    assert CALLS == ["RecordingBallotManager.create"]


# name: (keyword arguments, the voters read)
FETCH_ALL_CALLS = {"all": ({}, ["ada", "bob"]), "filter": ({"voter": "ada"}, ["ada"])}


@on_both
@chain_spellings
@pytest.mark.parametrize("name", FETCH_ALL_CALLS)
async def test_overridden_fetch_all_runs_from_chaining_method_a(
    poll: Poll, queries: QueryLog, name: str, kind: str, spelling: str
) -> None:
    """`.a()` of `all` and `filter` runs the queryset's own `_fetch_all`, as iteration does."""
    kwargs, voters = FETCH_ALL_CALLS[name]
    with queries.expect(1):
        result = await spelled(source(Ballot.fetch_recording, kind), name, spelling)(**kwargs)
    assert sorted(b.voter for b in result) == voters
    assert CALLS == ["FetchRecordingBallotQuerySet._fetch_all"]


@query_spellings
async def test_narrowed_manager_query_methods_see_get_queryset(
    poll: Poll, queries: QueryLog, spelling: str
) -> None:
    """A manager that narrows `get_queryset()` counts only its rows from every spelling."""
    with queries.expect(1):
        assert await spelled(Ballot.counted_only, "count", spelling)() == 1


@query_spellings
async def test_narrowed_manager_get_outside_raises_does_not_exist(
    poll: Poll, spelling: str
) -> None:
    """A row outside the narrowed `get_queryset()` is missing for every spelling of `get`."""
    with pytest.raises(Ballot.DoesNotExist) as exc:
        await spelled(Ballot.counted_only, "get", spelling)(voter="ada")
    assert exc.value.args == ("Ballot matching query does not exist.",)


@chain_spellings
async def test_narrowed_manager_all_a_gives_its_rows(
    poll: Poll, queries: QueryLog, spelling: str
) -> None:
    """`all.a()` on a manager that narrows `get_queryset()` returns its rows, evaluated."""
    with queries.expect(1):
        result = await spelled(Ballot.counted_only, "all", spelling)()
    with queries.expect(0):
        assert [b.voter for b in result] == ["bob"]


@query_spellings
async def test_related_manager_by_name_uses_that_manager(
    poll: Poll, queries: QueryLog, spelling: str
) -> None:
    """`poll.ballots(manager="audited")` runs the audited `get` override, within the relation."""
    await Ballot.objects.create.a(voter="ada")  # not in the poll
    with queries.expect(1):
        got = await spelled(poll.ballots(manager="audited"), "get", spelling)(voter="ada")
    assert got.poll_id == poll.pk
    # The related manager filters by the relation first, through the override too.
    assert CALLS == [
        "AuditedBallotQuerySet.filter",
        "AuditedBallotQuerySet.get",
        "AuditedBallotQuerySet.filter",
    ]


# --- MultisyncModel -----------------------------------------------------------------


def test_multisync_model_is_abstract() -> None:
    """`MultisyncModel` is an abstract model, so migrations never mention it."""
    assert MultisyncModel._meta.abstract is True


def test_multisync_model_cannot_be_instantiated() -> None:
    """Like any abstract model, `MultisyncModel()` raises Django's TypeError."""
    with pytest.raises(TypeError) as exc:
        MultisyncModel()  # type: ignore[abstract]
    assert exc.value.args == ("Abstract models cannot be instantiated.",)


def test_multisync_model_manager_unavailable_on_abstract_class() -> None:
    """`MultisyncModel.objects` raises Django's AttributeError for abstract models."""
    with pytest.raises(AttributeError) as exc:
        MultisyncModel.objects
    assert exc.value.args == ("Manager isn't available; MultisyncModel is abstract",)


@pytest.mark.parametrize("model", [Question, Choice, Poll, Topic])
def test_multisync_model_default_manager_is_multisync_manager(model: type[Model]) -> None:
    """A subclass's default manager is its `objects`, a MultisyncManager of MultisyncQuerySets."""
    assert type(model._default_manager) is MultisyncManager
    assert model._meta.default_manager.name == "objects"  # type: ignore[union-attr]
    assert type(model._default_manager.all()) is MultisyncQuerySet


def test_multisync_model_subclass_keeps_its_own_default_manager() -> None:
    """A subclass that defines `objects` itself keeps it as the default manager."""
    assert Ballot._meta.default_manager is Ballot.objects
    assert Ballot.objects._queryset_class is BallotQuerySet  # type: ignore[attr-defined]


# --- repr and pickling --------------------------------------------------------------


def test_manager_str_names_model() -> None:
    """`str(Question.objects)` is Django's `app.Model.manager` label."""
    assert str(Question.objects) == "testapp.Question.objects"


def test_queryset_pair_repr() -> None:
    """A queryset's bound pair has a repr that names it and runs no query."""
    queryset = Question.objects.all()
    assert repr(queryset.get) == (
        "<bound multisync MultisyncQuerySet.get of"
        f" <MultisyncQuerySet object at {id(queryset):#x}>>"
    )


def test_manager_bound_pair_pickles(question: Question) -> None:
    """`Question.objects.get` survives a pickle round trip and still queries."""
    restored = pickle.loads(pickle.dumps(Question.objects.get))
    assert restored(pk=question.pk) == question


async def test_evaluated_queryset_pickles_with_rows(question: Question, queries: QueryLog) -> None:
    """A queryset from `.a()` pickles with its rows: the copy reads with no query."""
    result = await Choice.objects.order_by.a("pk")
    with queries.expect(0):
        restored = pickle.loads(pickle.dumps(result))
        assert [c.choice_text for c in restored] == ["Not much", "The sky"]
    assert type(restored) is MultisyncQuerySet


async def test_evaluated_queryset_repr_runs_no_query(question: Question, queries: QueryLog) -> None:
    """`repr()` of a queryset from `.a()` reads its rows with no query."""
    result = await Question.objects.all.a()
    with queries.expect(0):
        assert repr(result) == "<MultisyncQuerySet [<Question: What's new?>]>"
