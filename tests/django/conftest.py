"""Fixtures for the Django tests: the polls data and a query log.

Async tests run under `async_to_sync` (see tests/conftest.py): the event loop has its
own thread, and every `sync_to_async` hop, which `.a()` uses, comes back to the main
thread and its connection. `QueryLog` counts with `multisync.test.assert_num_queries`,
which sees the queries of the code inside a block in every thread, the loop's own
included (where Django's async guard must keep the connection closed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from django.contrib.auth.models import User

from multisync.django import batching, loading
from multisync.test import AssertNumQueries, QueryAssertions
from tests.testapp.models import CALLS, Choice, Comment, Profile, Question, Tag

if TYPE_CHECKING:
    from collections.abc import Iterator

    from django.db.backends.base.base import BaseDatabaseWrapper


class QueryLog(QueryAssertions):
    """Query assertions on one database alias: `with queries.expect(n):`.

    `multisync.test.QueryAssertions` with a fixed alias, given by name or by connection.
    """

    def __init__(self, using: str | BaseDatabaseWrapper = "default") -> None:
        self.using = using if isinstance(using, str) else using.alias

    def expect(self, expected: int, *, using: str | None = None) -> AssertNumQueries:
        """Assert that the block (sync or async) runs exactly `expected` queries."""
        return super().expect(expected, using=using or self.using)


@pytest.fixture
def queries(db: None) -> QueryLog:
    """Query assertions on the default database, across the threads `.a()` hops to."""
    return QueryLog()


@pytest.fixture
def no_hops(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if `obj.a.<name>` hops to a thread."""

    async def hop(*args: Any) -> None:
        msg = "obj.a hopped to a thread for a value that was already loaded"
        raise AssertionError(msg)

    monkeypatch.setattr(loading, "read_in_thread", hop)
    monkeypatch.setattr(loading, "list_collection_in_thread", hop)
    monkeypatch.setattr(loading, "read_listed_in_thread", hop)
    monkeypatch.setattr(batching, "_load_in_thread", hop)


@pytest.fixture(autouse=True)
def _clear_calls() -> Iterator[None]:
    CALLS.clear()
    yield
    CALLS.clear()


@pytest.fixture
def question(db: None) -> Question:
    """A saved question with two choices, two tags and a comment, freshly loaded."""
    saved = Question.objects.create(question_text="What's new?", body="A long body.")
    Choice.objects.create(question=saved, choice_text="Not much", votes=1)
    Choice.objects.create(question=saved, choice_text="The sky", votes=2)
    saved.tags.add(Tag.objects.create(name="news"), Tag.objects.create(name="sky"))
    Comment.objects.create(content_object=saved, text="First!")
    return Question.objects.get(pk=saved.pk)


@pytest.fixture
def choice(question: Question) -> Choice:
    """A choice whose question is not loaded."""
    return Choice.objects.order_by("pk").first()  # type: ignore[return-value]


@pytest.fixture
def tag(question: Question) -> Tag:
    """A tag whose questions are not loaded."""
    return Tag.objects.get(name="news")


@pytest.fixture
def comment(question: Question) -> Comment:
    """A comment whose generic object is not loaded."""
    return Comment.objects.get()


@pytest.fixture
def user(db: None) -> User:
    """A user with a profile, freshly loaded."""
    created = User.objects.create(username="ada")
    Profile.objects.create(user=created, bio="Analyst")
    return User.objects.get(pk=created.pk)


@pytest.fixture
def profile(user: User) -> Profile:
    """A profile whose user is not loaded."""
    return Profile.objects.get()


@pytest.fixture
def lonely_user(db: None) -> User:
    """A user without a profile."""
    return User.objects.create(username="grace")
