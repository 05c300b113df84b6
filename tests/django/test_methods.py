"""`save`, `delete` and `refresh_from_db` on every model, under the override rule (DESIGN 2a).

Every spelling (`obj.save()`, `await obj.save.a()`, `await obj.save_async()` and Django's
`await obj.asave()`) runs the halves of the nearest class that spells `save` in its body.
`CALLS` records which override bodies ran.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING
from unittest import mock

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.db import models

from multisync import BoundMultisync, Multisync
from multisync.django._compat import DJANGO_VERSION
from tests.testapp.models import (
    CALLS,
    Archived,
    AsaveOnly,
    AsaveOnlyChild,
    Paired,
    PairedChild,
    PlainSave,
    PlainSaveChild,
    Question,
    SaveAsyncOnly,
    SaveAsyncOnlyChild,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

pytestmark = pytest.mark.django_db

ASYNC_SPELLINGS: dict[str, Callable[[models.Model], Awaitable[None]]] = {
    "save.a": lambda obj: obj.save.a(),
    "save_async": lambda obj: obj.save_async(),
    "asave": lambda obj: obj.asave(),
}

# model -> (bodies run by obj.save(), bodies run by the async spellings)
MATRIX: dict[type[models.Model], tuple[list[str], list[str]]] = {
    PlainSave: (["PlainSave.save"], ["PlainSave.save"]),
    AsaveOnly: (["AsaveOnly.asave"], ["AsaveOnly.asave"]),
    SaveAsyncOnly: (["SaveAsyncOnly.save_async"], ["SaveAsyncOnly.save_async"]),
    Paired: (["Paired.save"], ["Paired.save_async"]),
    PlainSaveChild: (
        ["PlainSaveChild.asave", "PlainSave.save"],
        ["PlainSaveChild.asave", "PlainSave.save"],
    ),
    AsaveOnlyChild: (
        ["AsaveOnlyChild.save", "AsaveOnly.asave"],
        ["AsaveOnlyChild.save", "AsaveOnly.asave"],
    ),
    SaveAsyncOnlyChild: (["SaveAsyncOnly.save_async"], ["SaveAsyncOnly.save_async"]),
    PairedChild: (
        ["PairedChild.save", "Paired.save"],
        ["PairedChild.save", "Paired.save"],
    ),
}


@pytest.mark.parametrize("model", MATRIX, ids=lambda m: m.__name__)
def test_save_sync_call_runs_effective_halves(model: type[models.Model]) -> None:
    """`obj.save()` runs the nearest override's sync half, or one derived from its async half."""
    obj = model(name="sync")
    obj.save()
    assert MATRIX[model][0] == CALLS
    assert model._default_manager.filter(pk=obj.pk, name="sync").exists()


@pytest.mark.parametrize("spelling", ASYNC_SPELLINGS)
@pytest.mark.parametrize("model", MATRIX, ids=lambda m: m.__name__)
async def test_save_async_spellings_run_effective_halves(
    model: type[models.Model], spelling: str
) -> None:
    """Every async spelling of save runs the same effective async half."""
    obj = model(name=spelling)
    await ASYNC_SPELLINGS[spelling](obj)
    assert MATRIX[model][1] == CALLS
    assert await model._default_manager.filter(pk=obj.pk, name=spelling).aexists()


@pytest.mark.parametrize("spelling", ["delete", "delete.a", "delete_async", "adelete"])
async def test_delete_asave_style_override_runs_for_every_spelling(spelling: str) -> None:
    """An `adelete`-only override runs for `delete()` (in a thread) and each async spelling."""
    obj = await Archived.objects.acreate(name="old")
    if spelling == "delete":
        await sync_to_async(obj.delete)()
    elif spelling == "delete.a":
        await obj.delete.a()
    else:
        await getattr(obj, spelling)()
    assert CALLS == ["Archived.adelete"]
    assert not await Archived.objects.filter(name="old").aexists()


@pytest.mark.parametrize(
    "spelling", ["refresh_from_db.a", "refresh_from_db_async", "arefresh_from_db"]
)
async def test_refresh_from_db_plain_override_runs_for_async_spellings(spelling: str) -> None:
    """A plain `refresh_from_db` override runs for every async spelling, and refreshes."""
    obj = await Archived.objects.acreate(name="before")
    await Archived.objects.filter(pk=obj.pk).aupdate(name="after")
    if spelling == "refresh_from_db.a":
        await obj.refresh_from_db.a()
    else:
        await getattr(obj, spelling)()
    assert (CALLS, obj.name) == (["Archived.refresh_from_db"], "after")


