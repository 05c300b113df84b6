"""The demo's database: an SQLite file by default, or PostgreSQL from a URL.

`demo/run.py --database` takes either; `database_settings()` turns it into the
`DATABASES["default"]` entry, and `tune_sqlite` sets up every new SQLite connection.

Django's ASGI handler runs the queries of each request in a thread of the request's
own, so every request in flight holds a connection of its own. What that means for
each database, and the figures behind the choices below, is in docs/production.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import django
from django.conf import settings
from django.db.backends.signals import connection_created

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper

POSTGRES_SCHEMES = ("postgres", "postgresql")
POSTGRES_PORT = 5432
# Django's connection pool (`OPTIONS["pool"]`) came with Django 5.1.
HAS_POOL = django.VERSION >= (5, 1)

# How long a query waits for SQLite's write lock before failing with "database is
# locked", in seconds: sqlite3.connect(timeout=...), which sets SQLite's busy timeout.
SQLITE_BUSY_TIMEOUT = 30
# Run on each new SQLite connection. WAL lets readers go on while one writer writes,
# and with synchronous=NORMAL a commit no longer waits for the disk (a power cut may
# lose the last commits, never corrupt the file).
WAL_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL")
# SQLite's own default, for comparison (docs/production.md): a rollback journal.
ROLLBACK_JOURNAL_PRAGMAS = ("PRAGMA journal_mode=DELETE",)


def is_postgres_url(target: str) -> bool:
    """Whether `--database` names a PostgreSQL server rather than an SQLite file."""
    return urlsplit(target).scheme in POSTGRES_SCHEMES


def database_settings(
    target: str, *, pool_size: int, busy_timeout: float = SQLITE_BUSY_TIMEOUT
) -> dict[str, Any]:
    """The `DATABASES["default"]` entry for an SQLite path or a `postgres://` URL.

    `pool_size` caps the PostgreSQL connections of one process where Django has a
    pool (0: no pool); `busy_timeout` is SQLite's wait for its write lock.
    """
    if is_postgres_url(target):
        return postgres_settings(target, pool_size=pool_size if HAS_POOL else 0)
    return sqlite_settings(target, busy_timeout=busy_timeout)


def sqlite_settings(path: str, *, busy_timeout: float = SQLITE_BUSY_TIMEOUT) -> dict[str, Any]:
    """An SQLite file, waiting up to `busy_timeout` seconds for its write lock."""
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": {"timeout": busy_timeout},
    }


def postgres_settings(url: str, *, pool_size: int) -> dict[str, Any]:
    """A PostgreSQL database from `postgres://USER[:PASSWORD]@HOST[:PORT]/NAME`.

    With `pool_size` above zero, Django's pool (psycopg_pool) keeps up to that many
    connections per process, and a request that finds them all taken waits for one.
    """
    parts = urlsplit(url)
    name = unquote(parts.path.lstrip("/"))
    if not name:
        msg = f"{url!r} names no database: use postgres://USER@HOST:PORT/NAME"
        raise ValueError(msg)
    settings: dict[str, Any] = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": parts.port or POSTGRES_PORT,
    }
    if pool_size > 0:
        settings["OPTIONS"] = {"pool": {"min_size": 1, "max_size": pool_size}}
    return settings


def tune_sqlite(connection: BaseDatabaseWrapper, **kwargs: Any) -> None:  # noqa: ARG001  # signal signature
    """`connection_created` receiver: run `settings.DEMO_SQLITE_PRAGMAS` on SQLite.

    A signal rather than `OPTIONS["init_command"]`, which SQLite has only since
    Django 5.1. The statements go to the driver's connection directly, so that the
    query counts of the pages (demo/querycount.py) leave them out.
    """
    if connection.vendor != "sqlite":
        return
    for pragma in settings.DEMO_SQLITE_PRAGMAS:
        connection.connection.execute(pragma)


def watch_sqlite_connections() -> None:
    """Run `tune_sqlite` on every database connection opened from now on (idempotent)."""
    connection_created.connect(tune_sqlite, dispatch_uid="demo.database.tune_sqlite")
