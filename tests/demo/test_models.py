"""The sync halves of the demo's model methods, which its async views do not call."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.demo.server import run_in_demo

if TYPE_CHECKING:
    from pathlib import Path

# Prints what each call returned, one per line, after the seeding message.
SYNC_CALLS = """
from demo.polls.models import Choice, Question
spring = Choice.objects.get(choice_text="Spring")
tea = Choice.objects.get(choice_text="Tea")
question = spring.question
print(question.record_vote(spring.pk), question.record_vote(spring.pk))
print(question.record_vote(tea.pk))
print(question.total_votes(), Choice.objects.get(pk=spring.pk).votes, tea.votes)
"""


def test_record_vote_sync_half_counts_only_its_own_choices(tmp_path: Path) -> None:
    """`question.record_vote()` adds a vote to its own choice and refuses another poll's."""
    lines = run_in_demo(tmp_path / "demo.sqlite3", SYNC_CALLS).splitlines()
    assert lines[1:] == ["True True", "False", "2 2 0"]
