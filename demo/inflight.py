"""A cap on the requests that one server process handles at once; the others queue.

Django's ASGI handler gives each request a thread of its own for the request's
synchronous work, its database queries included, and each thread opens a database
connection of its own. So a process holds as many connections as it has requests in
flight: a burst of 1,000 requests asks PostgreSQL for 1,000 connections, and SQLite
sees 1,000 writers queueing for one lock.

`InFlightLimit` wraps the ASGI application and lets at most `limit` requests into it
at a time. The others wait in the event loop, where waiting costs no thread and no
connection, in the order they arrived. Unlike uvicorn's `--limit-concurrency`, which
answers 503 past its limit, nothing is refused.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, MutableMapping

    Scope = MutableMapping[str, Any]
    Message = MutableMapping[str, Any]
    Receive = Callable[[], Awaitable[Message]]
    Send = Callable[[Message], Awaitable[None]]
    ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class InFlightLimit:
    """ASGI middleware: at most `limit` HTTP requests in `app` at once (0: no limit).

    The semaphore is made on the first request, inside the event loop that serves it.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit
        self._slots: asyncio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run `app` for this request once fewer than `limit` others are in it."""
        if self.limit <= 0 or scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.limit)
        async with self._slots:
            await self.app(scope, receive, send)
