"""Batched loads behind `obj.a`: peers and concurrent awaits (the async N+1 killer).

For every relation kind: a loop over N peers runs one query, a gather over N
non-peers runs one query; caches end up as a single load leaves them.
"""

from __future__ import annotations

import asyncio
import gc
import pickle
import weakref
from typing import TYPE_CHECKING, Any

import pytest
from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.contrib.auth.models import Group, User
from django.db import DatabaseError, connections
from django.test import override_settings

from multisync.django import loading, peers
from tests.django.conftest import QueryLog
from tests.testapp.models import Choice, Comment, Profile, Question, Tag

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = pytest.mark.django_db

N = 5


@pytest.fixture
def polls(db: None) -> list[int]:
    """N questions, each with two choices, two tags and a comment; their pks."""
    pks = []
    for number in range(N):
        question = Question.objects.create(question_text=f"Q{number}", body=f"Body {number}")
        Choice.objects.create(question=question, choice_text=f"A{number}")
        Choice.objects.create(question=question, choice_text=f"B{number}")
        question.tags.add(
            *Tag.objects.bulk_create([Tag(name=f"t{number}a"), Tag(name=f"t{number}b")])
        )
        Comment.objects.create(content_object=question, text=f"C{number}")
        pks.append(question.pk)
    return pks


@pytest.fixture
def members(db: None) -> Group:
    """A group of N users; all but the last have a profile."""
    group = Group.objects.create(name="members")
    for number in range(N):
        user = User.objects.create(username=f"user{number}")
        group.user_set.add(user)
        if number < N - 1:
            Profile.objects.create(user=user, bio=f"Bio {number}")
    return group


# --- a loop over peers: one query -------------------------------------------------------


async def test_forward_fk_loop_over_peers_runs_one_query(
    polls: list[int], queries: QueryLog
) -> None:
    """Choices from one queryset are peers: awaiting each question runs one query."""
    choices = await Choice.objects.order_by("pk").all.a()
    with queries.expect(1):
        questions = [await choice.a.question for choice in choices]
    assert [q.pk for q in questions] == [c.question_id for c in choices]


async def test_forward_fk_loop_over_peers_fills_each_cache(
    polls: list[int], queries: QueryLog
) -> None:
    """After the batch, every peer's sync `choice.question` runs no query."""
    choices = await Choice.objects.order_by("pk").all.a()
    await choices[0].a.question
    with queries.expect(0):
        assert [c.question.pk for c in choices] == [c.question_id for c in choices]


async def test_reverse_fk_loop_over_peers_runs_one_query(
    polls: list[int], queries: QueryLog
) -> None:
    """Questions from one queryset are peers: listing each one's choices runs one query."""
    questions = await Question.objects.order_by("pk").all.a()
    with queries.expect(1):
        choices = [await question.a.choice_set for question in questions]
    assert [len(c) for c in choices] == [2] * N
    with queries.expect(0):
        assert list(list(questions)[-1].choice_set.all()) == choices[-1]


async def test_forward_m2m_loop_over_peers_runs_one_query(
    polls: list[int], queries: QueryLog
) -> None:
    """Awaiting each question's tags runs one query for all of them."""
    questions = await Question.objects.order_by("pk").all.a()
    with queries.expect(1):
        tags = [await question.a.tags for question in questions]
    assert sorted(t.name for t in tags[0]) == ["t0a", "t0b"]


async def test_reverse_m2m_loop_over_peers_runs_one_query(
    polls: list[int], queries: QueryLog
) -> None:
    """Tags listed by `obj.a` are peers: awaiting each one's questions runs one query."""
    question = await Question.objects.aget(pk=polls[0])
    tags = await question.a.tags
    with queries.expect(1):
        questions = [await tag.a.question_set for tag in tags]
    assert [[q.pk for q in qs] for qs in questions] == [[polls[0]], [polls[0]]]


async def test_reverse_one_to_one_loop_over_peers_runs_one_query(
    members: Group, queries: QueryLog
) -> None:
    """Users listed by `obj.a` are peers: awaiting each profile runs one query."""
    users = sorted(await members.a.user_set, key=lambda user: user.pk)
    with queries.expect(1):
        profiles = [await user.a.profile for user in users[:-1]]
    assert [p.bio for p in profiles] == [f"Bio {n}" for n in range(N - 1)]


