"""Close the database connections that a piece of async code opened, in every thread.

An async command or shell session queries from several threads: the thread its
`sync_to_async` hops run on, the event loop's own thread (with
`DJANGO_ALLOW_ASYNC_UNSAFE`), and the workers of `thread_sensitive=False` hops and
`asyncio.to_thread`. Each thread has its own connection, and Django closes only the
main thread's when a command ends.

`connection_created` is sent in the thread that opens a connection, in the context of
the code that opened it, and asgiref, `asyncio` tasks and `asyncio.to_thread` carry
the caller's context into every hop. So a context variable tells which connections the
code opened; connections that were open before (the test's own, inside a `TestCase`)
are left alone.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from django.db import connections
from django.db.backends.signals import connection_created

if TYPE_CHECKING:
    from collections.abc import Iterator

    from django.db.backends.base.base import BaseDatabaseWrapper

__all__ = ["closing_opened_connections"]

_opened_here: ContextVar[list[BaseDatabaseWrapper] | None] = ContextVar(
    "multisync_opened_connections", default=None
)


def _note_opened_connection(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:  # noqa: ARG001  # signal signature
    opened = _opened_here.get()
    if opened is not None:
        opened.append(connection)


connection_created.connect(_note_opened_connection, dispatch_uid="multisync.commands")


@contextmanager
def closing_opened_connections() -> Iterator[None]:
    """Close, when the block ends, every connection that the code inside opened.

    Call it in a thread with no running event loop, and end it once the code's
    threads are idle (its event loop has finished, or stopped running it).
    """
    opened: list[BaseDatabaseWrapper] = []
    token = _opened_here.set(opened)
    try:
        yield
    finally:
        _opened_here.reset(token)
        for wrapper in dict.fromkeys(opened):  # a connection may reopen: once each
            _close(wrapper)


def _close(wrapper: BaseDatabaseWrapper) -> None:
    """Close a connection from this thread, whichever thread it belongs to.

    Django lets a connection be closed only by its own thread unless it is marked as
    shared; the threads that used these are idle now, so sharing them for the call is
    safe, and it is the only way to reach a worker thread that asgiref keeps.
    """
    if connections[wrapper.alias] is wrapper:
        wrapper.close()
        return
    wrapper.inc_thread_sharing()
    try:
        wrapper.close()
    finally:
        wrapper.dec_thread_sharing()
