"""Relations Django did not define, and names a model takes over.

Food.tags     django-taggit's TaggableManager, its default generic through model
Dish.labels   a TaggableManager through a custom model with a real foreign key
Ticket.pk     a proxy of Food whose `pk` is its own property
"""

from __future__ import annotations

from django.db import models
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

CALLS: list[str] = []


class Food(models.Model):
    name = models.CharField(max_length=50)
    tags = TaggableManager(blank=True)


class DishLabel(TaggedItemBase):  # type: ignore[misc]  # django-taggit ships no types
    content_object = models.ForeignKey("Dish", on_delete=models.CASCADE)


class Dish(models.Model):  # type: ignore[django-manager-missing]  # DishLabel's base is Any
    name = models.CharField(max_length=50)
    labels = TaggableManager(through=DishLabel, blank=True)


class Ticket(Food):
    class Meta:
        proxy = True

    # django-stubs declares `pk` a writable attribute: shadowing it is the point here.
    @property  # type: ignore[no-redef]
    def pk(self) -> int:  # type: ignore[override]
        CALLS.append("Ticket.pk")
        return self.id
