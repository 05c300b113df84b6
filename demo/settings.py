"""Settings of the polls demo.

Everything runs on one machine with no internet: an SQLite file under `demo/` or a
PostgreSQL server, static files served by WhiteNoise inside the ASGI app, no CDN.
`demo/run.py` passes its options on through these environment variables, which every
uvicorn worker process inherits:

- `MULTISYNC_DEMO_DB`: an SQLite file (default `demo/db.sqlite3`, git-ignored) or a
  `postgres://USER@HOST:PORT/NAME` URL.
- `MULTISYNC_DEMO_MAX_IN_FLIGHT`: requests each process handles at once (see
  `demo/inflight.py`); on PostgreSQL, also the size of each process's pool.
- `MULTISYNC_DEMO_DEBUG=1`: Django's debug pages.

And these, only to measure what the defaults are worth (docs/production.md):

- `MULTISYNC_DEMO_POOL=0`: no connection pool, even where Django has one.
- `MULTISYNC_DEMO_CONN_MAX_AGE`: Django's `CONN_MAX_AGE` (default 0).
- `MULTISYNC_DEMO_CONN_HEALTH_CHECKS=0`: no `CONN_HEALTH_CHECKS`.
- `MULTISYNC_DEMO_SQLITE_WAL=0`: SQLite's default rollback journal instead of WAL.
- `MULTISYNC_DEMO_SQLITE_TIMEOUT`: SQLite's busy timeout in seconds (default 30).
"""

from __future__ import annotations

import os
from pathlib import Path

from demo.database import (
    ROLLBACK_JOURNAL_PRAGMAS,
    SQLITE_BUSY_TIMEOUT,
    WAL_PRAGMAS,
    database_settings,
)

DEMO_DIR = Path(__file__).resolve().parent
# Requests in flight per process, and on PostgreSQL the connections of its pool.
DEFAULT_MAX_IN_FLIGHT = 10

# A demo served on 127.0.0.1 only; a real project reads its key from the environment.
SECRET_KEY = "multisync-demo-not-a-secret"  # noqa: S105
DEBUG = os.environ.get("MULTISYNC_DEMO_DEBUG") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.staticfiles",
    "multisync",
    "demo.polls",
]

MIDDLEWARE = [
    # Outermost, so that it counts every query of the request, middleware included.
    "demo.querycount.count_queries",
    "django.middleware.security.SecurityMiddleware",
    # Serves /static/ from the files found at start-up; any other path goes on to the
    # views, so `/static/../settings.py` is a plain 404.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "demo.urls"
ASGI_APPLICATION = "demo.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "demo.querycount.query_count",
            ],
        },
    },
]

DEMO_MAX_IN_FLIGHT = int(os.environ.get("MULTISYNC_DEMO_MAX_IN_FLIGHT", DEFAULT_MAX_IN_FLIGHT))
# A pool as large as the requests let in: none of them waits for a connection.
POOL_SIZE = DEMO_MAX_IN_FLIGHT or DEFAULT_MAX_IN_FLIGHT
# Each request runs its queries on a thread of its own, so on a connection of its own.
DATABASES = {
    "default": database_settings(
        os.environ.get("MULTISYNC_DEMO_DB", str(DEMO_DIR / "db.sqlite3")),
        pool_size=0 if os.environ.get("MULTISYNC_DEMO_POOL") == "0" else POOL_SIZE,
        busy_timeout=float(os.environ.get("MULTISYNC_DEMO_SQLITE_TIMEOUT", SQLITE_BUSY_TIMEOUT)),
    ),
}
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("MULTISYNC_DEMO_CONN_MAX_AGE", "0"))
# Test a kept connection before reuse: one the server dropped while it sat idle (in the
# pool, or kept by CONN_MAX_AGE) is replaced instead of failing the next request.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = (
    os.environ.get("MULTISYNC_DEMO_CONN_HEALTH_CHECKS") != "0"
)
# Run on every new SQLite connection (demo.database.tune_sqlite).
DEMO_SQLITE_PRAGMAS = (
    ROLLBACK_JOURNAL_PRAGMAS if os.environ.get("MULTISYNC_DEMO_SQLITE_WAL") == "0" else WAL_PRAGMAS
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en"

STATIC_URL = "static/"
# WhiteNoise finds the apps' static files itself at start-up: no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    # Server errors reach the terminal that runs the demo, even with DEBUG off.
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR"}},
}
