"""One model (or pair) per case the harness needs rows for.

- `CarouselPage`: a wagtail page with modelcluster children (`carousel_items`, a
  `ParentalKey`) and a `ParentalManyToManyField`, both editable in memory.
- `Author` / `Book`: django-simple-history, with a `HistoricForeignKey` whose target
  depends on the time an `as_of()` instance stands for.
- `Target` / `Pointer`: a nullable foreign key without a database constraint, so that
  the harness can leave it dangling.
- `Refreshing`: a `refresh_from_db` override that leaves a trace, as django CMS's
  `CMSPlugin` clears a cache in its own.
- `Note`: registered with django-reversion. `Photo`: django-taggit tags.
- `Project` and its children: django-polymorphic, with `Task` pointing at the parent.
"""

from __future__ import annotations

from typing import Any

import reversion
from django.db import models
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from polymorphic.models import PolymorphicModel
from simple_history.models import HistoricalRecords, HistoricForeignKey
from taggit.managers import TaggableManager
from wagtail.models import Orderable, Page


class Category(models.Model):
    """What carousel pages point at through their parental M2M."""

    name = models.CharField(max_length=50)

    def __str__(self) -> str:
        return self.name


class CarouselPage(Page):
    """A wagtail page with modelcluster children and a parental M2M."""

    categories = ParentalManyToManyField(Category, blank=True)


class CarouselItem(Orderable):
    """A modelcluster child of a carousel page."""

    page = ParentalKey(CarouselPage, on_delete=models.CASCADE, related_name="carousel_items")
    caption = models.CharField(max_length=50)

    def __str__(self) -> str:
        return self.caption


class Author(models.Model):
    """A model with simple-history records."""

    name = models.CharField(max_length=50)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return self.name


class Book(models.Model):
    """Points at its author through a `HistoricForeignKey`."""

    title = models.CharField(max_length=50)
    author = HistoricForeignKey(Author, on_delete=models.CASCADE, related_name="books")
    history = HistoricalRecords()

    def __str__(self) -> str:
        return self.title


class Target(models.Model):
    """What a pointer points at; one row is deleted behind Django's back."""

    name = models.CharField(max_length=50)

    def __str__(self) -> str:
        return self.name


class Pointer(models.Model):
    """A nullable foreign key without a database constraint."""

    # No constraint, so that deleting the target with raw SQL leaves `target_id` set.
    target = models.ForeignKey(Target, null=True, on_delete=models.SET_NULL, db_constraint=False)
    label = models.CharField(max_length=50)

    def __str__(self) -> str:
        return self.label


class Refreshing(models.Model):
    """Overrides `refresh_from_db`, as django CMS's `CMSPlugin` does."""

    name = models.CharField(max_length=50)
    body = models.TextField(default="")

    def __str__(self) -> str:
        return self.name

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        """Count the calls: the trace that a batched deferred load must leave too."""
        super().refresh_from_db(*args, **kwargs)
        self.refresh_calls = self.__dict__.get("refresh_calls", 0) + 1


@reversion.register()
class Note(models.Model):
    """A model registered with django-reversion."""

    text = models.CharField(max_length=50)
    author = models.ForeignKey(Author, null=True, on_delete=models.SET_NULL)

    def __str__(self) -> str:
        return self.text


class Photo(models.Model):
    """A model with django-taggit tags."""

    title = models.CharField(max_length=50)
    tags = TaggableManager(blank=True)

    def __str__(self) -> str:
        return self.title


class Project(PolymorphicModel):
    """A django-polymorphic parent, with rows of its own."""

    topic = models.CharField(max_length=50)

    def __str__(self) -> str:
        return self.topic


class ArtProject(Project):
    """A polymorphic child."""

    artist = models.CharField(max_length=50)


class ResearchProject(Project):
    """Another polymorphic child."""

    supervisor = models.CharField(max_length=50)


class Task(models.Model):
    """Points at the polymorphic parent."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=50)

    def __str__(self) -> str:
        return self.title
