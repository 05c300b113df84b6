"""`assert_num_queries` and `capture_queries` in Django `TestCase` async test methods.

Django runs `async def` test methods under `async_to_sync`, so hops come back to the
test's thread and share its transaction: the assertions count them there.
"""

from __future__ import annotations

from typing import ClassVar

import pytest
from django.test import TestCase

from multisync.test import assert_num_queries, capture_queries
from tests.testapp.models import Choice, Question


class QueryAssertionsInTestCase(TestCase):
    question: ClassVar[Question]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.question = Question.objects.create(question_text="What's new?")
        Choice.objects.create(question=cls.question, choice_text="Not much")

    async def test_assert_num_queries_counts_relation_load(self) -> None:
        """Loading a relation with `await obj.a.<name>` is one counted query."""
        choice = await Choice.objects.aget(choice_text="Not much")
        async with assert_num_queries(1):
            question = await choice.a.question
        assert question.pk == self.question.pk

    async def test_assert_num_queries_wrong_count_fails(self) -> None:
        """A wrong count fails with Django's "executed, expected" message."""
        with pytest.raises(AssertionError) as failure:
            async with assert_num_queries(0):
                await Question.objects.acount()
        message = str(failure.value)
        assert message.startswith("1 queries executed, 0 expected\nCaptured queries were:\n1. ")
        assert "SELECT COUNT(*)" in message

    async def test_capture_queries_sees_test_data(self) -> None:
        """The captured query ran in the test's transaction: it sees setUpTestData."""
        async with capture_queries() as captured:
            count = await Question.objects.acount()
        assert (count, len(captured)) == (1, 1)

    def test_assert_num_queries_in_sync_method(self) -> None:
        """Sync test methods use the same assertion with a plain `with`."""
        with assert_num_queries(1):
            Question.objects.get(pk=self.question.pk)
