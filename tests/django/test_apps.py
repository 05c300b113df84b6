"""Installing the app covers every model: third-party, late and not historical ones (DESIGN 2)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.apps import apps as global_apps
from django.contrib.auth.models import Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.migrations.state import ProjectState
from django.db.models.fields.related_descriptors import ForwardManyToOneDescriptor
from django.test import override_settings
from django.test.utils import isolate_apps

from multisync import Multisync, UnprefetchedRelatedModelAccessError
from multisync.django._compat import DJANGO_VERSION
from multisync.django.apps import activate
from multisync.django.checks import check_settings, namespace_errors
from tests.testapp.models import Choice, Question

if TYPE_CHECKING:
    from tests.django.conftest import QueryLog


def is_guarded(model: type[models.Model], name: str) -> bool:
    """Whether the descriptor `model.<name>` was swapped for its guarded class."""
    return getattr(type(vars(model)[name]), "_multisync_guarded", False) is True


# --- every model, third-party ones included ---------------------------------------------


@pytest.mark.parametrize(
    ("model", "name"),
    [
        (User, "groups"),
        (User, "profile"),
        (User, "question_set"),
        (Permission, "content_type"),
        (ContentType, "permission_set"),
        (Choice, "question"),
        (Question, "choice_set"),
        (Question, "body"),
    ],
)
def test_installed_app_guards_every_model(model: type[models.Model], name: str) -> None:
    """Third-party (auth, contenttypes) and project models have guarded descriptors."""
    assert is_guarded(model, name)


def test_installed_app_keeps_descriptor_isinstance() -> None:
    """A guarded descriptor is still an instance of Django's descriptor class."""
    assert isinstance(vars(Choice)["question"], ForwardManyToOneDescriptor)


def test_activate_is_idempotent() -> None:
    """Activating again changes nothing: same pairs, same descriptor classes."""
    save, descriptor_class = models.Model.save, type(vars(Choice)["question"])
    activate()
    assert models.Model.save is save
    assert type(vars(Choice)["question"]) is descriptor_class


# --- models created later ---------------------------------------------------------------


@isolate_apps("tests.testapp")
def test_late_model_relations_are_guarded() -> None:
    """Models created after start-up get guarded descriptors on both sides."""

    class Shelf(models.Model):
        class Meta:
            app_label = "testapp"

    class Book(models.Model):
        shelf = models.ForeignKey(Shelf, on_delete=models.CASCADE)

        class Meta:
            app_label = "testapp"

    assert is_guarded(Book, "shelf")
    assert is_guarded(Shelf, "book_set")


@isolate_apps("tests.testapp")
def test_late_model_reverse_relation_joins_existing_namespace() -> None:
    """A namespace built before a late model existed learns its reverse relation."""

    class Shelf(models.Model):
        class Meta:
            app_label = "testapp"

    assert "book_set" not in dir(Shelf().a)

    class Book(models.Model):
        shelf = models.ForeignKey(Shelf, on_delete=models.CASCADE)

        class Meta:
            app_label = "testapp"

    assert "book_set" in dir(Shelf().a)


@isolate_apps("tests.testapp")
def test_late_model_plain_save_override_becomes_pair() -> None:
    """A late model's plain `save` override becomes a pair with every spelling."""

    class Draft(models.Model):
        class Meta:
            app_label = "testapp"

        def save(self, *args: Any, **kwargs: Any) -> None:
            super().save(*args, **kwargs)

    assert isinstance(vars(Draft)["save"], Multisync)
    assert Draft.asave is Draft.save.a


def test_historical_models_left_alone() -> None:
    """Models rendered from migrations keep Django's own descriptor classes."""
    historical = ProjectState.from_apps(global_apps).apps
    choice = historical.get_model("testapp", "Choice")
    assert not is_guarded(choice, "question")


# --- fetch modes (Django 6.1) -------------------------------------------------------------

needs_fetch_modes = pytest.mark.skipif(DJANGO_VERSION < (6, 1), reason="fetch modes are new in 6.1")


@needs_fetch_modes
@pytest.mark.django_db
async def test_fetch_raise_sync_access_raises_django_error(question: Question) -> None:
    """Under FETCH_RAISE, sync access raises Django's FieldFetchBlocked, not ours."""
    from django.core.exceptions import FieldFetchBlocked
    from django.db.models import FETCH_RAISE

    choice = await Choice.objects.fetch_mode(FETCH_RAISE).afirst()
    with pytest.raises(FieldFetchBlocked):
        choice.question  # type: ignore[union-attr]


