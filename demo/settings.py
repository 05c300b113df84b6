"""Settings of the polls demo.

Everything runs on one machine with no internet: an SQLite file under `demo/`, static
files served by the ASGI app itself, no CDN. The environment variables below exist for
the tests, which run the demo on a temporary database:

- `MULTISYNC_DEMO_DB`: the SQLite file (default `demo/db.sqlite3`, git-ignored).
- `MULTISYNC_DEMO_DEBUG=1`: Django's debug pages.
"""

from __future__ import annotations

import os
from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent

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

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("MULTISYNC_DEMO_DB", str(DEMO_DIR / "db.sqlite3")),
        # Each request runs its queries on its own thread, so on its own connection:
        # concurrent votes wait for SQLite's write lock instead of failing at once.
        "OPTIONS": {"timeout": 20},
    },
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en"

STATIC_URL = "static/"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    # Server errors reach the terminal that runs the demo, even with DEBUG off.
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR"}},
}
