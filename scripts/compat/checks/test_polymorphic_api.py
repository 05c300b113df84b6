"""multisync's API on django-polymorphic models (`multisync_compat.polls`).

Run with `multisync_compat.polymorphic_settings` and "multisync" installed
(scripts/compat.py).
"""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from multisync_compat.polls.models import Choice, Question, RatingQuestion

pytestmark = pytest.mark.django_db


@pytest.fixture
def choice() -> Choice:
    """A choice of a `RatingQuestion`, loaded again so that its question is not loaded."""
    question = RatingQuestion.objects.create(question_text="How sure?", scale=7)
    return Choice.objects.get(pk=Choice.objects.create(question=question, choice_text="7").pk)


async def awaited(instance: Any, name: str) -> Any:
    """`await instance.a.<name>`, inside an event loop."""
    return await getattr(instance.a, name)


def test_awaited_key_to_polymorphic_model_gives_the_subclass(choice: Choice) -> None:
    """`await choice.a.question` gives the `RatingQuestion`, as sync `choice.question` does."""
    question = async_to_sync(awaited)(choice, "question")
    assert (type(question), question.question_text, question.scale) == (
        RatingQuestion,
        "How sure?",
        7,
    )
    synchronous = Choice.objects.get(pk=choice.pk).question
    assert (type(synchronous), synchronous.pk) == (type(question), question.pk)
    with CaptureQueriesContext(connection) as queries:
        assert choice.question is question
    assert len(queries) == 0


def test_save_a_runs_the_polymorphic_save() -> None:
    """`await question.save.a()` runs `PolymorphicModel.save`, which sets the content type."""
    question = RatingQuestion(question_text="How far?")
    async_to_sync(question.save.a)()
    expected = ContentType.objects.get_for_model(RatingQuestion)
    assert question.polymorphic_ctype_id == expected.pk
    assert type(Question.objects.get(pk=question.pk)) is RatingQuestion
