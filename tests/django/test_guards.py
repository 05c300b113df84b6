"""The guard: sync access to an unloaded relation in async code (DESIGN 2c).

Each relation kind has a pair: unloaded access raises
`UnprefetchedRelatedModelAccessError` before any query is sent; loaded access works with
no query.
"""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import TYPE_CHECKING
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import SynchronousOnlyOperation
from django.db import connections
from django.db.models.sql import Query
from django.test import override_settings

from multisync import UnprefetchedRelatedModelAccessError
from tests.testapp.models import Choice, Comment, Profile, Question, Tag

if TYPE_CHECKING:
    from tests.django.conftest import QueryLog

pytestmark = pytest.mark.django_db

DOCS = " (See https://multisync.readthedocs.io/en/latest/errors/#ms-relation-not-loaded)"


def not_loaded(model: str, name: str, variable: str, loader: str) -> str:
    """The message for an unloaded relation."""
    return (
        f"`{model}.{name}` is not loaded, and loading it here would run a database query"
        f" inside an async context. Use `await {variable}.a.{name}`, or load it up front"
        f' with `{loader}("{name}")`.{DOCS}'
    )


def assert_loop_connection_unused() -> None:
    """The event loop thread's own connection never ran a query (nor opened)."""
    assert connections["default"].queries_log == type(connections["default"].queries_log)()
    assert connections["default"].connection is None


# --- forward foreign key --------------------------------------------------------------


async def test_forward_fk_sync_access_in_async_context_raises(
    choice: Choice, queries: QueryLog
) -> None:
    """Sync access to an unloaded FK in a running loop raises naming Choice.question."""
    with queries.expect(0), pytest.raises(UnprefetchedRelatedModelAccessError) as exc:
        choice.question
    assert str(exc.value) == not_loaded("Choice", "question", "choice", "select_related")
    assert_loop_connection_unused()


async def test_forward_fk_sync_access_after_select_related_ok(
    question: Question, queries: QueryLog
) -> None:
    """Sync access to a select_related FK works in a running loop, with no query."""
    choice = await Choice.objects.select_related("question").afirst()
    assert choice is not None
    with queries.expect(0):
        assert choice.question.pk == question.pk


async def test_forward_fk_sync_access_after_await_ok(choice: Choice, queries: QueryLog) -> None:
    """Sync access works after `await choice.a.question` loaded it."""
    await choice.a.question
    with queries.expect(0):
        assert choice.question.question_text == "What's new?"


async def test_forward_fk_error_traceback_is_caller_line_and_raise(choice: Choice) -> None:
    """The error comes alone: the caller's line and the raise, no chained Django errors."""
    try:
        choice.question
    except UnprefetchedRelatedModelAccessError as error:
        caught = error
    frames = traceback.extract_tb(caught.__traceback__)
    assert [(Path(f.filename).name, f.name) for f in frames] == [
        ("test_guards.py", "test_forward_fk_error_traceback_is_caller_line_and_raise"),
        ("guards.py", "__get__"),
    ]
    assert caught.__cause__ is None
    assert caught.__suppress_context__


async def test_reverse_fk_error_traceback_is_caller_line_and_raise(question: Question) -> None:
    """A manager's queryset raises alone too: the caller's line and the raise."""
    try:
        list(question.choice_set.all())
    except UnprefetchedRelatedModelAccessError as error:
        caught = error
    frames = traceback.extract_tb(caught.__traceback__)
    assert [Path(f.filename).name for f in frames][-1] == "guards.py"
    assert caught.__cause__ is None
    assert caught.__suppress_context__


async def test_forward_fk_error_is_a_synchronous_only_operation(choice: Choice) -> None:
    """Existing `except SynchronousOnlyOperation` code still catches the error."""
    with pytest.raises(SynchronousOnlyOperation):
        choice.question


async def test_forward_fk_error_traceback_ends_in_user_file(choice: Choice) -> None:
    """The last visible frame of the error is the user's line."""
    with pytest.raises(UnprefetchedRelatedModelAccessError) as exc:
        choice.question
    frames = exc.traceback.filter(exc)
    user_frames = [e for e in frames if "site-packages" not in str(e.path)]
    assert Path(user_frames[-1].path) == Path(__file__)


def test_forward_fk_sync_access_outside_loop_queries(choice: Choice, queries: QueryLog) -> None:
    """Outside an event loop nothing changes: the access queries, as in Django."""
    with queries.expect(1):
        assert choice.question.question_text == "What's new?"


async def test_nullable_fk_sync_access_null_ok(question: Question, queries: QueryLog) -> None:
    """A null FK needs no query, so sync access works in a running loop."""
    with queries.expect(0):
        assert question.author is None


# --- one-to-one -------------------------------------------------------------------------


async def test_forward_one_to_one_sync_access_in_async_context_raises(profile: Profile) -> None:
    """Sync access to an unloaded one-to-one raises naming Profile.user."""
    with pytest.raises(UnprefetchedRelatedModelAccessError) as exc:
        profile.user
    assert str(exc.value) == not_loaded("Profile", "user", "profile", "select_related")


