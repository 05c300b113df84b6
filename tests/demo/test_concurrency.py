"""Concurrent votes all count: the demo adds them with one `F("votes") + 1` UPDATE each."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING
from urllib.parse import urlencode

if TYPE_CHECKING:
    from tests.demo.server import DemoServer

CONCURRENT_VOTES = 50
QUESTION = "Where should a view load its relations?"
ANSWER = "When needed, with await obj.a.name"


async def post_form_raw(port: int, path: str, form: dict[str, str], cookie: str) -> int:
    """POST a form on a connection of its own and return the response status.

    Raw asyncio streams, so that every request is in flight at once: a thread pool
    would send only a few at a time.
    """
    body = urlencode(form)
    request = (
        f"POST {path} HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n"
        f"Cookie: {cookie}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n"
        f"\r\n{body}"
    )
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request.encode())
        await writer.drain()
        status_line = await reader.readline()
        await reader.read()  # the rest, until the server closes
    finally:
        writer.close()
        await writer.wait_closed()
    return int(status_line.split()[1])


async def test_vote_concurrent_posts_all_count(demo: DemoServer) -> None:
    """Fifty votes sent at once for one choice add exactly fifty votes."""
    question_id = demo.question_id(QUESTION)
    choice_id = demo.choice_id(question_id, ANSWER)
    before = demo.votes(choice_id)
    cookie, token = demo.csrf(f"/polls/{question_id}/")
    form = {"csrfmiddlewaretoken": token, "choice": str(choice_id)}
    path = f"/polls/{question_id}/vote/"

    statuses = await asyncio.gather(
        *(post_form_raw(demo.port, path, form, cookie) for _ in range(CONCURRENT_VOTES))
    )

    assert statuses == [302] * CONCURRENT_VOTES
    assert demo.votes(choice_id) == before + CONCURRENT_VOTES
    results = demo.get(f"/polls/{question_id}/results/").text
    assert f"{before + CONCURRENT_VOTES} votes" in results
