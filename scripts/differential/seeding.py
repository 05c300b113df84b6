"""Rows for the harness: each project's own API first, then a generic filler.

The curated part builds what only a project's API builds well (wagtail's page tree with
modelcluster children, a django CMS page with a plugin, simple-history's timeline,
reversion's revisions, allauth's addresses, taggit's tags, polymorphic children, DRF
tokens) and the two traps of the harness's own app (a dangling foreign key, a
`refresh_from_db` override). The generic filler then gives every other model that it
can build a couple of rows, so that every model in the registry gets compared.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.sites.models import Site as DjangoSite
from django.db import models, transaction
from django.utils import timezone

if TYPE_CHECKING:
    from collections.abc import Callable

ROWS_PER_MODEL = 3  # what the generic filler aims for; curated models have about as many
FILLER_PASSES = 3  # a model whose foreign keys point at still-empty models waits a pass


@dataclass
class Seeded:
    """What the comparison needs to know about the data."""

    history_moment: dt.datetime  # simple-history: before the edits
    unfilled: dict[str, str] = field(default_factory=dict)  # model label -> why it has no rows


def seed() -> Seeded:
    """Create every row the harness compares on; returns the moment `as_of()` uses."""
    users = _users()
    _wagtail(users)
    _django_cms(users)
    moment = _simple_history()
    _reversion(users)
    _allauth(users)
    _taggit()
    _polymorphic()
    _rest_framework(users)
    _dangling_foreign_key()
    _refreshing()
    unfilled = fill_generically()
    return Seeded(history_moment=moment, unfilled=unfilled)


# --- curated, with each project's own API ----------------------------------------------


def _users() -> list[User]:
    """Three users, one group, and permissions through both M2M paths."""
    users = [
        User.objects.create_user(name, f"{name}@example.com", "pw", is_staff=index == 0)
        for index, name in enumerate(("alice", "bob", "carol"))
    ]
    editors = Group.objects.create(name="editors")
    editors.permissions.set(Permission.objects.order_by("pk")[:3])
    users[0].groups.add(editors)
    users[1].user_permissions.set(Permission.objects.order_by("pk")[3:5])
    return users


def _wagtail(users: list[User]) -> None:
    """A page tree with modelcluster children and parental M2M, a site, a revision."""
    from diffapp.models import CarouselItem, CarouselPage, Category
    from wagtail.log_actions import log
    from wagtail.models import Collection, Locale, Page, Site

    locale = Locale.objects.create(language_code="en")
    root = Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    home = root.add_child(instance=Page(title="Home", slug="home"))
    Site.objects.create(hostname="localhost", root_page=home, is_default_site=True)
    Collection.add_root(name="Root")
    categories = [Category.objects.create(name=f"category {n}") for n in range(3)]
    log(instance=categories[0], action="wagtail.create", user=users[0])  # a ModelLogEntry
    for number in range(ROWS_PER_MODEL):
        page = CarouselPage(
            title=f"carousel {number}",
            slug=f"carousel-{number}",
            owner=users[number],
            carousel_items=[CarouselItem(caption=f"item {number}.{k}") for k in range(2)],
        )
        page.categories = categories[: number + 1]
        home.add_child(instance=page)
        page.save_revision(user=users[number]).publish()


def _django_cms(users: list[User]) -> None:
    """A django CMS page in two languages' worth of content, with plugins in a placeholder."""
    from cms.api import add_plugin, create_page

    for number in range(2):
        page = create_page(
            f"cms page {number}", "differential/cms_page.html", "en", created_by=users[0]
        )
        placeholders = page.rescan_placeholders("en")
        placeholder = next(iter(placeholders.values()))
        parent = add_plugin(placeholder, "NotePlugin", "en")
        add_plugin(placeholder, "NotePlugin", "en", target=parent)


def _simple_history() -> dt.datetime:
    """Authors and books, then edits after a recorded moment; returns that moment."""
    from diffapp.models import Author, Book

    authors = [Author.objects.create(name=f"author {n}") for n in range(ROWS_PER_MODEL)]
    books = [
        Book.objects.create(title=f"book {n}", author=author) for n, author in enumerate(authors)
    ]
    moment = timezone.now()
    for number, book in enumerate(books):  # each book moves to the next author
        book.author = authors[(number + 1) % len(authors)]
        book.save()
    for author in authors:
        author.name += " (renamed)"
        author.save()
    Book.objects.create(title="book written later", author=authors[0])
    return moment


def _reversion(users: list[User]) -> None:
    """Notes saved in revisions, with a user and a comment."""
    import reversion
    from diffapp.models import Author, Note

    author = Author.objects.order_by("pk").first()
    for number in range(ROWS_PER_MODEL):
        with reversion.create_revision():
            Note.objects.create(text=f"note {number}", author=author if number else None)
            reversion.set_user(users[number])
            reversion.set_comment(f"revision {number}")


