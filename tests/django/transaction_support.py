"""Support for tests/django/test_transactions.py: a real event loop, the naive bridge, probes.

`run()` runs a coroutine as an ASGI server runs code: in a fresh event loop, with no
outer `async_to_sync`, so thread-sensitive calls outside any block go to asgiref's
global worker thread. `NaiveAtomic` is the bridge that research/internals.md section 5
shows to be unsafe, kept as the control that the failure-mode tests run against. The
probes look at the database from another connection: open transactions, connections.
"""

from __future__ import annotations

import asyncio
import contextvars
import sqlite3
import threading
import time
from typing import TYPE_CHECKING, Any, Self, TypeVar

from asgiref.sync import sync_to_async
from django.db import connection, connections, transaction
from django.db.backends.signals import connection_created

from tests.testapp.models import Question

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine
    from contextlib import AbstractAsyncContextManager
    from types import TracebackType

    from django.db.backends.base.base import BaseDatabaseWrapper

    Bridge = Callable[[], AbstractAsyncContextManager[Any]]

T = TypeVar("T")

# Long enough for any scenario here; a deadlock fails the test instead of the suite.
LOOP_TIMEOUT = 30.0


def run(main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run `main()` in a fresh event loop in this thread, then close the loop's connections.

    Bystanders' calls run on asgiref's global worker thread; its connection is closed at
    the end, so that the next test (and the test database's teardown) find none open.
    """

    async def session() -> T:
        try:
            async with asyncio.timeout(LOOP_TIMEOUT):
                return await main()
        finally:
            await sync_to_async(connections.close_all)()

    return asyncio.run(session())


async def as_bystander(work: Coroutine[Any, Any, T]) -> T:
    """Await `work` in a task that did not start inside any block, wherever it is awaited."""
    return await asyncio.get_running_loop().create_task(work, context=contextvars.Context())


def settled(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Wait until `condition()` holds, for work that other threads finish (sync)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


class NaiveAtomic:
    """The naive bridge: Django's `atomic()` entered and exited in `sync_to_async` hops."""

    def __init__(self) -> None:
        self._atomic = transaction.atomic()

    async def __aenter__(self) -> None:
        await sync_to_async(self._atomic.__enter__)()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await sync_to_async(self._atomic.__exit__)(exc_type, exc_value, traceback)


def texts() -> list[str]:
    """The question texts in the database, sorted (sync)."""
    return sorted(Question.objects.values_list("question_text", flat=True))


async def atexts() -> list[str]:
    """The question texts, as the calling code's connection sees them."""
    return await sync_to_async(texts)()


async def create(text: str) -> None:
    """Create a question in the calling task's connection (Django's `acreate`)."""
    await Question.objects.acreate(question_text=text)


def connection_identity() -> tuple[str, int]:
    """The thread and the connection object the calling sync code uses."""
    wrapper = connections["default"]
    wrapper.ensure_connection()
    return threading.current_thread().name, id(wrapper.connection)


def open_transactions() -> int:
    """How many transactions other connections hold open on the test database (sync).

    SQLite has no such view: a transaction that wrote holds the write lock, so the
    count is 1 when an immediate transaction cannot start at once.
    """
    if connection.vendor == "sqlite":
        probe = sqlite3.connect(connection.settings_dict["NAME"], timeout=0)
        try:
            probe.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return 1
        else:
            probe.execute("ROLLBACK")
            return 0
        finally:
            probe.close()
    sql = {
        "postgresql": (
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%%'"
        ),
        "mysql": (
            "SELECT count(*) FROM information_schema.innodb_trx "
            "WHERE trx_mysql_thread_id <> CONNECTION_ID()"
        ),
    }[connection.vendor]
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return int(cursor.fetchone()[0])


def open_connections() -> int | None:
    """How many other connections the test database has (None on SQLite, sync)."""
    sql = {
        "postgresql": (
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        ),
        "mysql": (
            "SELECT count(*) FROM information_schema.processlist "
            "WHERE db = DATABASE() AND id <> CONNECTION_ID()"
        ),
    }.get(connection.vendor)
    if sql is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return int(cursor.fetchone()[0])


class WorkerConnections:
    """The connections that `atomic`'s worker threads open, while it listens."""

    def __init__(self) -> None:
        self.opened: dict[int, BaseDatabaseWrapper] = {}

    def __enter__(self) -> Self:
        connection_created.connect(self._created)
        return self

    def __exit__(self, *exc_info: object) -> None:
        connection_created.disconnect(self._created)

    def _created(self, connection: BaseDatabaseWrapper, **_: Any) -> None:
        if threading.current_thread().name.startswith("multisync-atomic-"):
            self.opened[id(connection)] = connection

    def still_open(self) -> list[str]:
        """The aliases of worker connections that are open now."""
        return [wrapper.alias for wrapper in self.opened.values() if wrapper.connection is not None]