async def test_reverse_one_to_one_sync_access_in_async_context_raises(user: User) -> None:
    """Sync access to an unloaded reverse one-to-one raises naming User.profile."""
    with pytest.raises(UnprefetchedRelatedModelAccessError) as exc:
        user.profile
    assert str(exc.value) == not_loaded("User", "profile", "user", "select_related")


async def test_reverse_one_to_one_sync_access_after_select_related_ok(
    user: User, queries: QueryLog
) -> None:
    """A select_related reverse one-to-one works in a running loop, with no query."""
    loaded = await User.objects.select_related("profile").aget(pk=user.pk)
    with queries.expect(0):
        assert loaded.profile.bio == "Analyst"


async def test_reverse_one_to_one_missing_after_select_related_raises_does_not_exist(
    lonely_user: User, queries: QueryLog
) -> None:
    """A select_related missing row raises Django's RelatedObjectDoesNotExist, not ours."""
    loaded = await User.objects.select_related("profile").aget(pk=lonely_user.pk)
    with queries.expect(0), pytest.raises(User.profile.RelatedObjectDoesNotExist):
        loaded.profile


# --- reverse foreign key ----------------------------------------------------------------


async def test_reverse_fk_manager_and_lazy_queryset_allowed(
    question: Question, queries: QueryLog
) -> None:
    """Building the manager and a lazy queryset runs no query and raises nothing."""
    with queries.expect(0):
        lazy = question.choice_set.filter(votes__gte=1).order_by("pk")
    assert lazy.model is Choice


@pytest.mark.parametrize(
    "evaluate",
    [
        pytest.param(list, id="iteration"),
        pytest.param(len, id="len"),
        pytest.param(bool, id="bool"),
        pytest.param(lambda qs: qs[0], id="indexing"),
        pytest.param(lambda qs: qs.get(votes=1), id="get"),
        pytest.param(lambda qs: qs.first(), id="first"),
        pytest.param(lambda qs: qs.count(), id="count"),
        pytest.param(lambda qs: qs.exists(), id="exists"),
    ],
)
async def test_reverse_fk_evaluation_in_async_context_raises(
    question: Question, queries: QueryLog, evaluate: object
) -> None:
    """Evaluating an unloaded reverse FK queryset raises naming Question.choice_set."""
    with queries.expect(0), pytest.raises(UnprefetchedRelatedModelAccessError) as exc:
        evaluate(question.choice_set.all())  # type: ignore[operator]
    assert str(exc.value) == not_loaded("Question", "choice_set", "question", "prefetch_related")


async def test_reverse_fk_filtered_queryset_evaluation_raises(question: Question) -> None:
    """A filtered queryset from the manager stays guarded."""
    with pytest.raises(UnprefetchedRelatedModelAccessError):
        list(question.choice_set.filter(votes__gte=1).order_by("pk"))


async def test_reverse_fk_after_prefetch_related_ok(question: Question, queries: QueryLog) -> None:
    """Prefetched choices iterate, count and test with no query in a running loop."""
    loaded = await Question.objects.prefetch_related("choice_set").aget(pk=question.pk)
    with queries.expect(0):
        assert len(loaded.choice_set.all()) == 2
        assert loaded.choice_set.count() == 2
        assert loaded.choice_set.exists()


async def test_reverse_fk_filter_on_prefetched_manager_raises(question: Question) -> None:
    """`.filter()` on a prefetched manager needs the database again, so it raises."""
    loaded = await Question.objects.prefetch_related("choice_set").aget(pk=question.pk)
    with pytest.raises(UnprefetchedRelatedModelAccessError):
        list(loaded.choice_set.filter(votes=1))


def test_reverse_fk_evaluation_outside_loop_queries(question: Question, queries: QueryLog) -> None:
    """Outside an event loop the manager queries as usual."""
    with queries.expect(1):
        assert question.choice_set.count() == 2


# --- many-to-many -----------------------------------------------------------------------


async def test_forward_m2m_evaluation_in_async_context_raises(question: Question) -> None:
    """Iterating unloaded tags raises naming Question.tags."""
    with pytest.raises(UnprefetchedRelatedModelAccessError) as exc:
        list(question.tags.all())
    assert str(exc.value) == not_loaded("Question", "tags", "question", "prefetch_related")


async def test_forward_m2m_manager_count_in_async_context_raises(question: Question) -> None:
    """`tags.count()`, which Django answers through the through table, raises too."""
    with pytest.raises(UnprefetchedRelatedModelAccessError) as exc:
        question.tags.count()
    assert str(exc.value) == not_loaded("Question", "tags", "question", "prefetch_related")


async def test_forward_m2m_manager_exists_in_async_context_raises(question: Question) -> None:
    """`tags.exists()` raises too."""
    with pytest.raises(UnprefetchedRelatedModelAccessError):
        question.tags.exists()


async def test_reverse_m2m_evaluation_in_async_context_raises(tag: Tag) -> None:
    """Iterating an unloaded reverse M2M raises naming Tag.question_set."""
    with pytest.raises(UnprefetchedRelatedModelAccessError) as exc:
        list(tag.question_set.all())
    assert str(exc.value) == not_loaded("Tag", "question_set", "tag", "prefetch_related")