def _allauth(users: list[User]) -> None:
    """Email addresses, a social app on the site, a social account with a token."""
    from allauth.account.models import EmailAddress
    from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken

    for user in users:
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    app = SocialApp.objects.create(provider="github", name="GitHub", client_id="id")
    app.sites.add(DjangoSite.objects.get_current())
    for number, user in enumerate(users[:2]):
        account = SocialAccount.objects.create(user=user, provider="github", uid=str(number))
        SocialToken.objects.create(app=app, account=account, token=f"token {number}")


def _taggit() -> None:
    """Photos with overlapping tags."""
    from diffapp.models import Photo

    for number in range(ROWS_PER_MODEL):
        photo = Photo.objects.create(title=f"photo {number}")
        photo.tags.add(*("red", "green", "blue")[: number + 1])


def _polymorphic() -> None:
    """A plain parent, two kinds of children, and tasks pointing at each."""
    from diffapp.models import ArtProject, Project, ResearchProject, Task

    projects = [
        Project.objects.create(topic="plain"),
        ArtProject.objects.create(topic="painting", artist="ada"),
        ResearchProject.objects.create(topic="physics", supervisor="emmy"),
        ArtProject.objects.create(topic="sculpture", artist="bea"),
    ]
    for project in projects:
        Task.objects.create(project=project, title=f"task for {project.topic}")


def _rest_framework(users: list[User]) -> None:
    """An authtoken for two of the users (the third has none: a missing reverse one-to-one)."""
    from rest_framework.authtoken.models import Token

    for user in users[:2]:
        Token.objects.create(user=user)


def _dangling_foreign_key() -> None:
    """Pointers at targets, a null one, and one whose target row is deleted behind its back."""
    from diffapp.models import Pointer, Target

    targets = [Target.objects.create(name=f"target {n}") for n in range(ROWS_PER_MODEL)]
    Pointer.objects.create(label="points at target 0", target=targets[0])
    Pointer.objects.create(label="dangles", target=targets[1])
    Pointer.objects.create(label="null", target=None)
    # The FK has no database constraint, and a raw delete skips Django's SET_NULL.
    Target.objects.filter(pk=targets[1].pk)._raw_delete(using="default")  # noqa: SLF001


def _refreshing() -> None:
    """Rows of the model whose `refresh_from_db` override counts its calls."""
    from diffapp.models import Refreshing

    for number in range(ROWS_PER_MODEL):
        Refreshing.objects.create(name=f"refreshing {number}", body=f"body {number}")


# --- the generic filler ---------------------------------------------------------------


def fill_generically() -> dict[str, str]:
    """Give each model that has no rows yet a few, where a generic guess can build them.

    Returns, for each model still without rows, why: a model whose rows need its
    project's API (a tree node, say) or that rejects the guessed values stays empty.
    """
    reasons: dict[str, str] = {}
    candidates = [model for model in apps.get_models() if _fillable(model, reasons)]
    for _ in range(FILLER_PASSES):
        for model in candidates:
            if not model._base_manager.exists():  # noqa: SLF001
                reasons[model._meta.label] = _fill_model(model)  # noqa: SLF001
    for model in candidates:
        if model._base_manager.exists():  # noqa: SLF001
            _fill_many_to_many(model)
    return {
        label: why
        for label, why in reasons.items()
        if not apps.get_model(label)._base_manager.exists()  # noqa: SLF001
    }


def _fillable(model: type[models.Model], reasons: dict[str, str]) -> bool:
    """Whether the generic filler should try `model` (recording why not)."""
    from treebeard.models import Node

    meta = model._meta  # noqa: SLF001
    if meta.proxy or not meta.managed:
        reasons.setdefault(meta.label, "proxy or unmanaged")
        return False
    if issubclass(model, Node):
        reasons.setdefault(meta.label, "a tree node: only its project's API places it")
        return False
    return True


def _fill_model(model: type[models.Model]) -> str:
    """Try to save `ROWS_PER_MODEL` guessed instances; returns why it failed, if it did."""
    reason = ""
    for number in range(ROWS_PER_MODEL):
        try:
            with transaction.atomic():
                _guess_instance(model, number).save()
        except Exception as error:  # noqa: BLE001  # any failure means: not this model, now
            reason = f"{type(error).__name__}: {error}"[:200]
    return reason


class _NoTargetError(LookupError):
    """A required foreign key points at a model that has no rows (yet)."""


