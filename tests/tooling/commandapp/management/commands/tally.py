"""`tally QUESTION_ID [--top N]`: the votes of a question's choices, best first."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.management.base import CommandError

from multisync.django.commands import AsyncBaseCommand
from tests.testapp.models import Question

if TYPE_CHECKING:
    from argparse import ArgumentParser


class Command(AsyncBaseCommand):
    help = "Print the votes of a question's choices, best first."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("question_id", type=int)
        parser.add_argument("--top", type=int, help="Only the N best choices.")

    async def handle(self, **options: Any) -> str:  # type: ignore[override]
        top = options["top"]
        if top is not None and top < 1:
            msg = f"--top must be at least 1, not {top}."
            raise CommandError(msg)
        try:
            question = await Question.objects.aget(pk=options["question_id"])
        except Question.DoesNotExist:
            msg = f"Question {options['question_id']} does not exist."
            raise CommandError(msg) from None
        choices = sorted(await question.a.choice_set, key=lambda choice: -choice.votes)
        return "\n".join(f"{choice.votes} {choice.choice_text}" for choice in choices[:top])
