"""`await obj.a.<name>` gives what `obj.<name>` gives, alone or batched.

Batching replaces each instance's own access with one query for many. It applies only
where that provably changes nothing (Django's own descriptors, managers and
`refresh_from_db`, or a class that declares itself batch-safe); everything else runs
the sync access itself, one instance at a time.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.db import connection

from tests.testapp.models import Question
from tests.thirdparty.models import CALLS, Dessert, Dish, Food, Note, Recipe, Review, Step

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.django.conftest import QueryLog

pytestmark = pytest.mark.django_db


# --- in-memory relation state (django-modelcluster) ---------------------------------------


@pytest.fixture
def recipe(db: None) -> Recipe:
    """A saved recipe with one saved step and one food, freshly loaded."""
    created = Recipe.objects.create(name="soup")
    Step.objects.create(recipe=created, text="saved")
    created.foods.add(Food.objects.create(name="leek"))
    created.save()
    loaded: Recipe = Recipe.objects.get(pk=created.pk)
    return loaded


async def test_in_memory_children_awaited_give_unsaved_ones(recipe: Recipe) -> None:
    """Unsaved children set in memory are what sync access and the await give."""
    recipe.steps = [Step(text="memory")]
    expected = [step.text for step in await sync_to_async(lambda: list(recipe.steps.all()))()]
    assert expected == ["memory"]
    assert [step.text for step in await recipe.a.steps] == expected


async def test_in_memory_many_to_many_awaited_gives_unsaved_set(recipe: Recipe) -> None:
    """A ParentalManyToManyField set in memory is what the await gives."""
    carrot = await Food.objects.acreate(name="carrot")
    recipe.foods = [carrot]
    assert [food.name for food in await recipe.a.foods] == ["carrot"]


async def test_saved_children_awaited_give_saved_ones(recipe: Recipe) -> None:
    """With nothing in memory, the await gives the saved children."""
    assert [step.text for step in await recipe.a.steps] == ["saved"]


# --- a descriptor that fetches its own way --------------------------------------------------


@pytest.fixture
def reviews(db: None) -> list[Review]:
    """Three reviews, each of its own food and dish, freshly loaded."""
    for number in range(3):
        Review.objects.create(
            food=Food.objects.create(name=f"food{number}"),
            dish=Dish.objects.create(name=f"dish{number}"),
        )
    return list(Review.objects.order_by("pk"))


async def test_own_fetch_descriptor_gathered_runs_its_own_code(reviews: list[Review]) -> None:
    """Gathered awaits of a subclassed descriptor give what its own `__get__` gives."""
    foods = await asyncio.gather(*(review.a.food for review in reviews))
    assert [food.fetched_for for food in foods] == [review.pk for review in reviews]


async def test_batch_safe_descriptor_gathered_runs_one_query(
    reviews: list[Review], queries: QueryLog
) -> None:
    """A descriptor that declares itself batch-safe is batched: one query for all."""
    with queries.expect(1):
        dishes = await asyncio.gather(*(review.a.dish for review in reviews))
    assert [dish.pk for dish in dishes] == [review.dish_id for review in reviews]


# --- a dangling foreign key --------------------------------------------------------------


@pytest.fixture
def dangling(db: None) -> Iterator[list[Question]]:
    """Two questions whose nullable author points to a row that does not exist."""
    for number in range(2):
        Question.objects.create(question_text=f"Q{number}")
    with connection.constraint_checks_disabled():
        Question.objects.update(author_id=999_999)
    yield list(Question.objects.order_by("pk"))
    Question.objects.update(author=None)  # Django checks constraints before rolling back


async def test_dangling_fk_gathered_raises_does_not_exist(dangling: list[Question]) -> None:
    """Batched, a dangling key raises the class sync access raises, for each awaiter."""
    results = await asyncio.gather(
        *(question.a.author for question in dangling), return_exceptions=True
    )
    assert [type(result) for result in results] == [User.DoesNotExist] * 2


async def test_dangling_fk_gathered_caches_nothing(dangling: list[Question]) -> None:
    """After the batch, no None is cached where sync access would still raise."""
    await asyncio.gather(*(question.a.author for question in dangling), return_exceptions=True)
    assert ["author" in question._state.fields_cache for question in dangling] == [False] * 2


async def test_dangling_fk_alone_raises_does_not_exist(dangling: list[Question]) -> None:
    """Alone, the await raises what sync access raises."""
    with pytest.raises(User.DoesNotExist) as raised:
        await dangling[0].a.author
    assert type(raised.value) is User.DoesNotExist


# --- deferred key columns and parent links --------------------------------------------------


async def test_fk_with_deferred_column_awaited_loads_it_then_object(
    reviews: list[Review], queries: QueryLog
) -> None:
    """With `dish_id` deferred, the await loads the column, then the dish, as sync does."""
    review = await Review.objects.defer("dish").aget(pk=reviews[0].pk)
    with queries.expect(2):
        dish = await review.a.dish
    assert dish.pk == reviews[0].dish_id


async def test_fk_with_deferred_column_gathered_gives_each_object(reviews: list[Review]) -> None:
    """Gathered, deferred key columns never raise the guard's error in the loop."""
    deferred = [r async for r in Review.objects.defer("dish").order_by("pk")]
    dishes = await asyncio.gather(*(review.a.dish for review in deferred))
    assert [dish.pk for dish in dishes] == [review.dish_id for review in reviews]


async def test_parent_link_of_edited_child_gathered_keeps_edits() -> None:
    """A parent link is built from the child's own values, unsaved edits included."""
    for name in ("tart", "flan"):
        await Dessert.objects.acreate(name=name)
    desserts = [d async for d in Dessert.objects.order_by("pk")]
    for dessert in desserts:
        dessert.name = f"edited {dessert.name}"
    # The mypy plugin does not see parent links, which django-stubs does not declare.
    parents = await asyncio.gather(*(dessert.a.food_ptr for dessert in desserts))  # type: ignore[multisync-relation]
    assert [parent.name for parent in parents] == ["edited tart", "edited flan"]


# --- refresh_from_db overrides -------------------------------------------------------------


@pytest.fixture
def notes(db: None) -> list[Note]:
    """Two notes with their text deferred."""
    Note.objects.bulk_create([Note(text="one"), Note(text="two")])
    return list(Note.objects.defer("text").order_by("pk"))


async def test_deferred_field_gathered_runs_refresh_override(notes: list[Note]) -> None:
    """Gathered deferred loads go through the model's own `refresh_from_db`."""
    CALLS.clear()
    texts = await asyncio.gather(*(note.a.text for note in notes))  # type: ignore[multisync-field]
    assert texts == ["one", "two"]
    assert CALLS == ["Note.refresh_from_db"] * 2


async def test_deferred_field_of_plain_model_gathered_runs_one_query(
    queries: QueryLog, db: None
) -> None:
    """Without an override, gathered deferred loads still run one query."""
    await Question.objects.abulk_create([Question(question_text="a"), Question(question_text="b")])
    questions = [q async for q in Question.objects.defer("body").order_by("pk")]
    with queries.expect(1):
        await asyncio.gather(*(question.a.body for question in questions))  # type: ignore[multisync-field]
