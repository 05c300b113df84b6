"""Relations Django did not define (django-taggit's managers) and names a model takes over.

Each name of `obj.a` degrades on its own: a manager that is its own descriptor loads
through its own code, and the guard names it like Django's relations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from django.db.models.fields.files import FieldFile

from multisync import UnprefetchedRelatedModelAccessError
from multisync.django import relations
from tests.testapp.models import Question
from tests.thirdparty.models import CALLS, Dish, Food, Ticket

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.django.conftest import QueryLog

pytestmark = pytest.mark.django_db

DOCS = " (See https://multisync.readthedocs.io/en/latest/errors/#ms-relation-not-loaded)"


@pytest.fixture
def food(db: None) -> Food:
    """A food with two tags, freshly loaded."""
    created = Food.objects.create(name="apple")
    created.tags.add("red", "sweet")
    return Food.objects.get(pk=created.pk)


@pytest.fixture
def dish(db: None) -> Dish:
    """A dish labelled through a custom through model, freshly loaded."""
    created = Dish.objects.create(name="soup")
    created.labels.add("hot", "vegan")
    return Dish.objects.get(pk=created.pk)


def names(tags: list[Any]) -> list[str]:
    """The names of tags, in the order given."""
    return [tag.name for tag in tags]


# --- django-taggit ---------------------------------------------------------------------


async def test_taggit_model_plain_field_awaited(food: Food, queries: QueryLog) -> None:
    """A model with a TaggableManager still answers its other names, with no query."""
    with queries.expect(0):
        assert await food.a.name == "apple"  # type: ignore[multisync-field]


async def test_taggit_tags_awaited_gives_list(food: Food, queries: QueryLog) -> None:
    """`await food.a.tags` lists the tags in taggit's own order, in one query."""
    with queries.expect(1):
        assert names(await food.a.tags) == ["red", "sweet"]


async def test_taggit_tags_awaited_fills_prefetch_cache(food: Food, queries: QueryLog) -> None:
    """After the await, sync `food.tags.all()` is served from prefetch_related's cache."""
    await food.a.tags
    assert names(food._prefetched_objects_cache["tags"]) == ["red", "sweet"]  # type: ignore[attr-defined]
    with queries.expect(0):
        assert names(list(food.tags.all())) == ["red", "sweet"]


async def test_taggit_custom_through_awaited_gives_list(dish: Dish, queries: QueryLog) -> None:
    """A TaggableManager through a custom model with a real foreign key works too."""
    with queries.expect(1):
        assert names(await dish.a.labels) == ["hot", "vegan"]


async def test_taggit_unsaved_instance_raises_taggit_error() -> None:
    """An unsaved instance gets taggit's own error, as sync access does."""
    with pytest.raises(ValueError, match="Food objects need to have a primary key value"):
        await Food(name="pear").a.tags


async def test_taggit_unloaded_tags_in_async_raises_guard_error(
    food: Food, queries: QueryLog
) -> None:
    """Iterating unloaded tags in async code raises our error naming `Food.tags`."""
    with queries.expect(0), pytest.raises(UnprefetchedRelatedModelAccessError) as exc:
        list(food.tags.all())
    assert str(exc.value) == (
        "`Food.tags` is not loaded, and loading it here would run a database query inside an"
        " async context. Use `await food.a.tags`, or load it up front with"
        f' `prefetch_related("tags")`.{DOCS}'
    )


async def test_taggit_prefetched_tags_in_async_ok(food: Food, queries: QueryLog) -> None:
    """Tags loaded by `prefetch_related("tags")` read in async code with no query."""
    # django-stubs cannot see that taggit's manager prefetches.
    loaded = await Food.objects.prefetch_related("tags").aget(pk=food.pk)  # type: ignore[misc]
    with queries.expect(0):
        assert names(list(loaded.tags.all())) == ["red", "sweet"]


def test_taggit_sync_access_outside_loop_unchanged(food: Food, queries: QueryLog) -> None:
    """In sync code the guarded manager queries as taggit's does."""
    with queries.expect(1):
        assert sorted(food.tags.names()) == ["red", "sweet"]


async def test_file_field_awaited_gives_field_file(food: Food, queries: QueryLog) -> None:
    """A field whose descriptor converts its value gives what sync access gives."""
    food.label = "labels/apple.txt"  # stored as a string until read
    with queries.expect(0):
        label = await food.a.label  # type: ignore[multisync-field]
    assert isinstance(label, FieldFile)
    assert label.name == "labels/apple.txt"


# --- names a model takes over ------------------------------------------------------------


async def test_pk_property_on_proxy_awaited_runs_property(food: Food) -> None:
    """`await ticket.a.pk` gives what the proxy's own `pk` property gives."""
    ticket = await Ticket.objects.aget(pk=food.pk)
    CALLS.clear()
    assert await ticket.a.pk == food.id  # type: ignore[multisync-field]
    assert CALLS == ["Ticket.pk"]


async def test_pk_of_plain_model_awaited_reads_field(food: Food, queries: QueryLog) -> None:
    """Without a `pk` of its own, `await food.a.pk` reads the field, with no query."""
    with queries.expect(0):
        assert await food.a.pk == food.id  # type: ignore[multisync-field]


# --- each name degrades on its own --------------------------------------------------------


@pytest.fixture
def broken_collections(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Make building Question's collection loaders fail, as an unknown field would."""

    def broken(*args: Any) -> Any:
        msg = "a field shaped unlike Django's"
        raise AttributeError(msg)

    monkeypatch.setattr(relations, "_forward_collection", broken)
    relations.forget_relations(Question)
    yield
    relations.forget_relations(Question)


@pytest.mark.usefixtures("broken_collections")
async def test_namespace_name_that_fails_to_build_degrades_alone(question: Question) -> None:
    """A name whose loader cannot be built falls back to sync access; others still work."""
    assert await question.a.question_text == "What's new?"  # type: ignore[multisync-field]
    assert sorted(tag.name for tag in await question.a.tags) == ["news", "sky"]
