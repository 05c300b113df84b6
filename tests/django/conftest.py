"""Fixtures for the Django tests: the polls data and a query log.

Async tests run under `async_to_sync` (see tests/conftest.py): the event loop has its
own thread, and every `sync_to_async` hop, which `.a()` uses, comes back to the main
thread and its connection. `QueryLog` watches that connection, and also the loop
thread's own connection, which Django's async guard must keep closed.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import pytest
from django.contrib.auth.models import User
from django.db import connections

from multisync.django import relations
from tests.testapp.models import CALLS, Choice, Comment, Profile, Question, Tag

if TYPE_CHECKING:
    from collections.abc import Iterator

    from django.db.backends.base.base import BaseDatabaseWrapper


class QueryLog:
    """The queries run on the test's database connection, counted per block."""

    def __init__(self, wrapper: BaseDatabaseWrapper) -> None:
        self.wrapper = wrapper

    @contextmanager
    def expect(self, count: int) -> Iterator[list[str]]:
        """Assert that the block runs exactly `count` queries; yield their SQL."""
        start = len(self.wrapper.queries_log)
        executed: list[str] = []
        yield executed
        executed.extend(q["sql"] for q in list(self.wrapper.queries_log)[start:])
        assert len(executed) == count, f"{len(executed)} queries, expected {count}: {executed}"


@pytest.fixture
def queries(db: None) -> Iterator[QueryLog]:
    """A query log on the main thread's connection, where `.a()` queries run."""
    wrapper = connections["default"]
    wrapper.ensure_connection()
    forced, wrapper.force_debug_cursor = wrapper.force_debug_cursor, True
    try:
        yield QueryLog(wrapper)
    finally:
        wrapper.force_debug_cursor = forced


@pytest.fixture
def no_hops(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if `obj.a.<name>` hops to a thread."""

    async def hop(*args: Any) -> None:
        msg = "obj.a hopped to a thread for a value that was already loaded"
        raise AssertionError(msg)

    monkeypatch.setattr(relations, "_load_in_thread", hop)
    monkeypatch.setattr(relations, "_load_collection_in_thread", hop)


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
