"""A polymorphic `Question`, a subclass of it, and a `Choice` with a key to `Question`."""

from __future__ import annotations

from django.db import models
from polymorphic.models import PolymorphicModel


class Question(PolymorphicModel):
    """A poll's question; querying `Question` gives each row as its own subclass."""

    question_text = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.question_text


class RatingQuestion(Question):
    """A question answered on a scale from 1 to `scale`."""

    scale = models.PositiveSmallIntegerField(default=5)


class Choice(models.Model):
    """An answer to a question: its key points at the polymorphic base model."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE)
    choice_text = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.choice_text