def _guess_instance(model: type[models.Model], number: int) -> models.Model:
    """An unsaved `model` whose required fields hold guessed values."""
    values: dict[str, Any] = {}
    generic_keys = _generic_key_fields(model)
    for model_field in model._meta.concrete_fields:  # noqa: SLF001
        if model_field.primary_key and model_field.has_default():
            continue
        if isinstance(model_field, models.AutoField):
            continue
        if model_field.attname in generic_keys:
            values[model_field.attname] = generic_keys[model_field.attname]
        elif model_field.is_relation:
            target = _target_for(model, model_field)
            if target is not None or not model_field.null:
                values[model_field.name] = target
        elif not model_field.has_default() and not model_field.null:
            values[model_field.attname] = _guess_value(model_field, model, number)
    return model(**values)


def _target_for(model: type[models.Model], model_field: Any) -> models.Model | None:
    """A row for a foreign key to point at; a one-to-one takes one not taken yet."""
    remote = model_field.remote_field.model._base_manager.order_by("pk")  # noqa: SLF001
    if model_field.one_to_one:
        taken = model._base_manager.values(model_field.attname)  # noqa: SLF001
        remote = remote.exclude(pk__in=taken)
    target = remote.first()
    if target is None and not model_field.null:
        msg = f"no row of {model_field.remote_field.model._meta.label} to point at"  # noqa: SLF001
        raise _NoTargetError(msg)
    return target


def _generic_key_fields(model: type[models.Model]) -> dict[str, Any]:
    """Values for the content-type and object-id fields of `model`'s generic keys.

    They point at a user, whose primary key fits both integer and text id columns.
    """
    values: dict[str, Any] = {}
    user = User.objects.order_by("pk").first()
    for private in model._meta.private_fields:  # noqa: SLF001
        if isinstance(private, GenericForeignKey) and user is not None:
            content_type_field = model._meta.get_field(private.ct_field)  # noqa: SLF001
            id_field = model._meta.get_field(private.fk_field)  # noqa: SLF001
            values[content_type_field.attname] = ContentType.objects.get_for_model(User).pk
            values[id_field.attname] = id_field.to_python(user.pk)
    return values


_GUESSES: tuple[tuple[type[models.Field[Any, Any]], Callable[[str, int], Any]], ...] = (
    (models.EmailField, lambda text, number: f"{text}{number}@example.com"),
    (models.URLField, lambda _text, number: f"https://example.com/{number}"),
    (models.GenericIPAddressField, lambda _text, _number: "127.0.0.1"),
    (models.FileField, lambda text, number: f"{text}-{number}.txt"),
    (models.UUIDField, lambda _text, _number: uuid.uuid4()),
    (models.BooleanField, lambda _text, _number: False),
    (models.DateTimeField, lambda _text, _number: timezone.now()),
    (models.DateField, lambda _text, _number: dt.date.today()),  # noqa: DTZ011
    (models.TimeField, lambda _text, _number: dt.time(12, 0)),
    (models.DurationField, lambda _text, number: dt.timedelta(seconds=number)),
    (models.DecimalField, lambda _text, number: decimal.Decimal(number + 1)),
    (models.FloatField, lambda _text, number: float(number + 1)),
    (models.IntegerField, lambda _text, number: number + 1),
    (models.JSONField, lambda _text, _number: {}),
    (models.BinaryField, lambda _text, _number: b""),
    (models.CharField, lambda text, number: f"{text}-{number}"),
    (models.TextField, lambda text, number: f"{text}-{number}"),
)


def _guess_value(model_field: Any, model: type[models.Model], number: int) -> Any:
    """A value for a required field: its first choice, or one that suits its class."""
    if model_field.choices:
        return model_field.choices[0][0]
    text = f"{model._meta.model_name}-{model_field.name}"  # noqa: SLF001
    for field_class, guess in _GUESSES:
        if isinstance(model_field, field_class):
            value = guess(text, number)
            max_length = getattr(model_field, "max_length", None)
            if isinstance(value, str) and max_length:
                value = value[-max_length:]
            return value
    return model_field.get_default()


def _fill_many_to_many(model: type[models.Model]) -> None:
    """Link each row to the first rows of every forward M2M that has a plain through model."""
    for m2m in model._meta.many_to_many:  # noqa: SLF001
        through = m2m.remote_field.through
        if not through._meta.auto_created:  # noqa: SLF001
            continue
        targets = list(m2m.remote_field.model._base_manager.order_by("pk")[:2])  # noqa: SLF001
        if not targets:
            continue
        for instance in model._base_manager.all():  # noqa: SLF001
            manager = getattr(instance, m2m.name, None)
            if manager is not None and not manager.exists():
                try:
                    with transaction.atomic():
                        manager.add(*targets)
                except Exception:  # noqa: BLE001, S112  # a manager that refuses: leave it
                    continue
