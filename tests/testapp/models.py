"""Django's tutorial polls, extended so that every relation kind appears once.

    Choice.question      forward FK                reverse: Question.choice_set
    Question.author      nullable FK to auth.User  reverse: User.question_set
    Question.tags        many-to-many              reverse: Tag.question_set (query name "question")
    Profile.user         one-to-one to auth.User   reverse: User.profile
    Comment.content_object  GenericForeignKey      reverse: Question.comments (GenericRelation)
    Question.body        a field the tests defer

Question and Choice use `MultisyncModel` (their managers are `MultisyncManager`s);
Tag, Profile and Comment are plain models. The override models record which halves of
`save`/`delete`/`refresh_from_db` ran in `CALLS`.

The queryset models at the end have no relation to the ones above, so that the
relation namespaces of Question and Choice stay as they are:

    Poll.topics          many-to-many, both sides  reverse: Topic.poll_set
    Ballot.poll          nullable FK               reverse: Poll.ballots (has remove/clear)

Their default managers are all `MultisyncManager`s; Ballot's come from custom querysets.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Sum
from django.utils import timezone

from multisync import multisync
from multisync.django import MultisyncManager, MultisyncModel, MultisyncQuerySet

CALLS: list[str] = []


class Question(MultisyncModel):
    question_text = models.CharField(max_length=200)
    pub_date = models.DateTimeField(default=timezone.now)
    body = models.TextField(default="", blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # "testapp.Tag", not "Tag": django-stubs 6.1 resolves only the dotted form for M2M.
    tags = models.ManyToManyField("testapp.Tag", blank=True)
    comments = GenericRelation("Comment")

    def __str__(self) -> str:
        return self.question_text


class Choice(MultisyncModel):
    question = models.ForeignKey(Question, on_delete=models.CASCADE)
    choice_text = models.CharField(max_length=200)
    votes = models.IntegerField(default=0)

    def __str__(self) -> str:
        return self.choice_text


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)

    def __str__(self) -> str:
        return self.name


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    bio = models.TextField(default="", blank=True)


class Comment(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")
    text = models.CharField(max_length=200)


# --- the override matrix (DESIGN 2a) --------------------------------------------------


class PlainSave(models.Model):
    """Overrides `save` with a plain def."""

    name = models.CharField(max_length=50, default="")

    def save(self, *args: Any, **kwargs: Any) -> None:
        CALLS.append("PlainSave.save")
        super().save(*args, **kwargs)


class AsaveOnly(models.Model):
    """Overrides only Django's `asave`."""

    name = models.CharField(max_length=50, default="")

    async def asave(self, *args: Any, **kwargs: Any) -> None:
        CALLS.append("AsaveOnly.asave")
        await super().asave(*args, **kwargs)


class SaveAsyncOnly(models.Model):
    """Overrides only multisync's `save_async`."""

    name = models.CharField(max_length=50, default="")

    async def save_async(self, *args: Any, **kwargs: Any) -> None:
        CALLS.append("SaveAsyncOnly.save_async")
        await super().save.a(*args, **kwargs)


class Paired(models.Model):
    """Writes both halves with `@multisync` and `@save.async_`."""

    name = models.CharField(max_length=50, default="")

    @multisync
    def save(self, *args: Any, **kwargs: Any) -> None:
        CALLS.append("Paired.save")
        super().save(*args, **kwargs)

    @save.async_
    async def save_async(self, *args: Any, **kwargs: Any) -> None:
        CALLS.append("Paired.save_async")
        await super().save.a(*args, **kwargs)


class PlainSaveChild(PlainSave):
    """A proxy that adds an `asave`-only override on top of a plain `save`."""

    class Meta:
        proxy = True

    async def asave(self, *args: Any, **kwargs: Any) -> None:
        CALLS.append("PlainSaveChild.asave")
        await super().asave(*args, **kwargs)


class AsaveOnlyChild(AsaveOnly):
    """A proxy that adds a plain `save` on top of an `asave`-only override."""

    class Meta:
        proxy = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        CALLS.append("AsaveOnlyChild.save")
        super().save(*args, **kwargs)


class SaveAsyncOnlyChild(SaveAsyncOnly):
    """A proxy that overrides nothing."""

    class Meta:
        proxy = True


class PairedChild(Paired):
    """A proxy that overrides the sync half of a paired `save`."""

    class Meta:
        proxy = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        CALLS.append("PairedChild.save")
        super().save(*args, **kwargs)


