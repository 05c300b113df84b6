"""Relations Django did not define, and names a model takes over.

Food.tags     django-taggit's TaggableManager, its default generic through model
Dish.labels   a TaggableManager through a custom model with a real foreign key
Ticket.pk     a proxy of Food whose `pk` is its own property
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.fields.related_descriptors import ForwardManyToOneDescriptor
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

CALLS: list[str] = []


class Food(models.Model):
    name = models.CharField(max_length=50)
    tags = TaggableManager(blank=True)
    label = models.FileField(blank=True, upload_to="labels")  # a descriptor of its own


class Dessert(Food):
    """Multi-table inheritance: `food_ptr` is a parent link."""

    sweetness = models.IntegerField(default=0)


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


class Recipe(ClusterableModel):  # type: ignore[misc]  # django-modelcluster ships no types
    name = models.CharField(max_length=50)
    foods = ParentalManyToManyField(Food, blank=True)


class Step(models.Model):
    recipe = ParentalKey(Recipe, related_name="steps", on_delete=models.CASCADE)
    text = models.CharField(max_length=50)


class StampingDescriptor(ForwardManyToOneDescriptor):  # type: ignore[type-arg]
    """Fetches the related object its own way: it stamps it with who asked."""

    def get_object(self, instance: Any) -> Any:
        related: Any = super().get_object(instance)
        related.fetched_for = instance.pk
        return related


class StampingForeignKey(models.ForeignKey):  # type: ignore[type-arg]
    forward_related_accessor_class = StampingDescriptor


class BatchSafeDescriptor(ForwardManyToOneDescriptor):  # type: ignore[type-arg]
    """A subclass that promises its prefetch gives what its `__get__` gives."""

    multisync_batch_safe = True


class BatchSafeForeignKey(models.ForeignKey):  # type: ignore[type-arg]
    forward_related_accessor_class = BatchSafeDescriptor


class Review(models.Model):
    food = StampingForeignKey(Food, null=True, on_delete=models.CASCADE)
    dish = BatchSafeForeignKey(Dish, null=True, on_delete=models.CASCADE)


class Note(models.Model):
    text = models.TextField()

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        CALLS.append("Note.refresh_from_db")
        super().refresh_from_db(*args, **kwargs)
