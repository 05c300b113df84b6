"""Django settings for the test suite; `MULTISYNC_TEST_DB` picks the database."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

SECRET_KEY = "multisync-tests"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "taggit",
    "multisync",
    "tests.testapp",
    "tests.thirdparty",
]

_ENGINES = {
    # The test database is a file, not shared memory: concurrent transactions on their
    # own connections (multisync.django.atomic) wait for SQLite's write lock there,
    # where a shared-cache memory database fails at once ("database table is locked").
    "sqlite": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": ":memory:",
        "TEST": {
            "NAME": str(Path(tempfile.gettempdir()) / f"multisync-tests-{os.getpid()}.sqlite3")
        },
    },
    "postgres": {
        "ENGINE": "django.db.backends.postgresql",
        "HOST": "127.0.0.1",
        "PORT": 5432,
        "USER": "postgres",
        "NAME": "test",
    },
    "mariadb": {
        "ENGINE": "django.db.backends.mysql",
        "HOST": "127.0.0.1",
        "PORT": 3306,
        "USER": "root",
        "PASSWORD": "",
        "NAME": "test",
        "OPTIONS": {"charset": "utf8mb4"},
    },
}
DATABASES = {
    "default": _ENGINES[os.environ.get("MULTISYNC_TEST_DB", "sqlite")],
    # A second database, for batches that must never mix aliases.
    "other": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"},
}
