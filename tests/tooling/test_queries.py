"""`assert_num_queries` and `capture_queries` (multisync.test), in pytest-django tests.

Coroutine tests here run under `async_to_sync` (tests/conftest.py), as in Django's
`TestCase`: hops come back to the test's thread. The expected failure messages come
from Django's own `assertNumQueries`, run on the same queries synchronously, so the
SQL text and the layout are checked against Django on every database.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import unittest
from typing import TYPE_CHECKING

import pytest
from asgiref.sync import sync_to_async
from django.db import connection, connections
from django.test.testcases import _AssertNumQueriesContext
from django.utils.functional import cached_property

from multisync.test import (
    AssertNumQueries,
    CapturedQueries,
    QueryAssertions,
    assert_num_queries,
    capture_queries,
)
from tests.testapp.models import Choice, Question

if TYPE_CHECKING:
    from collections.abc import Callable


def django_failure(expected: int, run_queries: Callable[[], object]) -> str:
    """The message of Django's `assertNumQueries(expected)` around `run_queries()`."""
    case = unittest.TestCase()
    case.longMessage = False  # the message alone, without "2 != 1 : "
    with (
        pytest.raises(AssertionError) as failure,
        _AssertNumQueriesContext(case, expected, connection),
    ):
        run_queries()
    return str(failure.value)


@pytest.fixture
def question(db: None) -> Question:
    """A question with two choices."""
    question = Question.objects.create(question_text="What's new?")
    Choice.objects.create(question=question, choice_text="Not much", votes=1)
    Choice.objects.create(question=question, choice_text="The sky", votes=2)
    return question


def two_queries_sync(pk: int) -> None:
    """The sync twin of `two_queries`, for Django's assertion."""
    Question.objects.get(pk=pk)
    Choice.objects.filter(question_id=pk, votes__gte=2).count()


async def two_queries(pk: int) -> None:
    """Two queries with parameters, each in a `sync_to_async` hop."""
    await Question.objects.aget(pk=pk)
    await Choice.objects.filter(question_id=pk, votes__gte=2).acount()


# --- assert_num_queries ------------------------------------------------------------------


async def test_assert_num_queries_counts_hops(question: Question) -> None:
    """Queries run in `sync_to_async` hops are counted: the right count passes."""
    async with assert_num_queries(2):
        await two_queries(question.pk)


async def test_assert_num_queries_wrong_count_fails_like_django(question: Question) -> None:
    """A wrong count raises AssertionError with Django's message and SQL."""
    expected = await sync_to_async(django_failure)(1, lambda: two_queries_sync(question.pk))
    with pytest.raises(AssertionError) as failure:
        async with assert_num_queries(1):
            await two_queries(question.pk)
    assert str(failure.value) == expected
    assert expected.startswith("2 queries executed, 1 expected\nCaptured queries were:\n1. ")


async def test_assert_num_queries_none_run_fails_with_empty_list(db: None) -> None:
    """Expecting a query that never runs fails with an empty list, as Django's does."""
    with pytest.raises(AssertionError) as failure:
        async with assert_num_queries(1):
            pass
    assert failure.value.args == ("0 queries executed, 1 expected\nCaptured queries were:\n",)


async def test_assert_num_queries_zero_passes_without_queries(question: Question) -> None:
    """`assert_num_queries(0)` around loaded data passes."""
    choice = await Choice.objects.select_related("question").aget(choice_text="Not much")
    async with assert_num_queries(0):
        assert choice.question.question_text == "What's new?"


async def test_assert_num_queries_error_in_block_passes_through(question: Question) -> None:
    """An exception from the block propagates unchanged, with no count check."""
    with pytest.raises(Question.DoesNotExist):
        async with assert_num_queries(5):
            await Question.objects.aget(pk=question.pk + 100)


async def test_assert_num_queries_yields_captured_queries(question: Question) -> None:
    """The object bound by `as` holds the captured queries."""
    async with assert_num_queries(1) as captured:
        await Question.objects.acount()
    assert isinstance(captured, AssertNumQueries)
    assert len(captured) == 1
    assert "COUNT(*)" in captured[0]["sql"]


def test_assert_num_queries_sync_with_statement(question: Question) -> None:
    """In sync code a plain `with` counts the queries of the current thread."""
    with assert_num_queries(2):
        two_queries_sync(question.pk)


def test_assert_num_queries_sync_wrong_count_fails_like_django(question: Question) -> None:
    """The sync form fails with the same message as Django's assertion."""
    expected = django_failure(3, lambda: two_queries_sync(question.pk))
    with pytest.raises(AssertionError) as failure, assert_num_queries(3):
        two_queries_sync(question.pk)
    assert str(failure.value) == expected


