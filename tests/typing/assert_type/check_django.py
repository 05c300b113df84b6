"""The Django spellings, as both mypy (with the plugins) and pyright type them.

Pyright runs no plugin: `obj.a` is permissive (every name a `Coroutine[Any, Any,
Any]`) and plain models have no `save.a` for it. The lines that only one checker
reports carry only that checker's suppression; the YAML cases test what mypy alone
sees (`tests/typing/test_*.yml`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, assert_type

from multisync.django import AsyncRelations, MultisyncManager, MultisyncQuerySet
from tests.testapp.models import Choice, Question

if TYPE_CHECKING:
    from django.contrib.auth.models import User


async def check_managers() -> None:
    assert_type(Question.objects, MultisyncManager[Question])
    assert_type(await Question.objects.get.a(pk=1), Question)
    assert_type(await Question.objects.get_async(pk=1), Question)
    assert_type(await Question.objects.count_async(), int)
    assert_type(await Question.objects.filter(pk=1).first.a(), Question | None)
    assert_type(await Question.objects.filter.a(pk=1), MultisyncQuerySet[Question])
    assert_type(await Question.objects.create.a(question_text="?"), Question)


async def check_relations(question: Question, choice: Choice) -> None:
    assert_type(question.a, AsyncRelations[Question])
    parent: Question = await choice.a.question  # mypy: Question; pyright: Any
    choices: list[Choice] = await question.a.choice_set  # mypy: list[Choice]; pyright: Any
    assert parent is not None
    assert choices is not None
    await choice.a.nope  # type: ignore[multisync-relation]  # pyright sees no error


async def check_model_methods(question: Question, user: User) -> None:
    await question.asave()  # Django's own spelling: the same async half, typed everywhere
    await question.save.a()  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType]
    await user.save_async()  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType]
