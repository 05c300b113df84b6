"""`assert_num_queries` under pytest-asyncio, beside the suite's own async tests.

pytest-asyncio (strict mode) runs only the tests marked `asyncio`, in an event loop of
the test's thread: with no outer `async_to_sync`, hops go to asgiref's one global
worker thread, whose connection is outside the test's transaction; hence
`transaction=True`, and the fixture closing that thread's connection afterwards. The
unmarked coroutine test at the end still runs under tests/conftest.py's
`async_to_sync`: both kinds live in one module.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import pytest
from asgiref.sync import sync_to_async
from django.db import connections

from multisync.test import QueryAssertions, assert_num_queries
from tests.testapp.models import Question

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

pytest_asyncio = pytest.importorskip("pytest_asyncio")


def hop_thread_name() -> str:
    """The name of the thread a thread-sensitive hop runs on."""
    return threading.current_thread().name


@pytest_asyncio.fixture  # type: ignore[untyped-decorator]  # importorskip gives Any
async def hop_connections() -> AsyncIterator[None]:
    """Close the connections of the hop thread when the test ends."""
    yield
    await sync_to_async(connections.close_all)()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_assert_num_queries_pytest_asyncio_counts_hops(hop_connections: None) -> None:
    """Under pytest-asyncio the hops run in asgiref's worker thread, and are counted."""
    assert await sync_to_async(hop_thread_name)() != threading.current_thread().name
    async with assert_num_queries(2):
        await Question.objects.acreate(question_text="What's new?")
        assert await Question.objects.acount() == 1


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_assert_num_queries_pytest_asyncio_wrong_count_fails(
    hop_connections: None,
) -> None:
    """A wrong count fails with Django's message under pytest-asyncio too."""
    with pytest.raises(AssertionError, match=r"^1 queries executed, 2 expected\n"):
        async with assert_num_queries(2):
            await Question.objects.acount()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_multisync_queries_fixture_pytest_asyncio(
    hop_connections: None, multisync_queries: QueryAssertions
) -> None:
    """The plugin's fixture works in pytest-asyncio tests."""
    async with multisync_queries.expect(1):
        await Question.objects.acount()


@pytest.mark.django_db
async def test_assert_num_queries_unmarked_test_beside_pytest_asyncio() -> None:
    """An unmarked coroutine test in the same module runs under async_to_sync."""
    assert await sync_to_async(hop_thread_name)() == threading.main_thread().name
    async with assert_num_queries(1):
        await Question.objects.acount()
