"""`await obj.a.<name>` for every relation kind (DESIGN 2b).

For each kind: an unloaded value loads with one query and fills the cache Django's
sync access fills (a later sync access runs no query, even inside the event loop);
a loaded value returns with no query and no thread hop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.contrib.auth.models import User
from django.db.models import Prefetch

from tests.testapp.models import Choice, Comment, Profile, Question, Tag

if TYPE_CHECKING:
    from tests.django.conftest import QueryLog

pytestmark = pytest.mark.django_db


# --- forward foreign key --------------------------------------------------------------


async def test_forward_fk_async_accessor_loads(choice: Choice, queries: QueryLog) -> None:
    """`await choice.a.question` loads the question with one query."""
    with queries.expect(1):
        question = await choice.a.question
    assert question.question_text == "What's new?"


async def test_forward_fk_async_accessor_fills_django_cache(
    choice: Choice, queries: QueryLog
) -> None:
    """After the await, sync `choice.question` runs no query, in async code too."""
    loaded = await choice.a.question
    with queries.expect(0):
        assert choice.question is loaded


async def test_forward_fk_async_accessor_after_select_related_no_query(
    question: Question, queries: QueryLog, no_hops: None
) -> None:
    """A question loaded by select_related comes back with no query and no hop."""
    choice = await Choice.objects.select_related("question").afirst()
    assert choice is not None
    with queries.expect(0):
        assert (await choice.a.question).pk == question.pk


async def test_forward_fk_async_accessor_second_await_no_query(
    choice: Choice, queries: QueryLog, no_hops: None
) -> None:
    """An earlier sync load (in a thread) is reused: the await runs no query and no hop."""
    await Choice.objects.filter(pk=choice.pk).aget()  # unrelated query first
    choice.__dict__.pop("_prefetched_objects_cache", None)
    choice._state.fields_cache["question"] = await Question.objects.aget(pk=choice.question_id)
    with queries.expect(0):
        assert (await choice.a.question).pk == choice.question_id


async def test_nullable_fk_async_accessor_null_gives_none(
    question: Question, queries: QueryLog, no_hops: None
) -> None:
    """A null foreign key gives None, with no query and no hop."""
    with queries.expect(0):
        assert await question.a.author is None


async def test_nullable_fk_async_accessor_set_loads(question: Question, queries: QueryLog) -> None:
    """A set nullable foreign key loads with one query."""
    user = await User.objects.acreate(username="lin")
    await Question.objects.filter(pk=question.pk).aupdate(author=user)
    await question.arefresh_from_db()
    with queries.expect(1):
        assert (await question.a.author).username == "lin"  # type: ignore[union-attr]


async def test_forward_fk_attname_gives_value_no_query(
    choice: Choice, queries: QueryLog, no_hops: None
) -> None:
    """`choice.a.question_id` is the column value: no query, no hop."""
    with queries.expect(0):
        assert await choice.a.question_id == choice.question_id  # type: ignore[multisync-field]


# --- one-to-one, both sides ------------------------------------------------------------


async def test_forward_one_to_one_async_accessor_loads(profile: Profile, queries: QueryLog) -> None:
    """`await profile.a.user` loads the user with one query."""
    with queries.expect(1):
        assert (await profile.a.user).username == "ada"


async def test_forward_one_to_one_async_accessor_fills_reverse_cache(
    profile: Profile, queries: QueryLog
) -> None:
    """Loading the forward side also caches the reverse side, as Django does."""
    user = await profile.a.user
    with queries.expect(0):
        assert user.profile is profile


async def test_reverse_one_to_one_async_accessor_loads(user: User, queries: QueryLog) -> None:
    """`await user.a.profile` loads the profile with one query."""
    with queries.expect(1):
        assert (await user.a.profile).bio == "Analyst"


async def test_reverse_one_to_one_async_accessor_fills_django_cache(
    user: User, queries: QueryLog
) -> None:
    """After the await, sync `user.profile` runs no query, and its `user` neither."""
    profile = await user.a.profile
    with queries.expect(0):
        assert user.profile is profile
        assert profile.user is user


async def test_reverse_one_to_one_async_accessor_after_select_related_no_query(
    user: User, queries: QueryLog, no_hops: None
) -> None:
    """A profile loaded by select_related comes back with no query and no hop."""
    loaded = await User.objects.select_related("profile").aget(pk=user.pk)
    with queries.expect(0):
        assert (await loaded.a.profile).bio == "Analyst"


async def test_reverse_one_to_one_missing_raises_does_not_exist(
    lonely_user: User, queries: QueryLog
) -> None:
    """A missing reverse one-to-one raises Django's RelatedObjectDoesNotExist."""
    with queries.expect(1), pytest.raises(User.profile.RelatedObjectDoesNotExist) as exc:
        await lonely_user.a.profile
    assert str(exc.value) == "User has no profile."