async def test_reverse_one_to_one_missing_after_batch_raises_for_that_instance_only(
    members: Group, queries: QueryLog
) -> None:
    """In a batch, the user without a profile gets RelatedObjectDoesNotExist, the others not."""
    users = sorted(await members.a.user_set, key=lambda user: user.pk)
    with queries.expect(1):
        results = await asyncio.gather(*(user.a.profile for user in users), return_exceptions=True)
    assert [type(r).__name__ for r in results] == ["Profile"] * (N - 1) + [
        "RelatedObjectDoesNotExist"
    ]


async def test_generic_fk_loop_over_peers_runs_one_query(
    polls: list[int], queries: QueryLog
) -> None:
    """Comments listed by `obj.a` are peers: loading each object runs one query per type."""
    comments = [c async for c in Comment.objects.order_by("pk")]
    tracked = peers.track_peers(comments)
    with queries.expect(1):
        objects = [await comment.a.content_object for comment in tracked]
    assert [o.pk for o in objects] == polls


async def test_generic_relation_loop_over_peers_runs_one_query(
    polls: list[int], queries: QueryLog
) -> None:
    """Awaiting each question's comments runs one query for all of them."""
    questions = await Question.objects.order_by("pk").all.a()
    with queries.expect(1):
        comments = [await question.a.comments for question in questions]
    assert [[c.text for c in cs] for cs in comments] == [[f"C{n}"] for n in range(N)]


async def test_deferred_field_loop_over_peers_runs_one_query(
    polls: list[int], queries: QueryLog
) -> None:
    """Awaiting a deferred field on each peer runs one query."""
    questions = await Question.objects.defer("body").order_by("pk").all.a()
    with queries.expect(1):
        bodies = [await question.a.body for question in questions]  # type: ignore[multisync-field]
    assert bodies == [f"Body {n}" for n in range(N)]
    with queries.expect(0):
        assert list(questions)[-1].body == f"Body {N - 1}"


# --- a gather over non-peers: one query ------------------------------------------------


async def test_forward_fk_gather_over_non_peers_runs_one_query(
    polls: list[int], queries: QueryLog
) -> None:
    """Choices loaded one by one are not peers; gathering their questions runs one query."""
    choices = [await Choice.objects.filter(question_id=pk).afirst() for pk in polls]
    with queries.expect(1):
        questions = await asyncio.gather(*(choice.a.question for choice in choices))  # type: ignore[union-attr]
    assert [q.pk for q in questions] == polls


async def test_reverse_fk_gather_over_non_peers_runs_one_query(
    polls: list[int], queries: QueryLog
) -> None:
    """Gathering the choices of separately loaded questions runs one query."""
    questions = [await Question.objects.aget(pk=pk) for pk in polls]
    with queries.expect(1):
        choices = await asyncio.gather(*(question.a.choice_set for question in questions))
    assert [len(c) for c in choices] == [2] * N


async def test_deferred_field_gather_over_non_peers_runs_one_query(
    polls: list[int], queries: QueryLog
) -> None:
    """Gathering a deferred field of separately loaded questions runs one query."""
    questions = [await Question.objects.defer("body").aget(pk=pk) for pk in polls]
    with queries.expect(1):
        bodies = await asyncio.gather(*(question.a.body for question in questions))  # type: ignore[multisync-field]
    assert bodies == [f"Body {n}" for n in range(N)]


async def test_gather_of_different_relations_runs_one_query_each(
    polls: list[int], queries: QueryLog
) -> None:
    """A gather over two relations batches each relation separately."""
    questions = [await Question.objects.aget(pk=pk) for pk in polls]
    awaitables = [q.a.choice_set for q in questions] + [q.a.tags for q in questions]
    with queries.expect(2):
        await asyncio.gather(*awaitables)


# --- what is never batched together ------------------------------------------------------


@pytest.fixture
def other_queries(db: None) -> Iterator[QueryLog]:
    """A query log on the main thread's connection to the "other" database."""
    other = connections["other"]
    forced, other.force_debug_cursor = other.force_debug_cursor, True
    yield QueryLog(other)
    other.force_debug_cursor = forced


