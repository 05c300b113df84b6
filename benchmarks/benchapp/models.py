"""The benchmark models: plain Django, a `MultisyncManager`, and a plain twin of each."""

from __future__ import annotations

from django.db import models

from multisync.django import MultisyncManager


class Question(models.Model):
    question_text = models.CharField(max_length=200)
    votes = models.IntegerField(default=0)

    objects = models.Manager()
    multisync = MultisyncManager()

    class Meta:
        app_label = "benchapp"


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE)
    choice_text = models.CharField(max_length=200)
    votes = models.IntegerField(default=0)

    objects = models.Manager()
    multisync = MultisyncManager()

    class Meta:
        app_label = "benchapp"
