"""A Django configured for benchmarks, on SQLite or PostgreSQL.

SQLite uses a file: code running in `sync_to_async`'s worker thread opens its own
connection, and an in-memory database would be empty there. Each database is created
fresh (as Django's test runner does) and destroyed at the end.
"""

from __future__ import annotations

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
}


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
            connection.creation.destroy_test_db(
                connection.settings_dict["NAME"], verbosity=0, keepdb=False
            )
