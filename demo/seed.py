"""The polls every demo database starts with, created idempotently."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from demo.polls.models import Question

# (question, its answers, how long ago it was published)
POLLS: tuple[tuple[str, tuple[str, ...], dt.timedelta], ...] = (
    (
        "Which spelling of an async save reads best?",
        ("await obj.save.a()", "await obj.save_async()", "await obj.asave()"),
        dt.timedelta(hours=2),
    ),
    (
        "Where should a view load its relations?",
        (
            "Up front, with select_related()",
            "When needed, with await obj.a.name",
            "Wherever the guard's error points",
        ),
        dt.timedelta(hours=20),
    ),
    (
        "What helps most while reading a long traceback?",
        ("Coffee", "Tea", "A walk around the block", "A rubber duck"),
        dt.timedelta(days=3),
    ),
    (
        "Which season suits a long walk best?",
        ("Spring", "Summer", "Autumn", "Winter"),
        dt.timedelta(days=12),
    ),
)


def seed_polls() -> int:
    """Create the polls and answers that are missing; return how many polls were new.

    Running it again changes nothing, votes included.
    """
    now = timezone.now()
    created_polls = 0
    for text, answers, age in POLLS:
        question, created = Question.objects.get_or_create(
            question_text=text, defaults={"pub_date": now - age}
        )
        created_polls += created
        for answer in answers:
            question.choice_set.get_or_create(choice_text=answer)
    return created_polls
