"""`.a` on Django's own managers and querysets says what to do (a manager not opted in)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import models

from tests.testapp.models import Question, Tag

pytestmark = pytest.mark.django_db


def test_plain_manager_get_a_names_the_fixes() -> None:
    """`Model._base_manager.get.a(...)` names MultisyncManager and Django's `aget()`."""
    with pytest.raises(AttributeError) as exc:
        Question._base_manager.get.a(pk=1)  # type: ignore[attr-defined]
    assert str(exc.value) == (
        "`get.a()` exists only on a MultisyncManager or MultisyncQuerySet, and this `get` is"
        " Django's own. Give the model a `MultisyncManager` (or derive it from"
        " `MultisyncModel`), or call Django's own `aget()`."
    )


def test_plain_queryset_filter_a_suggests_async_for() -> None:
    """A chaining method with no Django twin suggests `async for` instead."""
    with pytest.raises(AttributeError) as exc:
        Tag.objects.all().filter.a(name="x")  # type: ignore[attr-defined]
    assert str(exc.value).endswith("or evaluate the queryset with `async for`.")


def test_custom_plain_manager_made_later_gets_the_hint() -> None:
    """A manager made from Django's queryset after start-up carries the hint too."""
    manager_class = models.Manager.from_queryset(models.QuerySet)
    with pytest.raises(AttributeError, match=r"call Django's own `acount\(\)`"):
        manager_class().count.a()  # type: ignore[attr-defined]


async def test_multisync_manager_get_a_still_runs() -> None:
    """A MultisyncManager's own `.a` is the async half, untouched by the hint."""
    created = await Question.objects.acreate(question_text="hinted")
    assert (await Question.objects.get.a(pk=created.pk)).question_text == "hinted"


def test_plain_manager_hint_for_user_model() -> None:
    """Third-party models' plain managers get the same hint."""
    with pytest.raises(AttributeError, match=r"call Django's own `afirst\(\)`"):
        User.objects.first.a()  # type: ignore[attr-defined]