async def test_reverse_one_to_one_missing_second_await_no_query(
    lonely_user: User, queries: QueryLog
) -> None:
    """The missing row is cached too: the second await raises with no query."""
    with pytest.raises(User.profile.RelatedObjectDoesNotExist):
        await lonely_user.a.profile
    with queries.expect(0), pytest.raises(User.profile.RelatedObjectDoesNotExist):
        await lonely_user.a.profile


# --- reverse foreign key ---------------------------------------------------------------


async def test_reverse_fk_async_accessor_gives_list(question: Question, queries: QueryLog) -> None:
    """`await question.a.choice_set` is a list of the choices, from one query."""
    with queries.expect(1):
        choices = await question.a.choice_set
    assert isinstance(choices, list)
    assert sorted(c.choice_text for c in choices) == ["Not much", "The sky"]


async def test_reverse_fk_async_accessor_fills_prefetch_cache(
    question: Question, queries: QueryLog
) -> None:
    """After the await, sync `question.choice_set.all()` is served from the prefetch cache."""
    choices = await question.a.choice_set
    with queries.expect(0):
        assert list(question.choice_set.all()) == choices
        assert all(choice.question is question for choice in choices)


async def test_reverse_fk_async_accessor_after_prefetch_no_query(
    question: Question, queries: QueryLog, no_hops: None
) -> None:
    """Choices loaded by prefetch_related come back with no query and no hop."""
    loaded = await Question.objects.prefetch_related("choice_set").aget(pk=question.pk)
    with queries.expect(0):
        assert len(await loaded.a.choice_set) == 2


async def test_reverse_fk_async_accessor_after_filtered_prefetch_keeps_filter(
    question: Question, queries: QueryLog
) -> None:
    """A Prefetch with a filter is what the await returns: the cache is the answer."""
    popular = Prefetch("choice_set", queryset=Choice.objects.filter(votes__gte=2))
    loaded = await Question.objects.prefetch_related(popular).aget(pk=question.pk)
    with queries.expect(0):
        assert [c.choice_text for c in await loaded.a.choice_set] == ["The sky"]


async def test_reverse_fk_async_accessor_unsaved_raises_like_sync(queries: QueryLog) -> None:
    """An unsaved question raises the ValueError that sync access raises, with no query."""
    with queries.expect(0), pytest.raises(ValueError, match="needs to have a") as exc:
        await Question(question_text="draft").a.choice_set
    assert "Question" in str(exc.value)


# --- many-to-many, both sides ----------------------------------------------------------


async def test_forward_m2m_async_accessor_gives_list(question: Question, queries: QueryLog) -> None:
    """`await question.a.tags` is a list of the tags, from one query."""
    with queries.expect(1):
        tags = await question.a.tags
    assert sorted(t.name for t in tags) == ["news", "sky"]


async def test_forward_m2m_async_accessor_fills_prefetch_cache(
    question: Question, queries: QueryLog
) -> None:
    """After the await, sync `question.tags.all()` is served from the prefetch cache."""
    tags = await question.a.tags
    with queries.expect(0):
        assert list(question.tags.all()) == tags


async def test_reverse_m2m_async_accessor_gives_list(tag: Tag, queries: QueryLog) -> None:
    """`await tag.a.question_set` is a list of the questions, from one query."""
    with queries.expect(1):
        questions = await tag.a.question_set
    assert [q.question_text for q in questions] == ["What's new?"]


async def test_reverse_m2m_async_accessor_second_await_no_query(
    tag: Tag, queries: QueryLog
) -> None:
    """Reverse M2M is cached under its query name; the second await still finds it."""
    await tag.a.question_set
    with queries.expect(0):
        assert len(await tag.a.question_set) == 1


async def test_reverse_m2m_async_accessor_after_prefetch_no_query(
    question: Question, queries: QueryLog, no_hops: None
) -> None:
    """Questions prefetched on a tag come back with no query and no hop."""
    loaded = await Tag.objects.prefetch_related("question_set").aget(name="news")
    with queries.expect(0):
        assert len(await loaded.a.question_set) == 1


