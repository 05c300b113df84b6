"""Models that use the layer: one through `MultisyncModel`, one through its manager."""

from __future__ import annotations

from django.db import models

from multisync.django import MultisyncManager, MultisyncModel


class Article(MultisyncModel):
    title = models.CharField(max_length=50)


class Note(models.Model):
    text = models.CharField(max_length=50)
    objects = models.Manager()
    multisync = MultisyncManager()
