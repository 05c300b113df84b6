"""Count the queries of a block of code, whichever threads run them.

Django's `assertNumQueries` and `CaptureQueriesContext` read one connection: the one of
the thread that enters them. Async code runs its queries elsewhere: every `.a()`,
`aget()` or `await obj.a.<name>` is a `sync_to_async` hop, and the hop's thread (the
test's thread under Django's `TestCase`, a per-request thread under ASGI, one global
thread in a script or under pytest-asyncio) has a connection of its own.

What follows the block into every hop is its context: asgiref runs each hop in a copy
of the caller's `contextvars` context, and so do `asyncio` tasks and
`asyncio.to_thread`. So:

1. entering a block puts its `CapturedQueries` in a context variable, and leaving it
   takes it out again;
2. every connection object of the process carries one execute wrapper,
   `_record_query`, which hands each query to the blocks that are active in the
   context the query runs in, if they watch that connection's alias.

Entering and leaving touch no connection at all, so they are as safe in the event
loop's thread as anywhere. Queries that a connection runs for itself (session set-up
while it opens, MariaDB's server settings on first use) are left out: Django's own
assertion never sees them either, as it runs on a connection already in use.
"""

from __future__ import annotations

import gc
import inspect
import sys
import threading
import time
from contextvars import ContextVar, Token
from typing import TYPE_CHECKING, Any, Self

from django.db import DEFAULT_DB_ALIAS
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.utils.functional import cached_property

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from types import FrameType, TracebackType

__all__ = [
    "AssertNumQueries",
    "CapturedQueries",
    "QueryAssertions",
    "assert_num_queries",
    "capture_queries",
]

# The blocks the running code is inside, innermost last.
_active_blocks: ContextVar[tuple[CapturedQueries, ...]] = ContextVar(
    "multisync_captured_queries", default=()
)


class CapturedQueries:
    """The queries that the code inside a block runs on one database.

    Returned by `capture_queries()`; use it with `async with` or `with`. Like Django's
    `CaptureQueriesContext`, it has `captured_queries` (a list of
    `{"sql": ..., "time": ...}` dicts), `len()`, indexing and iteration. Queries that
    run after the block ends, in tasks it started, are not added.

    !!! note "Added in 0.1"
    """

    def __init__(self, *, using: str = DEFAULT_DB_ALIAS) -> None:
        self.using = using
        self.captured_queries: list[dict[str, str]] = []
        self._token: Token[tuple[CapturedQueries, ...]] | None = None
        watch_all_connections()

    @property
    def is_open(self) -> bool:
        """Whether the block is running, so that its queries are being captured."""
        return self._token is not None

    def __len__(self) -> int:
        return len(self.captured_queries)

    def __iter__(self) -> Iterator[dict[str, str]]:
        return iter(self.captured_queries)

    def __getitem__(self, index: int) -> dict[str, str]:
        return self.captured_queries[index]

    def __enter__(self) -> Self:
        if self._token is not None:
            msg = f"{self!r} is already open; use a new one for a nested block"
            raise RuntimeError(msg)
        self.captured_queries = []
        self._token = _active_blocks.set((*_active_blocks.get(), self))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._token is not None:
            _active_blocks.reset(self._token)
            self._token = None

    async def __aenter__(self) -> Self:
        return self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.__exit__(exc_type, exc_value, traceback)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} using={self.using!r}: {len(self)} queries>"


class AssertNumQueries(CapturedQueries):
    """A block that must run exactly `expected` queries on one database.

    Returned by `assert_num_queries()`. When the block ends without an exception and
    the count differs, it raises `AssertionError` with Django's `assertNumQueries`
    message. When the block raises, that exception goes through unchanged and nothing
    is asserted.

    !!! note "Added in 0.1"
    """

    def __init__(self, expected: int, *, using: str = DEFAULT_DB_ALIAS) -> None:
        super().__init__(using=using)
        self.expected = expected

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        super().__exit__(exc_type, exc_value, traceback)
        if exc_type is None and len(self) != self.expected:
            raise AssertionError(self.failure_message())

    def failure_message(self) -> str:
        """The message of a failed assertion, in the words of Django's `assertNumQueries`."""
        listing = "\n".join(
            f"{number}. {query['sql']}" for number, query in enumerate(self, start=1)
        )
        return (
            f"{len(self)} queries executed, {self.expected} expected\n"
            f"Captured queries were:\n{listing}"
        )


def capture_queries(*, using: str = DEFAULT_DB_ALIAS) -> CapturedQueries:
    """Capture the queries that the code inside the block runs on the `using` database.

    The code's queries are captured whichever thread runs them: the event loop's, the
    thread of `sync_to_async` hops, `asyncio.to_thread` workers. Queries of other code
    running at the same time (another task, another request) are not.

    ```py
    async with capture_queries() as captured:
        await Question.objects.aget(pk=1)
    assert len(captured) == 1
    print(captured[0]["sql"])
    ```

    Args:
        using: The database alias to watch, as in Django's `assertNumQueries`.

    !!! note "Added in 0.1"
    """
    return CapturedQueries(using=using)


