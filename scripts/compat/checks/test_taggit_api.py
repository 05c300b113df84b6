"""multisync's API on django-taggit's own test model, `Food`, with `tags = TaggableManager()`.

Run with django-taggit's test settings and "multisync" installed (scripts/compat.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from asgiref.sync import async_to_sync
from django.db import connection
from django.test.utils import CaptureQueriesContext

import multisync
from tests.models import Food

if TYPE_CHECKING:
    from taggit.models import Tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def food() -> Food:
    """An apple tagged "red" then "green", loaded again so that no relation is loaded."""
    apple = Food.objects.create(name="apple")
    apple.tags.add("red")
    apple.tags.add("green")
    return Food.objects.get(pk=apple.pk)


async def awaited(instance: Any, name: str) -> Any:
    """`await instance.a.<name>`, inside an event loop."""
    return await getattr(instance.a, name)


def test_awaited_taggable_manager_lists_the_tags(food: Food) -> None:
    """`await food.a.tags` gives the tags, in the order `food.tags.all()` lists them."""
    tags: list[Tag] = async_to_sync(awaited)(food, "tags")
    assert [tag.name for tag in tags] == ["red", "green"]
    assert tags == list(Food.objects.get(pk=food.pk).tags.all())


def test_awaited_taggable_manager_fills_the_prefetch_cache(food: Food) -> None:
    """After `await food.a.tags`, `food.tags.all()` runs no query: the prefetch cache has them."""
    tags = async_to_sync(awaited)(food, "tags")
    prefetched = Food.objects.prefetch_related("tags").get(pk=food.pk)
    assert set(food._prefetched_objects_cache) == set(prefetched._prefetched_objects_cache)
    with CaptureQueriesContext(connection) as queries:
        listed = list(food.tags.all())
    assert (listed, len(queries)) == (tags, 0)


def test_awaited_field_is_its_value(food: Food) -> None:
    """`await food.a.name` gives the field's value."""
    assert async_to_sync(awaited)(food, "name") == "apple"


def test_unloaded_taggable_manager_iterated_in_async_code_raises(food: Food) -> None:
    """Iterating unloaded `food.tags.all()` in async code raises the error naming `Food.tags`."""

    async def list_tags() -> str:
        with pytest.raises(multisync.UnprefetchedRelatedModelAccessError) as error:
            list(food.tags.all())
        return str(error.value)

    assert async_to_sync(list_tags)().startswith("`Food.tags` is not loaded")