class Archived(models.Model):
    """Overrides `adelete` and `refresh_from_db` (one half each)."""

    name = models.CharField(max_length=50, default="")

    async def adelete(self, *args: Any, **kwargs: Any) -> Any:
        CALLS.append("Archived.adelete")
        return await super().adelete(*args, **kwargs)

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        CALLS.append("Archived.refresh_from_db")
        super().refresh_from_db(*args, **kwargs)


class Ledger(MultisyncModel):
    """A model with its own multisync method and a custom queryset."""

    name = models.CharField(max_length=50, default="")
    total = models.IntegerField(default=0)

    @multisync
    def balance(self) -> int:
        return self.total

    objects: ClassVar[Any]


# --- querysets and related managers (DESIGN 2d) ---------------------------------------


class Topic(MultisyncModel):
    """A subject that polls are filed under: the target of `Poll.topics`."""

    name = models.CharField(max_length=50, unique=True)

    def __str__(self) -> str:
        return self.name


class Poll(MultisyncModel):
    """A group of ballots; `Poll.topics` is many-to-many between two MultisyncModels."""

    title = models.CharField(max_length=100)
    topics = models.ManyToManyField(Topic, blank=True)

    def __str__(self) -> str:
        return self.title


class BallotQuerySet(MultisyncQuerySet["Ballot"]):
    """A custom queryset with a plain chaining method and a multisync method."""

    def counted(self) -> BallotQuerySet:
        return self.filter(counted=True)

    @multisync
    def total_weight(self) -> int:
        total: int | None = self.aggregate(total=Sum("weight"))["total"]
        return total or 0


class AuditedBallotQuerySet(BallotQuerySet):
    """Overrides `get` and `filter` with plain defs that record their calls."""

    # django-stubs owns the class hooks of querysets, so multisync.mypy cannot make
    # these plain overrides pairs as the runtime does (docs/guide/typing.md).
    def get(self, *args: Any, **kwargs: Any) -> Ballot:  # type: ignore[override]
        CALLS.append("AuditedBallotQuerySet.get")
        return super().get(*args, **kwargs)

    def filter(self, *args: Any, **kwargs: Any) -> Self:  # type: ignore[override]
        CALLS.append("AuditedBallotQuerySet.filter")
        return super().filter(*args, **kwargs)


class RecordingBallotManager(MultisyncManager.from_queryset(BallotQuerySet)):  # type: ignore[misc]
    """A manager subclass that overrides `create` and `filter` with plain defs."""

    def create(self, **kwargs: Any) -> Ballot:
        CALLS.append("RecordingBallotManager.create")
        return super().create(**kwargs)  # type: ignore[no-any-return]

    def filter(self, *args: Any, **kwargs: Any) -> BallotQuerySet:
        CALLS.append("RecordingBallotManager.filter")
        return super().filter(*args, **kwargs)  # type: ignore[no-any-return]


class FetchRecordingBallotQuerySet(BallotQuerySet):
    """Overrides `_fetch_all`, as libraries that post-process results do."""

    def _fetch_all(self) -> None:
        if self._result_cache is None:
            CALLS.append("FetchRecordingBallotQuerySet._fetch_all")
        super()._fetch_all()


class CountedBallotManager(MultisyncManager["Ballot"]):
    """Narrows `get_queryset()`, as a manager of published objects does."""

    def get_queryset(self) -> MultisyncQuerySet[Ballot]:
        return super().get_queryset().filter(counted=True)


class Ballot(MultisyncModel):
    """A vote in a poll, with one manager per way of building a custom manager."""

    poll = models.ForeignKey(
        Poll, null=True, blank=True, on_delete=models.SET_NULL, related_name="ballots"
    )
    voter = models.CharField(max_length=50)
    weight = models.IntegerField(default=1)
    counted = models.BooleanField(default=False)

    # Replaces MultisyncModel's `objects`, a ClassVar under django-stubs.
    objects = BallotQuerySet.as_manager()  # type: ignore[misc]
    from_queryset = MultisyncManager.from_queryset(BallotQuerySet)()
    audited = AuditedBallotQuerySet.as_manager()  # type: ignore[django-manager-missing]
    recording = RecordingBallotManager()
    fetch_recording = FetchRecordingBallotQuerySet.as_manager()  # type: ignore[django-manager-missing]
    counted_only = CountedBallotManager()

    def __str__(self) -> str:
        return self.voter
