"""The async views of the polls demo.

Every view is an `async def`, and each one shows a multisync feature; the docstrings
say which, and how many SQL queries the view runs (the page footer shows the count,
and the tests check it). Nothing here blocks the event loop: every query runs in a
worker thread through a `.a()` or `_async` spelling or `await obj.a.<name>`, and the
templates only read what the views loaded, so they run no query either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import (
    ObjectDoesNotExist,
    SynchronousOnlyOperation,
    ValidationError,
)
from django.db import IntegrityError
from django.db.models import Model, Prefetch
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render

from multisync.django import UnprefetchedRelatedModelAccessError

from .converters import parse_pk
from .models import Choice, Question

if TYPE_CHECKING:
    from django.http import HttpRequest

    from multisync.django import MultisyncQuerySet

_M = TypeVar("_M", bound=Model)

# How many answers the "top answers" page (and its guard twin) lists.
TOP_ANSWERS = 10


async def get_or_404(queryset: MultisyncQuerySet[_M], **lookups: Any) -> _M:
    """`await queryset.get.a(**lookups)`, with a 404 for a missing row."""
    try:
        return await queryset.get.a(**lookups)
    except ObjectDoesNotExist as error:
        msg = f"No {queryset.model.__name__} matches {lookups}."
        raise Http404(msg) from error


def percent(part: int, whole: int) -> int:
    """`part` as a whole percentage of `whole` (0 when nothing was counted yet)."""
    return round(100 * part / whole) if whole else 0


async def index(request: HttpRequest) -> HttpResponse:
    """The published polls, newest first, with their totals.

    1 query: `published()` and `with_totals()` come from the custom queryset, and
    `order_by.a()` returns the queryset already evaluated, so the template iterates
    it without touching the database.
    """
    questions = await Question.objects.published().with_totals().order_by.a("-pub_date", "pk")
    return render(request, "polls/index.html", {"questions": questions})


async def render_detail(
    request: HttpRequest, question: Question, *, status: int = 200, **context: Any
) -> HttpResponse:
    """The voting form of `question`, with optional error messages in `context`.

    1 query: `await question.a.choice_set` loads the choices into Django's prefetch
    cache, where the template's `question.choice_set.all` finds them.
    """
    await question.a.choice_set
    return render(request, "polls/detail.html", {"question": question, **context}, status=status)


async def detail(request: HttpRequest, question_id: int) -> HttpResponse:
    """A poll and its voting form: 2 queries (the question, then its choices)."""
    question = await get_or_404(Question.objects.published(), pk=question_id)
    return await render_detail(request, question)


async def vote(request: HttpRequest, question_id: int) -> HttpResponse:
    """Count a vote (POST, CSRF-checked), then redirect to the results.

    2 queries: the question, and one `UPDATE ... SET votes = votes + 1` run by the
    hand-written async half of `Question.record_vote` (`await question.record_vote.a()`).
    The database does the addition, so concurrent votes are never lost. A vote for no
    choice, or for a choice of another question, shows the form again.
    """
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    question = await get_or_404(Question.objects.published(), pk=question_id)
    choice_id = parse_pk(request.POST.get("choice"))
    if choice_id is None or not await question.record_vote.a(choice_id):
        error = "Pick one of the answers before voting."
        return await render_detail(request, question, vote_error=error, status=400)
    return redirect("polls:results", question_id=question.pk)


async def save_suggestion(choice: Choice) -> None:
    """`await choice.save.a()`, with a `ValidationError` for a duplicate, race or not.

    `Choice.save` validates first, and its check for an identical answer runs a query
    before the INSERT. Two identical suggestions sent at once can both pass that check;
    the unique constraint then refuses the second INSERT with an `IntegrityError`.
    Saving once more validates again: now the check finds the winner's row, and the
    loser gets the `ValidationError` of any duplicate.
    """
    try:
        await choice.save.a()
    except IntegrityError:
        await choice.save.a()


async def suggest(request: HttpRequest, question_id: int) -> HttpResponse:
    """Add an answer to a poll (POST, CSRF-checked), then show the poll again.

    `await choice.save.a()` runs `Choice.save`, a plain `def` override that validates
    (`full_clean`) before saving: multisync runs it in a worker thread, as it does for
    every async spelling of `save`. Invalid text (empty, too long, with a NUL
    character, or an answer the poll already has) shows the form again with the
    validation messages.
    """
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    question = await get_or_404(Question.objects.published(), pk=question_id)
    text = request.POST.get("choice_text", "").strip()
    choice = Choice(question=question, choice_text=text)
    try:
        await save_suggestion(choice)
    except ValidationError as error:
        context = {"suggest_errors": error.messages, "suggestion": text}
        return await render_detail(request, question, status=400, **context)
    return redirect("polls:detail", question_id=question.pk)


async def results(request: HttpRequest, question_id: int) -> HttpResponse:
    """A poll's choices, most votes first, with their share of the votes.

    2 queries: the question, and its choices through a ranked `Prefetch`. The
    `await question.a.choice_set` that follows runs no query and no thread hop: the
    relation is already loaded.
    """
    ranked = Prefetch("choice_set", queryset=Choice.objects.order_by("-votes", "pk"))
    question = await get_or_404(
        Question.objects.published().prefetch_related(ranked), pk=question_id
    )
    choices = await question.a.choice_set
    total = sum(choice.votes for choice in choices)
    rows = [(choice, percent(choice.votes, total)) for choice in choices]
    context = {"question": question, "rows": rows, "total": total}
    return render(request, "polls/results.html", context)


async def choice_detail(request: HttpRequest, choice_id: int) -> HttpResponse:
    """One answer, the question it answers, and its share of that question's votes.

    3 queries: the choice; its question, loaded by `await choice.a.question`; and the
    question's total, from `await question.total_votes_async()`, the `_async`
    spelling of a `@multisync` method whose sync half is the only one written.
    """
    choice = await get_or_404(Choice.objects.all(), pk=choice_id)
    question = await choice.a.question
    total = await question.total_votes_async()
    context = {"choice": choice, "question": question, "total": total}
    context["share"] = percent(choice.votes, total)
    return render(request, "polls/choice.html", context)


async def top_answers(request: HttpRequest) -> HttpResponse:
    """The most popular answers of all polls, each with its question.

    1 query: `select_related("question")` joins the questions in, so the template
    reads `choice.question` at no cost. Compare with `guard` below.
    """
    ranked = Choice.objects.select_related("question").order_by("-votes", "pk")
    choices = await ranked[:TOP_ANSWERS].all.a()
    return render(request, "polls/top.html", {"choices": choices})


async def guard(request: HttpRequest) -> HttpResponse:
    """A deliberate mistake, labelled on the page: `top_answers` without select_related.

    1 query, the choices. Reading `choice.question` then needs a query per choice,
    which async code must not run in the event loop's thread: multisync's guard
    raises `UnprefetchedRelatedModelAccessError` before the query is sent, and the
    page shows that error.
    """
    ranked = Choice.objects.order_by("-votes", "pk")
    choices = await ranked[:TOP_ANSWERS].all.a()
    try:
        questions = [choice.question.question_text for choice in choices]
    except UnprefetchedRelatedModelAccessError as error:
        context = {
            "error": error,
            "error_class": type(error).__name__,
            "is_django_error": isinstance(error, SynchronousOnlyOperation),
        }
        return render(request, "polls/guard.html", context)
    # Reached only when DJANGO_ALLOW_ASYNC_UNSAFE lets Django query in the event loop.
    return render(request, "polls/guard.html", {"questions": questions})