@pytest.mark.django_db(databases=["default", "other"])
async def test_gather_over_two_databases_runs_one_query_each(
    polls: list[int], queries: QueryLog, other_queries: QueryLog
) -> None:
    """Instances from different database aliases are never mixed in one batch."""
    await _copy_to_other(polls[:2])
    here = [await Choice.objects.filter(question_id=pk).afirst() for pk in polls[:2]]
    there = [
        await Choice.objects.using("other").filter(question_id=pk).afirst() for pk in polls[:2]
    ]
    with queries.expect(1), other_queries.expect(1):
        loaded = await asyncio.gather(*(c.a.question for c in [*here, *there]))  # type: ignore[union-attr]
    assert [q._state.db for q in loaded] == ["default", "default", "other", "other"]


async def _copy_to_other(pks: list[int]) -> None:
    for pk in pks:
        question = await Question.objects.aget(pk=pk)
        await Question.objects.using("other").acreate(pk=pk, question_text=question.question_text)
        await Choice.objects.using("other").acreate(question_id=pk, choice_text="elsewhere")


async def test_loop_over_peers_with_peers_off_runs_one_query_each(
    polls: list[int], queries: QueryLog
) -> None:
    """`MULTISYNC = {"PEERS": False}` turns peer loading off."""
    with override_settings(MULTISYNC={"PEERS": False}):
        choices = await Choice.objects.order_by("pk").all.a()
        with queries.expect(2 * N):
            for choice in choices:
                await choice.a.question


