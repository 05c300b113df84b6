"""Models imported only when a test installs the app, after start-up.

Every way Django builds a relation late: a self and an auto-created many-to-many
through model, an explicit through model named before it exists, an abstract parent,
multi-table inheritance and a proxy.
"""

from __future__ import annotations

from typing import Any

from django.db import models


class Named(models.Model):
    name = models.CharField(max_length=50)

    class Meta:
        abstract = True
        app_label = "lateapp"


class Author(Named):
    friends = models.ManyToManyField("self")

    class Meta:
        app_label = "lateapp"


class Book(Named):
    authors = models.ManyToManyField(Author)
    shelves: models.ManyToManyField[Shelf, Placement] = models.ManyToManyField(
        "Shelf", through="Placement"
    )

    class Meta:
        app_label = "lateapp"


class Shelf(Named):
    class Meta:
        app_label = "lateapp"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name = self.name.strip()
        super().save(*args, **kwargs)


class Placement(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE)
    shelf = models.ForeignKey(Shelf, on_delete=models.CASCADE)

    class Meta:
        app_label = "lateapp"


class Novel(Book):
    class Meta:
        app_label = "lateapp"


class Paperback(Novel):
    class Meta:
        app_label = "lateapp"
        proxy = True
