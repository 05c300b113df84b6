"""Questions and their choices.

Both derive from `MultisyncModel`, so their managers and related managers are
`MultisyncManager`s: every query method has `.a()` and `_async` spellings, and
`question.choice_set` does too.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, ClassVar

from django.core.validators import ProhibitNullCharactersValidator
from django.db import models
from django.db.models import Count, F, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from multisync import multisync
from multisync.django import MultisyncModel, MultisyncQuerySet

if TYPE_CHECKING:
    from multisync.django import MultisyncManager

RECENT = dt.timedelta(days=1)


class QuestionQuerySet(MultisyncQuerySet["Question"]):
    """Questions, with the filters and totals the pages need."""

    def published(self) -> QuestionQuerySet:
        """Questions whose publication date has come."""
        return self.filter(pub_date__lte=timezone.now())

    def with_totals(self) -> QuestionQuerySet:
        """Annotate `choice_count` and `vote_count`, computed by the database."""
        return self.annotate(
            choice_count=Count("choice"),
            vote_count=Coalesce(Sum("choice__votes"), Value(0)),
        )


class Question(MultisyncModel):
    """A question that visitors answer by picking one of its choices."""

    question_text = models.CharField(max_length=200)
    pub_date = models.DateTimeField("date published", default=timezone.now)

    # `as_manager()` of a `MultisyncQuerySet` builds a `MultisyncManager` that also
    # proxies the custom methods: `Question.objects.published()`.
    objects: ClassVar[MultisyncManager[Question]] = QuestionQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-pub_date", "pk"]

    def __str__(self) -> str:
        return self.question_text

    def was_published_recently(self) -> bool:
        """Whether the question went up within the last day (pure Python, no query)."""
        now = timezone.now()
        return now - RECENT <= self.pub_date <= now

    @multisync
    def record_vote(self, choice_id: int) -> bool:
        """Add one vote to this question's choice `choice_id`; False if it has none such.

        The database does the addition (`F("votes") + 1`), so concurrent votes never
        overwrite each other, as a read-modify-write in Python would.
        """
        updated = self.choice_set.filter(pk=choice_id).update(votes=F("votes") + 1)
        return updated == 1

    @record_vote.async_
    async def record_vote_async(self, choice_id: int) -> bool:
        """The async half: the same single UPDATE, through the queryset's `.a()`."""
        updated = await self.choice_set.filter(pk=choice_id).update.a(votes=F("votes") + 1)
        return bool(updated == 1)

    @multisync
    def total_votes(self) -> int:
        """The votes cast on all of this question's choices.

        Only the sync half is written: `await question.total_votes_async()` and
        `await question.total_votes.a()` run it in a worker thread.
        """
        total: int | None = self.choice_set.aggregate(total=Sum("votes"))["total"]
        return total or 0


class Choice(MultisyncModel):
    """One possible answer to a question, with its vote count."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE)
    # PostgreSQL cannot store NUL characters in text: refuse them as invalid input.
    choice_text = models.CharField(max_length=200, validators=[ProhibitNullCharactersValidator()])
    votes = models.IntegerField(default=0)

    class Meta:
        ordering: ClassVar[list[str]] = ["pk"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["question", "choice_text"],
                name="polls_choice_unique_text_per_question",
            ),
        ]

    def __str__(self) -> str:
        return self.choice_text

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Validate, then save.

        Only the sync half is written, as a plain `def`. Under multisync's override
        rule every spelling runs it: `save()`, and `await choice.save.a()`,
        `save_async()` and Django's `asave()` in a worker thread.
        """
        self.full_clean()
        super().save(*args, **kwargs)