def test_save_asave_only_override_from_sync_call_does_not_recurse() -> None:
    """An `asave` override awaiting `super().asave()` terminates when reached from `save()`."""
    obj = AsaveOnlyChild(name="deep")
    obj.save()
    assert CALLS == ["AsaveOnlyChild.save", "AsaveOnly.asave"]


# --- the base model methods ----------------------------------------------------------


def test_model_save_is_a_multisync() -> None:
    """`Model.save` itself is a pair, and `asave` is its async half."""
    assert isinstance(models.Model.save, Multisync)
    assert models.Model.asave is models.Model.save.a
    assert models.Model.save_async is models.Model.save.a


def test_model_methods_keep_alters_data() -> None:
    """Templates still refuse to call `obj.save` and `obj.delete`."""
    question = Question(question_text="?")
    assert question.save.alters_data is True
    assert question.delete.alters_data is True
    assert models.Model.asave.alters_data is True  # type: ignore[attr-defined]


def test_model_save_keeps_django_signature() -> None:
    """`inspect.signature(obj.save)` and `obj.save.a` report Django's own parameters."""
    question = Question(question_text="?")
    django_save = inspect.signature(models.Model.save.__wrapped__)
    assert list(inspect.signature(question.save).parameters) == list(django_save.parameters)[1:]
    parameters = inspect.signature(question.save).parameters.values()
    async_parameters = inspect.signature(question.save.a).parameters.values()
    assert [(p.name, p.kind, p.default) for p in async_parameters] == [
        (p.name, p.kind, p.default) for p in parameters
    ]


async def test_model_save_a_saves(db: None) -> None:
    """`await question.save.a()` inserts the row."""
    question = Question(question_text="Async?")
    await question.save.a()
    assert await Question.objects.filter(question_text="Async?").acount() == 1


async def test_model_save_a_update_fields_passes_through() -> None:
    """Keyword arguments reach Django's save: `update_fields` limits the UPDATE."""
    question = await Question.objects.acreate(question_text="Before", body="kept")
    await Question.objects.filter(pk=question.pk).aupdate(body="changed elsewhere")
    question.question_text = "After"
    await question.save.a(update_fields=["question_text"])
    stored = await Question.objects.aget(pk=question.pk)
    assert (stored.question_text, stored.body) == ("After", "changed elsewhere")


async def test_third_party_model_save_a(db: None) -> None:
    """auth.User has the spellings too; its own `save` override runs."""
    user = User(username="third")
    user.set_password("secret")
    assert isinstance(User.save, Multisync)
    await user.save.a()
    await user.save_async()
    assert await User.objects.filter(username="third").acount() == 1


def test_bound_model_save_is_a_bound_multisync() -> None:
    """`question.save` is bound to its instance."""
    question = Question(question_text="?")
    assert isinstance(question.save, BoundMultisync)
    assert question.save.__self__ is question


@pytest.mark.skipif(not (5, 0) <= DJANGO_VERSION < (6, 0), reason="Django 5.x deprecation")
async def test_asave_positional_arguments_warn_like_django() -> None:
    """On Django 5.x, positional arguments to `asave()` warn as Django's `asave` does."""
    from django.utils.deprecation import RemovedInDjango60Warning  # type: ignore[attr-defined]

    question = Question(question_text="positional")
    with pytest.warns(RemovedInDjango60Warning, match=r"Passing positional arguments to asave\(\)"):
        await question.asave(False)  # type: ignore[call-arg]  # noqa: FBT003  # deprecated spelling under test
    assert await Question.objects.filter(question_text="positional").aexists()


# --- test doubles --------------------------------------------------------------------


async def test_save_patched_on_class_is_run_by_asave() -> None:
    """`mock.patch.object(Question, "save")` is what `asave()` runs, as in Django."""
    question = Question(question_text="mocked")
    with mock.patch.object(Question, "save") as fake:
        await question.asave(update_fields=None)
    assert fake.call_count == 1
    assert fake.call_args.kwargs["update_fields"] is None
    assert not await Question.objects.filter(question_text="mocked").aexists()


async def test_plain_save_override_patched_is_run_by_asave() -> None:
    """A model that overrides `save` and is then patched runs the patch from `asave()`."""
    obj = PlainSave(name="mocked")
    with mock.patch.object(PlainSave, "save") as fake:
        await obj.asave()
    fake.assert_called_once_with()
    assert CALLS == []
