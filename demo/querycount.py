"""Count the SQL queries of each request, whichever thread runs them.

An async view runs its queries in worker threads: every `.a()` and `await obj.a.<name>`
is a `sync_to_async` hop, and Django's ASGI handler gives each request its own
thread for those hops, with its own database connection. So the count cannot be
read off one connection, nor off the thread that runs the view.

What does follow the request everywhere is its context: `sync_to_async` runs each
hop in a copy of the caller's `contextvars` context. So:

1. `count_queries` (the outermost middleware) puts a fresh `QueryCounter` in a
   context variable for the request;
2. every database connection, when it opens, gets `_count_query` as an execute
   wrapper, which adds one to the counter of the context it runs in, if any;
3. `query_count` (a template context processor) hands the counter to templates, and
   the middleware copies the final count to the `X-Query-Count` response header.

The counter is a mutable object rather than an int in the variable because each hop
runs in a *copy* of the context: changes to the variable itself would not come back.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.backends.signals import connection_created
from django.utils.decorators import async_only_middleware

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.http import HttpRequest, HttpResponse

QUERY_COUNT_HEADER = "X-Query-Count"


@dataclass
class QueryCounter:
    """The number of SQL statements a request has run so far."""

    count: int = 0


_current_counter: ContextVar[QueryCounter | None] = ContextVar("query_counter", default=None)


def _count_query(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    """Execute wrapper: count the statement for the request running it, if any."""
    counter = _current_counter.get()
    if counter is not None:
        counter.count += 1
    return execute(sql, params, many, context)


def _watch_connection(connection: BaseDatabaseWrapper, **kwargs: Any) -> None:  # noqa: ARG001  # signal signature
    """Install the counting wrapper on a connection that has just opened.

    A wrapper object outlives reconnections, so it is installed only once.
    """
    if _count_query not in connection.execute_wrappers:
        connection.execute_wrappers.append(_count_query)


def watch_new_connections() -> None:
    """Make every connection opened from now on count its queries (idempotent)."""
    connection_created.connect(_watch_connection, dispatch_uid="demo.querycount")


@async_only_middleware
def count_queries(
    get_response: Callable[[HttpRequest], Awaitable[HttpResponse]],
) -> Callable[[HttpRequest], Awaitable[HttpResponse]]:
    """Middleware: count the queries of each request and report them in a header."""
    watch_new_connections()

    async def middleware(request: HttpRequest) -> HttpResponse:
        counter = QueryCounter()
        token = _current_counter.set(counter)
        request.query_counter = counter  # type: ignore[attr-defined]  # read by templates
        try:
            response = await get_response(request)
        finally:
            _current_counter.reset(token)
        response[QUERY_COUNT_HEADER] = str(counter.count)
        return response

    return middleware


def query_count(request: HttpRequest) -> dict[str, QueryCounter | None]:
    """Context processor: `query_counter`, read when the footer renders."""
    return {"query_counter": getattr(request, "query_counter", None)}
