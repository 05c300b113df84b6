"""Requests sent at once: votes all count, identical suggestions make one answer."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from tests.demo.client import get, send, send_at_once

if TYPE_CHECKING:
    from tests.demo.server import DemoServer

CONCURRENT_VOTES = 50
CONCURRENT_SUGGESTIONS = 40
QUESTION = "Where should a view load its relations?"
ANSWER = "When needed, with await obj.a.name"


async def test_vote_concurrent_posts_all_count(demo: DemoServer) -> None:
    """Fifty votes sent at once for one choice add exactly fifty votes."""
    question_id = demo.question_id(QUESTION)
    choice_id = demo.choice_id(question_id, ANSWER)
    before = demo.votes(choice_id)
    form = (await send(demo.port, get(f"/polls/{question_id}/"))).form()
    vote = form.post(f"/polls/{question_id}/vote/", {"choice": str(choice_id)})

    responses = await send_at_once(demo.port, [vote] * CONCURRENT_VOTES)

    assert [response.status for response in responses] == [302] * CONCURRENT_VOTES
    assert demo.votes(choice_id) == before + CONCURRENT_VOTES
    results = demo.get(f"/polls/{question_id}/results/").text
    assert f"{before + CONCURRENT_VOTES} votes" in results


async def test_suggest_identical_answers_at_once_saves_one(demo: DemoServer) -> None:
    """Forty identical suggestions sent at once save one answer; the others get a 400."""
    question_id = demo.question_id(QUESTION)
    form = (await send(demo.port, get(f"/polls/{question_id}/"))).form()
    text = "Whenever the tests pass"
    suggestion = form.post(f"/polls/{question_id}/suggest/", {"choice_text": text})

    responses = await send_at_once(demo.port, [suggestion] * CONCURRENT_SUGGESTIONS)

    statuses = Counter(response.status for response in responses)
    assert statuses == {302: 1, 400: CONCURRENT_SUGGESTIONS - 1}
    refused = next(response.text for response in responses if response.status == 400)
    assert "Choice with this Question and Choice text already exists." in refused
    where = "question_id = %s AND choice_text = %s"
    assert demo.count("polls_choice", where, question_id, text) == 1