async def test_m2m_after_prefetch_related_ok(question: Question, queries: QueryLog) -> None:
    """Prefetched tags iterate and count with no query in a running loop."""
    loaded = await Question.objects.prefetch_related("tags").aget(pk=question.pk)
    with queries.expect(0):
        assert sorted(t.name for t in loaded.tags.all()) == ["news", "sky"]
        assert loaded.tags.count() == 2


async def test_third_party_m2m_evaluation_raises(user: User) -> None:
    """auth.User's groups are guarded too."""
    with pytest.raises(UnprefetchedRelatedModelAccessError) as exc:
        list(user.groups.all())
    assert str(exc.value) == not_loaded("User", "groups", "user", "prefetch_related")


# --- generic relations ------------------------------------------------------------------


async def test_generic_fk_sync_access_in_async_context_raises(comment: Comment) -> None:
    """Sync access to an unloaded GenericForeignKey raises naming Comment.content_object."""
    with pytest.raises(UnprefetchedRelatedModelAccessError) as exc:
        comment.content_object
    assert str(exc.value) == not_loaded("Comment", "content_object", "comment", "prefetch_related")


async def test_generic_fk_after_prefetch_related_ok(question: Question, queries: QueryLog) -> None:
    """A prefetched GenericForeignKey works with no query in a running loop."""
    loaded = await Comment.objects.prefetch_related("content_object").aget()
    with queries.expect(0):
        assert loaded.content_object == question


async def test_generic_relation_evaluation_in_async_context_raises(question: Question) -> None:
    """Iterating an unloaded GenericRelation raises naming Question.comments."""
    with pytest.raises(UnprefetchedRelatedModelAccessError) as exc:
        list(question.comments.all())
    assert str(exc.value) == not_loaded("Question", "comments", "question", "prefetch_related")


# --- deferred fields --------------------------------------------------------------------


async def test_deferred_field_sync_access_in_async_context_raises(question: Question) -> None:
    """Sync access to a deferred field raises naming Question.body."""
    deferred = await Question.objects.defer("body").aget(pk=question.pk)
    with pytest.raises(UnprefetchedRelatedModelAccessError) as exc:
        deferred.body
    assert str(exc.value) == (
        "`Question.body` was deferred, and loading it here would run a database query inside"
        " an async context. Use `await question.a.body`, or leave it out of"
        f" `.defer()`/`.only()`.{DOCS}"
    )


async def test_loaded_field_sync_access_ok(question: Question, queries: QueryLog) -> None:
    """A loaded field and a loaded FK column read with no query."""
    with queries.expect(0):
        assert question.body == "A long body."
        assert question.author_id is None


# --- switching it off -------------------------------------------------------------------


@override_settings(MULTISYNC={"GUARD": "off"})
async def test_guard_off_raises_plain_synchronous_only_operation(choice: Choice) -> None:
    """With `MULTISYNC = {"GUARD": "off"}`, Django's own error comes through unchanged."""
    with pytest.raises(SynchronousOnlyOperation) as exc:
        choice.question
    assert type(exc.value) is SynchronousOnlyOperation
    assert (
        str(exc.value)
        == "You cannot call this from an async context - use a thread or sync_to_async."
    )


@override_settings(MULTISYNC={"GUARD": "off"})
async def test_guard_off_async_accessor_still_loads(choice: Choice) -> None:
    """Switching the guard off leaves `obj.a` working."""
    assert (await choice.a.question).question_text == "What's new?"


@pytest.mark.django_db(transaction=True)
async def test_allow_async_unsafe_lets_django_query_in_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`DJANGO_ALLOW_ASYNC_UNSAFE` is honoured as Django honours it: the access queries."""
    saved = await Choice.objects.acreate(
        question=await Question.objects.acreate(question_text="Unsafe?"), choice_text="Yes"
    )
    choice = await Choice.objects.aget(pk=saved.pk)
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    try:
        assert choice.question.question_text == "Unsafe?"
    finally:
        connections.close_all()  # the loop thread opened its own connection


# --- cost ---------------------------------------------------------------------------------


def test_guarded_manager_keeps_django_filter_deferred(user: User) -> None:
    """The guard leaves the related filter deferred, as Django does for prefetch_related."""
    assert user.groups.get_queryset()._deferred_filter is not None  # type: ignore[attr-defined]


def test_prefetch_related_builds_related_filter_once_whatever_the_instance_count(
    question: Question,
) -> None:
    """Prefetching over many instances does not build a filter per instance."""
    for number in range(3):
        Question.objects.create(question_text=f"Extra {number}")

    def add_q_calls(queryset: object) -> int:
        with mock.patch.object(Query, "add_q", autospec=True, side_effect=Query.add_q) as add_q:
            list(queryset)  # type: ignore[call-overload]
        return add_q.call_count

    one = add_q_calls(Question.objects.filter(pk=question.pk).prefetch_related("choice_set"))
    four = add_q_calls(Question.objects.prefetch_related("choice_set"))
    assert one == four