# --- generic relations -----------------------------------------------------------------


async def test_generic_fk_async_accessor_loads(
    comment: Comment, question: Question, queries: QueryLog
) -> None:
    """`await comment.a.content_object` loads the question (ContentType cache is warm)."""
    with queries.expect(1):
        assert await comment.a.content_object == question


async def test_generic_fk_async_accessor_fills_django_cache(
    comment: Comment, queries: QueryLog
) -> None:
    """After the await, sync `comment.content_object` runs no query."""
    loaded = await comment.a.content_object
    with queries.expect(0):
        assert comment.content_object is loaded


async def test_generic_fk_async_accessor_after_prefetch_no_query(
    question: Question, queries: QueryLog, no_hops: None
) -> None:
    """A prefetched generic object comes back with no query and no hop."""
    loaded = await Comment.objects.prefetch_related("content_object").aget()
    with queries.expect(0):
        assert await loaded.a.content_object == question


async def test_generic_relation_async_accessor_gives_list(
    question: Question, queries: QueryLog
) -> None:
    """`await question.a.comments` is a list of the comments, from one query."""
    with queries.expect(1):
        comments = await question.a.comments
    assert [c.text for c in comments] == ["First!"]


async def test_generic_relation_async_accessor_fills_prefetch_cache(
    question: Question, queries: QueryLog
) -> None:
    """After the await, sync `question.comments.all()` runs no query."""
    comments = await question.a.comments
    with queries.expect(0):
        assert list(question.comments.all()) == comments


# --- fields ----------------------------------------------------------------------------


async def test_deferred_field_async_accessor_loads(question: Question, queries: QueryLog) -> None:
    """`await question.a.body` on a deferred field loads it with one query."""
    deferred = await Question.objects.defer("body").aget(pk=question.pk)
    with queries.expect(1):
        assert await deferred.a.body == "A long body."  # type: ignore[multisync-field]


async def test_deferred_field_async_accessor_fills_instance(
    question: Question, queries: QueryLog
) -> None:
    """After the await, sync `question.body` runs no query."""
    deferred = await Question.objects.defer("body").aget(pk=question.pk)
    await deferred.a.body  # type: ignore[multisync-field]
    with queries.expect(0):
        assert deferred.body == "A long body."


async def test_loaded_field_async_accessor_no_query(
    question: Question, queries: QueryLog, no_hops: None
) -> None:
    """A loaded field is returned at once: no query, no hop."""
    with queries.expect(0):
        assert await question.a.question_text == "What's new?"  # type: ignore[multisync-field]
        assert await question.a.pk == question.pk  # type: ignore[multisync-field]


# --- names -----------------------------------------------------------------------------


async def test_unknown_name_raises_attribute_error_with_close_matches(question: Question) -> None:
    """An unknown name raises AttributeError naming the model and the close matches."""
    with pytest.raises(AttributeError) as exc:
        question.a.choices  # type: ignore[multisync-relation]
    assert exc.value.args == (
        "`Question.a` has no relation or field named `choices`. Did you mean `choice_set`?",
    )


async def test_unknown_name_without_close_match_lists_names(choice: Choice) -> None:
    """Without a close match, the message lists what the namespace has."""
    with pytest.raises(AttributeError) as exc:
        choice.a.zzz  # type: ignore[multisync-relation]
    assert exc.value.args == (
        (
            "`Choice.a` has no relation or field named `zzz`. It has: `choice_text`, `id`, `pk`,"
            " `question`, `question_id`, `votes`."
        ),
    )


def test_namespace_dir_lists_relations_and_fields(question: Question) -> None:
    """`dir(question.a)` lists the names it answers."""
    assert dir(question.a) == [
        "author", "author_id", "body", "choice_set", "comments", "id", "pk", "pub_date",
        "question_text", "tags",
    ]  # fmt: skip


def test_namespace_on_class_is_the_descriptor() -> None:
    """`Question.a` is the descriptor, for introspection."""
    assert type(Question.a).__name__ == "AsyncRelationsDescriptor"


def test_namespace_on_third_party_model(user: User) -> None:
    """`auth.User` has the namespace too, with its reverse relations."""
    assert {"profile", "question_set", "groups"} <= set(dir(user.a))
