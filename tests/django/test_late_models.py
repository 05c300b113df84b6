"""Models created after start-up get the whole layer, however Django builds them (DESIGN 2).

Each case here crashed before multisync waited for Django's registry: an app installed
by `override_settings` or `apps.set_installed_apps()` (as Django's own test runner
does), a model with a many-to-many field defined in a test module (as
djangorestframework's suite does), a self or an explicit through relation.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models.signals import class_prepared
from django.test import override_settings
from django.test.utils import isolate_apps

from multisync import Multisync

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

LATE_APP = "tests.lateapp"


def is_guarded(model: type[models.Model], name: str) -> bool:
    """Whether the descriptor `model.<name>` was swapped for its guarded class."""
    return getattr(type(vars(model)[name]), "_multisync_guarded", False) is True


def relation_names(model: type[models.Model]) -> set[str]:
    """The names `model().a` answers."""
    return set(dir(model().a))


@pytest.fixture
def forget_late_app() -> Iterator[None]:
    """Unimport `tests.lateapp` afterwards, so that each test imports it afresh."""
    yield
    sys.modules.pop(f"{LATE_APP}.models", None)
    apps.all_models.pop("lateapp", None)
    apps.clear_cache()


def late_models() -> dict[str, type[models.Model]]:
    """The late app's models, by name, once it is installed."""
    return {model.__name__: model for model in apps.get_app_config("lateapp").get_models()}


# --- apps installed after start-up -------------------------------------------------------


@pytest.mark.usefixtures("forget_late_app")
def test_override_settings_installing_app_guards_its_models() -> None:
    """An app added by `override_settings(INSTALLED_APPS=...)` gets guarded descriptors."""
    with override_settings(INSTALLED_APPS=[*settings.INSTALLED_APPS, LATE_APP]):
        found = late_models()
        assert is_guarded(found["Book"], "authors")
        assert is_guarded(found["Author"], "book_set")
        assert is_guarded(found["Shelf"], "book_set")


@pytest.mark.usefixtures("forget_late_app")
def test_set_installed_apps_gives_late_models_namespace() -> None:
    """`apps.set_installed_apps()`, as Django's runtests.py calls it, then `obj.a` works."""
    apps.set_installed_apps([*settings.INSTALLED_APPS, LATE_APP])
    try:
        found = late_models()
        assert {"friends", "book_set", "name"} <= relation_names(found["Author"])
        assert {"authors", "shelves", "placement_set", "novel"} <= relation_names(found["Book"])
        assert {"book", "shelf"} <= relation_names(found["Placement"])
    finally:
        apps.unset_installed_apps()


@pytest.mark.usefixtures("forget_late_app")
def test_set_installed_apps_pairs_late_model_save_override() -> None:
    """A late app's plain `save` override becomes a pair with Django's `asave` spelling."""
    apps.set_installed_apps([*settings.INSTALLED_APPS, LATE_APP])
    try:
        shelf = late_models()["Shelf"]
        assert isinstance(vars(shelf)["save"], Multisync)
        assert shelf.asave is shelf.save.a
    finally:
        apps.unset_installed_apps()


# --- models defined in test modules ------------------------------------------------------


@isolate_apps("tests.testapp")
def test_late_model_many_to_many_self_builds() -> None:
    """`ManyToManyField("self")` on a late model: guarded on both ends, in `obj.a`."""

    class Person(models.Model):
        friends = models.ManyToManyField("self")

        class Meta:
            app_label = "testapp"

    assert is_guarded(Person, "friends")
    assert "friends" in relation_names(Person)


@isolate_apps("tests.testapp")
def test_late_model_many_to_many_auto_through_guarded() -> None:
    """The auto-created through model, built inside its owner's class body, is guarded."""

    class Genre(models.Model):
        class Meta:
            app_label = "testapp"

    class Film(models.Model):
        genres = models.ManyToManyField(Genre)

        class Meta:
            app_label = "testapp"

    through = Film.genres.through
    assert is_guarded(through, "film")
    assert is_guarded(through, "genre")
    assert is_guarded(Genre, "film_set")
    assert "film_set" in relation_names(Genre)


@isolate_apps("tests.testapp")
def test_late_model_explicit_through_named_before_it_exists() -> None:
    """A through model defined after the field that names it joins both namespaces."""

    class Team(models.Model):
        members: models.ManyToManyField[Player, Membership] = models.ManyToManyField(
            "Player", through="Membership"
        )

        class Meta:
            app_label = "testapp"

    class Player(models.Model):
        class Meta:
            app_label = "testapp"

    class Membership(models.Model):
        team = models.ForeignKey(Team, on_delete=models.CASCADE)
        player = models.ForeignKey(Player, on_delete=models.CASCADE)

        class Meta:
            app_label = "testapp"

    assert {"members", "membership_set"} <= relation_names(Team)
    assert {"team_set", "membership_set"} <= relation_names(Player)
    assert is_guarded(Membership, "team")


@isolate_apps("tests.testapp")
def test_late_model_abstract_parent_and_proxy_covered() -> None:
    """A relation inherited from an abstract parent, and a proxy of the child, are covered."""

    class Label(models.Model):
        class Meta:
            app_label = "testapp"

    class Labelled(models.Model):
        labels = models.ManyToManyField(Label)

        class Meta:
            abstract = True
            app_label = "testapp"

    class Poster(Labelled):
        class Meta:
            app_label = "testapp"

    class Framed(Poster):
        class Meta:
            app_label = "testapp"
            proxy = True

    assert is_guarded(Poster, "labels")
    assert "poster_set" in relation_names(Label)
    assert "labels" in relation_names(Framed)


def test_late_model_in_global_registry_with_many_to_many_builds() -> None:
    """A model defined in a test module, with a many-to-many to an existing model."""
    try:

        class Bookmark(models.Model):
            tags = models.ManyToManyField("testapp.Tag", related_name="+")

            class Meta:
                app_label = "lateapp"

        assert is_guarded(Bookmark, "tags")
        assert "tags" in relation_names(Bookmark)
    finally:
        apps.all_models.pop("lateapp", None)
        apps.clear_cache()


# --- methods another library replaces while the model is prepared ------------------------


WRAPPERS: list[Callable[..., None]] = []


def _wrap_refresh(sender: type[models.Model], **kwargs: Any) -> None:
    if sender.__name__ != "Audited":
        return
    original: Callable[..., None] = sender.refresh_from_db

    def refresh_from_db(self: models.Model, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)

    WRAPPERS.append(refresh_from_db)
    sender.refresh_from_db = refresh_from_db  # type: ignore[method-assign]


@pytest.fixture
def wrapping_receiver() -> Iterator[None]:
    """A `class_prepared` receiver that replaces `refresh_from_db`, as libraries do."""
    class_prepared.connect(_wrap_refresh)
    yield
    class_prepared.disconnect(_wrap_refresh)
    WRAPPERS.clear()


@pytest.mark.usefixtures("wrapping_receiver")
@isolate_apps("tests.testapp")
def test_late_model_method_wrapped_by_receiver_becomes_pair() -> None:
    """A `refresh_from_db` replaced by a receiver gets `.a()` and `_async` all the same."""

    class Audited(models.Model):
        class Meta:
            app_label = "testapp"

    pair = vars(Audited)["refresh_from_db"]
    assert isinstance(pair, Multisync)
    assert pair.__wrapped__ is WRAPPERS[0]
    assert Audited.arefresh_from_db is Audited.refresh_from_db.a