async def test_assert_num_queries_plain_with_in_async_test(question: Question) -> None:
    """A plain `with` in async code counts the hops too: entering it needs no await."""
    with assert_num_queries(2):
        await two_queries(question.pk)


# --- capture_queries ---------------------------------------------------------------------


async def test_capture_queries_sql_matches_django_log(question: Question) -> None:
    """Captured SQL and its layout are what Django's query log shows for the same query."""
    async with capture_queries() as captured:
        await Question.objects.aget(pk=question.pk)

    def django_log() -> list[str]:
        with _AssertNumQueriesContext(unittest.TestCase(), 1, connection) as context:
            Question.objects.get(pk=question.pk)
        return [query["sql"] for query in context.captured_queries]

    assert [query["sql"] for query in captured] == await sync_to_async(django_log)()
    assert set(captured[0]) == {"sql", "time"}
    assert float(captured[0]["time"]) >= 0


async def test_capture_queries_counts_many_like_django(db: None) -> None:
    """`executemany` is logged as "N times: SQL", as Django logs it."""

    def insert_twice() -> None:
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(Question._meta.db_table)
            column = connection.ops.quote_name("question_text")
            date = connection.ops.quote_name("pub_date")
            body = connection.ops.quote_name("body")
            cursor.executemany(
                f"INSERT INTO {table} ({column}, {date}, {body}) VALUES (%s, %s, '')",  # noqa: S608  # quoted names
                [("a", "2024-01-01 00:00:00"), ("b", "2024-01-01 00:00:00")],
            )

    async with capture_queries() as captured:
        await sync_to_async(insert_twice)()
    assert len(captured) == 1
    assert captured[0]["sql"].startswith("2 times: INSERT INTO ")


async def test_capture_queries_ignores_concurrent_task(question: Question) -> None:
    """A task started before the block, querying while it is open, is not counted."""
    inside, done = asyncio.Event(), asyncio.Event()

    async def bystander() -> None:
        await inside.wait()
        await Question.objects.acount()
        done.set()

    task = asyncio.create_task(bystander())
    async with capture_queries() as captured:
        inside.set()
        await done.wait()
        await Question.objects.afirst()
    await task
    assert len(captured) == 1
    assert "COUNT(*)" not in captured[0]["sql"]


async def test_capture_queries_counts_task_started_inside(question: Question) -> None:
    """A task started inside the block runs the block's code: its query is counted."""
    async with capture_queries() as captured:
        await asyncio.create_task(Question.objects.acount())
    assert len(captured) == 1


async def test_capture_queries_ignores_queries_after_exit(question: Question) -> None:
    """A task started inside but querying after the block ends adds nothing."""
    go = asyncio.Event()

    async def late() -> None:
        await go.wait()
        await Question.objects.acount()

    async with capture_queries() as captured:
        task = asyncio.create_task(late())
    go.set()
    await task
    assert len(captured) == 0


async def test_capture_queries_counts_worker_thread(db: None) -> None:
    """Queries in `asyncio.to_thread` run on that thread's connection and are counted."""

    def count_in_worker() -> tuple[int, str]:
        try:
            return Question.objects.count(), threading.current_thread().name
        finally:
            connections.close_all()  # the worker's own connection

    async with capture_queries() as captured:
        count, thread = await asyncio.to_thread(count_in_worker)
    assert (count, len(captured)) == (0, 1)
    assert thread != threading.current_thread().name


async def test_capture_queries_counts_thread_insensitive_hop(db: None) -> None:
    """`sync_to_async(thread_sensitive=False)` hops are counted too."""

    def count() -> int:
        try:
            return Question.objects.count()
        finally:
            connections.close_all()

    async with capture_queries() as captured:
        await sync_to_async(count, thread_sensitive=False)()
    assert len(captured) == 1