@needs_fetch_modes
@pytest.mark.django_db
async def test_fetch_raise_async_accessor_loads_anyway(
    question: Question, queries: QueryLog
) -> None:
    """Under FETCH_RAISE, an explicit `await choice.a.question` still loads it."""
    from django.db.models import FETCH_RAISE

    choice = await Choice.objects.fetch_mode(FETCH_RAISE).afirst()
    with queries.expect(1):
        assert (await choice.a.question).pk == question.pk  # type: ignore[union-attr]


@needs_fetch_modes
@pytest.mark.django_db
async def test_fetch_peers_async_accessor_loads_all_peers(
    question: Question, queries: QueryLog
) -> None:
    """Under FETCH_PEERS, one await loads the relation for every peer, in one query."""
    from django.db.models import FETCH_PEERS

    choices = [c async for c in Choice.objects.fetch_mode(FETCH_PEERS).order_by("pk")]
    with queries.expect(1):
        await choices[0].a.question
    with queries.expect(0):
        assert choices[1].question.pk == question.pk


@needs_fetch_modes
@pytest.mark.django_db
async def test_fetch_peers_sync_access_raises_ours(question: Question) -> None:
    """Under FETCH_PEERS, unloaded sync access in async code still raises our error."""
    from django.db.models import FETCH_PEERS

    choices = [c async for c in Choice.objects.fetch_mode(FETCH_PEERS).order_by("pk")]
    with pytest.raises(UnprefetchedRelatedModelAccessError):
        choices[0].question


# --- system checks ------------------------------------------------------------------------


def test_check_installed_silent_when_installed() -> None:
    """multisync.E001 is silent for a MultisyncModel when the app is installed."""
    assert [e.id for e in Question.check() if (e.id or "").startswith("multisync")] == []


def test_check_installed_fails_when_app_missing() -> None:
    """`manage.py check` reports multisync.E001 once per model that uses the layer."""
    result = subprocess.run(
        [sys.executable, "-m", "django", "check"],
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.uninstalled.settings"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.count("(multisync.E001) 'multisync' must be in INSTALLED_APPS.") == 2
    assert "uninstalled.Article: (multisync.E001)" in result.stderr
    assert "uninstalled.Note: (multisync.E001)" in result.stderr
    assert 'HINT: Add "multisync" to INSTALLED_APPS to use multisync.django.' in result.stderr


@isolate_apps("tests.testapp")
def test_check_namespace_name_field_named_a_errors() -> None:
    """multisync.E002 names a model whose field `a` hides the namespace, with a hint."""

    class Vector(models.Model):
        a = models.IntegerField()  # type: ignore[assignment]  # multisync.mypy reports it too

        class Meta:
            app_label = "testapp"

    errors = namespace_errors([Vector])
    assert [(e.id, e.msg, e.hint, e.obj) for e in errors] == [
        (
            "multisync.E002",
            (
                "Model Vector defines `a`, which hides multisync's async relation namespace"
                " (`await vector.a.<relation>`)."
            ),
            "Rename the field or attribute called `a`.",
            Vector,
        )
    ]


def test_check_namespace_name_passes_for_test_models() -> None:
    """multisync.E002 is silent for models without their own `a`."""
    assert namespace_errors([Question, Choice, User]) == []


def test_check_settings_passes_for_known_guard_values() -> None:
    """multisync.E003 is silent for "on" and "off"."""
    with override_settings(MULTISYNC={"GUARD": "off"}):
        assert check_settings() == []


def test_check_settings_fails_for_unknown_guard_value() -> None:
    """multisync.E003 names the bad value and the good ones."""
    with override_settings(MULTISYNC={"GUARD": "maybe"}):
        errors = check_settings()
    assert [(e.id, e.msg, e.hint) for e in errors] == [
        ("multisync.E003", "MULTISYNC['GUARD'] is 'maybe'.", "Use one of 'on', 'off'.")
    ]


def test_check_settings_fails_for_non_boolean_peers() -> None:
    """multisync.E004 names a PEERS value that is not a boolean."""
    with override_settings(MULTISYNC={"PEERS": "yes"}):
        errors = check_settings()
    assert [(e.id, e.msg, e.hint) for e in errors] == [
        ("multisync.E004", "MULTISYNC['PEERS'] is 'yes'.", "Use True or False.")
    ]