async def test_loop_over_many_peers_loads_in_chunks(
    polls: list[int], queries: QueryLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large peer sets load in chunks of CHUNK instances, one query each."""
    monkeypatch.setattr(peers, "CHUNK", 3)
    choices = await Choice.objects.order_by("pk").all.a()
    with queries.expect(4):  # 10 choices in chunks of 3
        for choice in choices:
            await choice.a.question


# --- peers survive copies of the results -------------------------------------------------


async def test_loop_over_async_for_copy_runs_one_query(polls: list[int], queries: QueryLog) -> None:
    """`[c async for c in qs]` keeps the peers: a loop over it runs one query."""
    choices = [c async for c in Choice.objects.order_by("pk")]
    gc.collect()  # the queryset that loaded them is gone
    with queries.expect(1):
        questions = [await choice.a.question for choice in choices]
    assert [q.pk for q in questions] == [c.question_id for c in choices]


async def test_loop_over_list_copy_runs_one_query(polls: list[int], queries: QueryLog) -> None:
    """`list(qs)` (in the thread hop) keeps the peers: a loop over it runs one query."""

    def listed() -> list[Choice]:
        return list(Choice.objects.order_by("pk"))

    choices = await sync_to_async(listed)()
    gc.collect()
    with queries.expect(1):
        for choice in choices:
            await choice.a.question


async def test_loop_over_slice_of_result_runs_one_query(
    polls: list[int], queries: QueryLog
) -> None:
    """A slice of an evaluated result keeps the peers, reverse relations too."""
    questions = list(await Question.objects.order_by("pk").all.a())[1:4]
    gc.collect()
    with queries.expect(1):
        choice_sets = [await question.a.choice_set for question in questions]
    assert [len(choices) for choices in choice_sets] == [2, 2, 2]


async def test_loop_over_joined_results_runs_one_query_each(
    polls: list[int], queries: QueryLog
) -> None:
    """A list joined from two evaluations runs one query per evaluation's peers."""
    first = await Choice.objects.filter(question_id__in=polls[:2]).all.a()
    second = await Choice.objects.filter(question_id__in=polls[2:]).all.a()
    choices = [*first, *second]
    del first, second
    gc.collect()
    with queries.expect(2):
        for choice in choices:
            await choice.a.question


async def test_loop_over_copy_fills_each_real_instance_cache(
    polls: list[int], queries: QueryLog
) -> None:
    """A peer loaded through its stand-in finds the value in its own cache afterwards."""
    choices = [c async for c in Choice.objects.order_by("pk")]
    await choices[0].a.question
    with queries.expect(0):
        assert [c.question.pk for c in choices] == [c.question_id for c in choices]


# --- errors, cancellation, memory ------------------------------------------------------


async def test_batch_error_reaches_every_awaiter(
    polls: list[int], queries: QueryLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An exception from the batch's query reaches every awaiter of that batch."""

    def broken(instances: list[Any], name: str) -> None:
        raise DatabaseError(name)

    monkeypatch.setattr(loading, "prefetch_related_objects", broken)
    choices = [await Choice.objects.filter(question_id=pk).afirst() for pk in polls]
    results = await asyncio.gather(*(c.a.question for c in choices), return_exceptions=True)  # type: ignore[union-attr]
    assert [(type(r), str(r)) for r in results] == [(DatabaseError, "question")] * N


async def test_cancelled_awaiter_leaves_batch_to_the_others(
    polls: list[int], queries: QueryLog
) -> None:
    """Cancelling one awaiter does not cancel the batch the others wait for."""
    choices = [await Choice.objects.filter(question_id=pk).afirst() for pk in polls[:2]]
    with queries.expect(1):
        first = asyncio.ensure_future(choices[0].a.question)  # type: ignore[union-attr]
        second = asyncio.ensure_future(choices[1].a.question)  # type: ignore[union-attr]
        await asyncio.sleep(0)  # both join the batch
        first.cancel()
        assert (await second).pk == polls[1]
    with pytest.raises(asyncio.CancelledError):
        await first
    assert choices[0]._state.fields_cache["question"].pk == polls[0]  # type: ignore[union-attr]


async def test_batch_keeps_no_instance_alive(polls: list[int]) -> None:
    """Once a batch is done, nothing in it refers to the instances it loaded."""
    choices = [await Choice.objects.filter(question_id=pk).afirst() for pk in polls]
    await asyncio.gather(*(c.a.question for c in choices))  # type: ignore[union-attr]
    refs = [weakref.ref(c) for c in choices]
    del choices
    await asyncio.sleep(0)  # asyncio lets go of the awaited results on its next turn
    gc.collect()
    assert [r() for r in refs] == [None] * N


async def test_peers_keep_no_instance_alive(polls: list[int]) -> None:
    """Holding one peer does not keep the others alive."""
    choices = await Choice.objects.order_by("pk").all.a()
    kept = choices[0]
    refs = [weakref.ref(c) for c in choices[1:]]
    del choices
    await asyncio.sleep(0)  # asyncio lets go of the awaited results on its next turn
    gc.collect()
    assert [r() for r in refs] == [None] * (2 * N - 1)
    assert kept.choice_text == "A0"


async def test_peers_keep_no_instance_alive_without_gc(polls: list[int]) -> None:
    """Dropped peers are freed by reference counting alone: the tracking holds none."""
    choices = [c async for c in Choice.objects.order_by("pk")]
    await choices[0].a.question  # a batch ran over the peers' stand-ins
    refs = [weakref.ref(c) for c in choices[1:]]
    gc.disable()
    try:
        del choices
        await asyncio.sleep(0)  # asyncio lets go of the awaited results on its next turn
        assert [r() for r in refs] == [None] * (2 * N - 1)
    finally:
        gc.enable()


async def test_peer_loaded_instance_pickles_without_peers(polls: list[int]) -> None:
    """A peer pickles; the copy comes back with no peers."""
    choices = await Choice.objects.order_by("pk").all.a()
    restored = pickle.loads(pickle.dumps(choices[0]))
    assert restored.pk == choices[0].pk
    assert restored.__dict__["_multisync_peers"] is None


async def test_gather_across_thread_sensitive_contexts_never_mixed(
    polls: list[int], queries: QueryLog
) -> None:
    """Awaits from different requests (thread-sensitive contexts) get a batch each."""
    choices = [await Choice.objects.filter(question_id=pk).afirst() for pk in polls[:2]]

    async def in_request(choice: Choice) -> Question:
        async with ThreadSensitiveContext():
            return await choice.a.question

    with queries.expect(2):
        loaded = await asyncio.gather(*(in_request(c) for c in choices))  # type: ignore[arg-type]
    assert [q.pk for q in loaded] == polls[:2]