async def test_capture_queries_counts_event_loop_thread_when_allowed(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With DJANGO_ALLOW_ASYNC_UNSAFE, sync queries in the loop's thread are counted."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    try:
        async with capture_queries() as captured:
            Question.objects.count()
    finally:
        connections.close_all()  # the loop thread's own connection
    assert len(captured) == 1


async def test_capture_queries_using_other_alias_ignores_default(question: Question) -> None:
    """A block watching another alias does not count queries on "default"."""
    async with capture_queries(using="other") as other, capture_queries() as default:
        await Question.objects.acount()
    assert (len(other), len(default)) == (0, 1)


async def test_capture_queries_nested_blocks_both_count(question: Question) -> None:
    """Nested blocks each count the queries run inside them."""
    async with capture_queries() as outer:
        await Question.objects.acount()
        async with capture_queries() as inner:
            await Question.objects.afirst()
    assert (len(outer), len(inner)) == (2, 1)


async def test_capture_queries_entering_touches_no_connection() -> None:
    """Entering and leaving need no database access, in the loop's thread or elsewhere."""
    async with capture_queries() as captured:
        pass
    assert len(captured) == 0
    assert connections["default"].connection is None


async def test_capture_queries_reentering_open_block_raises(db: None) -> None:
    """One object cannot be entered again while it is open."""
    block = capture_queries()
    async with block:
        with pytest.raises(RuntimeError) as error:
            async with block:
                pass
    message = (
        "<CapturedQueries using='default': 0 queries> is already open; "
        "use a new one for a nested block"
    )
    assert error.value.args == (message,)


async def test_capture_queries_reused_after_exit_starts_empty(question: Question) -> None:
    """An object entered again after it ended starts a new capture."""
    block = capture_queries()
    async with block:
        await Question.objects.acount()
    async with block:
        pass
    assert len(block) == 0


def test_capture_queries_behaves_as_a_sequence(question: Question) -> None:
    """`len()`, indexing and iteration work as on Django's CaptureQueriesContext."""
    with capture_queries() as captured:
        two_queries_sync(question.pk)
    assert isinstance(captured, CapturedQueries)
    assert [q["sql"] for q in captured] == [captured[0]["sql"], captured[1]["sql"]]
    assert repr(captured) == "<CapturedQueries using='default': 2 queries>"


# --- the fixture -------------------------------------------------------------------------


async def test_multisync_queries_fixture_expect_counts(
    question: Question, multisync_queries: QueryAssertions
) -> None:
    """`multisync_queries.expect(n)` is `assert_num_queries(n)`."""
    async with multisync_queries.expect(2):
        await two_queries(question.pk)


async def test_multisync_queries_fixture_expect_fails(
    question: Question, multisync_queries: QueryAssertions
) -> None:
    """`multisync_queries.expect(n)` fails with Django's message."""
    with pytest.raises(AssertionError, match=r"^1 queries executed, 0 expected\n"):
        async with multisync_queries.expect(0):
            await Question.objects.acount()


async def test_multisync_queries_fixture_capture_uses_alias(
    question: Question, multisync_queries: QueryAssertions
) -> None:
    """`multisync_queries.capture(using=...)` watches that alias only."""
    async with multisync_queries.capture(using="other") as captured:
        await Question.objects.acount()
    assert len(captured) == 0


async def test_capture_queries_skips_queries_of_opening_a_connection(db: None) -> None:
    """Queries that run while a connection (re)opens are not the block's: not counted."""

    def reopen_and_count() -> int:
        wrapper = connections["default"]
        opened_state = wrapper.init_connection_state

        def init_with_a_query() -> None:  # as MySQL's isolation_level option does
            opened_state()
            with wrapper.cursor() as cursor:
                cursor.execute("SELECT 1")

        wrapper.init_connection_state = init_with_a_query  # type: ignore[method-assign]
        try:
            wrapper.ensure_connection()
            wrapper.close()  # SQLite keeps in-memory databases open; the others reopen
            return Question.objects.count()
        finally:
            wrapper.close()
            del wrapper.init_connection_state

    async with capture_queries() as captured:
        await asyncio.to_thread(reopen_and_count)
    assert [query["sql"] for query in captured] == [captured[0]["sql"]]
    assert "COUNT(*)" in captured[0]["sql"]


async def test_capture_queries_skips_queries_filling_connection_properties(db: None) -> None:
    """A query that fills a cached property of the connection (server data) is not counted."""

    def introspect_then_count() -> int:
        wrapper = connections["default"]
        features = wrapper.features

        def server_flag(self: object) -> bool:  # as MySQL's `mysql_server_data` does
            with wrapper.cursor() as cursor:
                cursor.execute("SELECT 1")
                return bool(cursor.fetchone())

        probing = type(
            "ProbingFeatures", (type(features),), {"server_flag": cached_property(server_flag)}
        )
        features.__class__ = probing
        try:
            assert features.server_flag  # type: ignore[attr-defined]
            return Question.objects.count()
        finally:
            features.__class__ = probing.__bases__[0]
            wrapper.close()

    async with capture_queries() as captured:
        await asyncio.to_thread(introspect_then_count)
    assert len(captured) == 1
    assert "COUNT(*)" in captured[0]["sql"]


def test_capture_queries_watches_connections_opened_before_first_use() -> None:
    """A worker thread's connection opened before multisync.test was used is watched."""
    script = """
import contextvars, django
from concurrent.futures import ThreadPoolExecutor
from django.db import connections
django.setup()
worker = ThreadPoolExecutor(1)
worker.submit(lambda: connections["default"].ensure_connection()).result()
from multisync.test import capture_queries
def select_one():
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
with capture_queries() as captured:
    worker.submit(contextvars.copy_context().run, select_one).result()
print([query["sql"] for query in captured])
"""
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "MULTISYNC_TEST_DB": "sqlite",
        },
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert result.stdout == "['SELECT 1']\n"