def assert_num_queries(expected: int, *, using: str = DEFAULT_DB_ALIAS) -> AssertNumQueries:
    """Assert that the code inside the block runs exactly `expected` queries.

    Counts like `capture_queries()`, and fails like Django's `assertNumQueries`:

    ```text
    AssertionError: 2 queries executed, 1 expected
    Captured queries were:
    1. SELECT ...
    2. SELECT ...
    ```

    Args:
        expected: The number of queries the block must run.
        using: The database alias to count on.

    !!! note "Added in 0.1"
    """
    return AssertNumQueries(expected, using=using)


class QueryAssertions:
    """What the `multisync_queries` pytest fixture gives a test.

    `multisync_queries.expect(n)` is `assert_num_queries(n)` and
    `multisync_queries.capture()` is `capture_queries()`, with `using` as they take it.

    !!! note "Added in 0.1"
    """

    def expect(self, expected: int, *, using: str = DEFAULT_DB_ALIAS) -> AssertNumQueries:
        """Assert that the block runs exactly `expected` queries on `using`."""
        return assert_num_queries(expected, using=using)

    def capture(self, *, using: str = DEFAULT_DB_ALIAS) -> CapturedQueries:
        """Capture the queries that the block runs on `using`."""
        return capture_queries(using=using)


# --- the recorder on every connection ------------------------------------------------

_install_lock = threading.Lock()
_watching = threading.Event()

# Code that runs queries for the connection itself, not for the code using it: opening it
# (`connect()` runs `init_connection_state()`), and filling one of its cached properties
# (MySQL and MariaDB read their server's settings on a connection's first use).
_CONNECT_CODE = inspect.unwrap(BaseDatabaseWrapper.connect).__code__
_CACHED_PROPERTY_CODE = cached_property.__get__.__code__


def watch_all_connections() -> None:
    """Put the recorder on every connection object of the process, now and later (once).

    Django keeps each thread's connections in storage that other threads cannot list,
    and the connections that hops use were often opened before any block is entered
    (in the test's thread, in asgiref's worker thread). So the first call walks the
    garbage collector's objects once to find those, and `connection_created` covers
    every connection opened afterwards, in any thread.
    """
    if _watching.is_set():
        return
    with _install_lock:
        if _watching.is_set():
            return
        connection_created.connect(_on_connection_created, dispatch_uid="multisync.testing")
        for candidate in gc.get_objects():
            # type(), not isinstance(): that would read `__class__`, which sets up
            # Django's lazy objects (and may query) when it meets one.
            is_wrapper = issubclass(type(candidate), BaseDatabaseWrapper)
            if is_wrapper and candidate.connection is not None:
                _watch(candidate)
        _watching.set()


def _on_connection_created(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:  # noqa: ARG001  # signal signature
    with _install_lock:
        _watch(connection)


def _watch(wrapper: BaseDatabaseWrapper) -> None:
    """Give the connection object the recorder, once (call it with the lock held)."""
    if _record_query not in wrapper.execute_wrappers:
        # First in the list, so that it wraps the others: Django's own
        # `execute_wrapper()` blocks pop the last wrapper when they end, which must
        # stay theirs even when a connection opens inside such a block.
        wrapper.execute_wrappers.insert(0, _record_query)


def _record_query(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    """Execute wrapper: hand the query to the blocks that are active where it runs."""
    blocks = _active_blocks.get()
    if not blocks:  # the common case, outside any block: one lookup
        return execute(sql, params, many, context)
    wrapper: BaseDatabaseWrapper = context["connection"]
    listening = [b for b in blocks if b.is_open and b.using == wrapper.alias]
    if not listening or _runs_for_the_connection(wrapper):
        return execute(sql, params, many, context)
    start = time.monotonic()
    try:
        return execute(sql, params, many, context)
    finally:
        query = {
            "sql": _logged_sql(wrapper, context["cursor"], sql, params, many),
            "time": f"{time.monotonic() - start:.3f}",
        }
        for block in listening:
            block.captured_queries.append(query)


def _runs_for_the_connection(wrapper: BaseDatabaseWrapper) -> bool:
    """Whether the query is the connection's own: opening it, or learning about its server.

    Django's `assertNumQueries` connects before it starts counting and runs on a
    connection that has long been in use, so it never sees these; counting them would
    make a count depend on whether the thread's connection is new. The stack says which
    code runs the query: this walk happens only for queries inside a block.
    """
    owners = (wrapper, wrapper.features)
    frame: FrameType | None = sys._getframe(2)  # the caller of `_record_query`
    while frame is not None:
        code = frame.f_code
        if code is _CONNECT_CODE and frame.f_locals.get("self") is wrapper:
            return True
        if code is _CACHED_PROPERTY_CODE and any(
            frame.f_locals.get("instance") is owner for owner in owners
        ):
            return True
        frame = frame.f_back
    return False


def _logged_sql(
    wrapper: BaseDatabaseWrapper, cursor: Any, sql: str, params: Any, many: bool
) -> str:
    """The SQL as Django's query log shows it: with parameters, or counted for `many`."""
    if not many:
        return str(wrapper.ops.last_executed_query(cursor.cursor, sql, params))
    try:
        times: int | str = len(params)
    except TypeError:  # an iterator of parameter sets
        times = "?"
    return f"{times} times: {sql}"
