"""Settings for the subprocesses that the tooling tests start.

The suite's own settings, plus `tests.tooling.commandapp` (example async commands),
on the database named by `MULTISYNC_TOOLING_DB_NAME`: a copy of the test database for
SQLite, the test database itself for PostgreSQL and MariaDB.
"""

from __future__ import annotations

import os
from typing import Any, cast

from tests.settings import *  # noqa: F403
from tests.settings import DATABASES, INSTALLED_APPS

# Without django-taggit, whose `Tag` would take the name of testapp's `Tag` among the
# models that `ashell` imports.
_LEFT_OUT = {"taggit", "tests.thirdparty"}
INSTALLED_APPS = [
    *(app for app in INSTALLED_APPS if app not in _LEFT_OUT),
    "tests.tooling.commandapp",
]

if "MULTISYNC_TOOLING_DB_NAME" in os.environ:
    DATABASES = {
        **DATABASES,
        "default": {
            **cast("dict[str, Any]", DATABASES["default"]),
            "NAME": os.environ["MULTISYNC_TOOLING_DB_NAME"],
        },
    }
