"""A Django configured for benchmarks, on SQLite or PostgreSQL.

SQLite uses a file: code running in `sync_to_async`'s worker thread opens its own
connection, and an in-memory database would be empty there. Each database is created
fresh (as Django's test runner does) and destroyed at the end.
"""

from __future__ import annotations

import importlib.util
import socket
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import django
from django.conf import settings
from django.db.models import Model

if TYPE_CHECKING:
    from collections.abc import Iterator

DATABASES = {
    "sqlite": {"ENGINE": "django.db.backends.sqlite3"},
    "postgres": {
        "ENGINE": "django.db.backends.postgresql",
        "HOST": "127.0.0.1",
        "PORT": 5432,
        "USER": "postgres",
        "NAME": "multisync_bench",
        "CONN_MAX_AGE": None,
    },
    # Django's connection pool (5.1+, psycopg_pool): B6's connections come from it.
    "postgres-pool": {
        "ENGINE": "django.db.backends.postgresql",
        "HOST": "127.0.0.1",
        "PORT": 5432,
        "USER": "postgres",
        "NAME": "multisync_bench",
        "OPTIONS": {"pool": {"min_size": 1, "max_size": 10}},
    },
}


def pool_available() -> bool:
    """Whether Django has a connection pool (5.1+) and psycopg_pool is installed."""
    return django.VERSION >= (5, 1) and importlib.util.find_spec("psycopg_pool") is not None


def postgres_reachable() -> bool:
    """Whether PostgreSQL answers on 127.0.0.1:5432."""
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=2):
            return True
    except OSError:
        return False


# Django's own `Model.asave`, kept before installing multisync makes `asave` a spelling
# of its `save` pair: B2 compares against it.
DJANGO_ASAVE = Model.asave


def configure(backend: str, folder: Path) -> None:
    """Configure Django once for this process, with multisync installed."""
    database = dict(DATABASES[backend])
    if backend == "sqlite":
        # A file for the test database too: Django would otherwise use shared memory.
        database["NAME"] = str(folder / "bench.sqlite3")
        database["TEST"] = {"NAME": str(folder / "test_bench.sqlite3")}
    settings.configure(
        INSTALLED_APPS=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "multisync",
            "benchmarks.benchapp",
        ],
        DATABASES={"default": database},
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        USE_TZ=True,
    )
    django.setup()


@contextmanager
def database(backend: str) -> Iterator[None]:
    """A fresh, migrated database for the benchmarks of one backend."""
    from django.db import connection

    with tempfile.TemporaryDirectory() as folder:
        configure(backend, Path(folder))
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
        try:
            yield
        finally:
            close_pool = getattr(connection, "close_pool", None)  # PostgreSQL, Django 5.1+
            if close_pool is not None:
                close_pool()  # its idle connections would keep the database in use
            connection.creation.destroy_test_db(
                connection.settings_dict["NAME"], verbosity=0, keepdb=False
            )
