"""The JSON report of one test run: outcomes, and proof of what was installed."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import django
from django.apps import apps
from django.conf import settings

# "1": append "multisync" to INSTALLED_APPS; anything else: leave the project as it is.
INSTALL_VARIABLE = "MULTISYNC_COMPAT_INSTALL"
REPORT_VARIABLE = "MULTISYNC_COMPAT_REPORT"


def wants_multisync() -> bool:
    """Whether this run is the one with "multisync" in INSTALLED_APPS."""
    return os.environ.get(INSTALL_VARIABLE) == "1"


def count_guarded_descriptors() -> int:
    """Proof that multisync reached the models: how many descriptors it guards."""
    return sum(
        bool(getattr(type(attribute), "_multisync_guarded", False))
        for model in apps.get_models(include_auto_created=True)
        for attribute in vars(model).values()
    )


def environment_facts() -> dict[str, Any]:
    """What the run had installed, read from the app registry once the run is over."""
    ready = apps.ready
    return {
        "django": django.get_version(),
        "apps_ready": ready,
        "installed_apps": list(settings.INSTALLED_APPS) if settings.configured else [],
        "multisync_installed": ready and apps.is_installed("multisync"),
        "multisync_imported": "multisync" in sys.modules,
        "guarded_descriptors": count_guarded_descriptors() if ready else 0,
    }


def write_report(
    *, tests: int, skipped: int, failing: dict[str, str], tracebacks: dict[str, str]
) -> None:
    """Write the run's counts, failing tests and environment to the report file.

    `tests` counts every test that ran or was skipped, plus test modules that failed
    to import; `failing` maps a test id to FAIL or ERROR.
    """
    report = {
        **environment_facts(),
        "tests": tests,
        "skipped": skipped,
        "passed": tests - skipped - len(failing),
        "failing": failing,
        "tracebacks": tracebacks,
    }
    Path(os.environ[REPORT_VARIABLE]).write_text(json.dumps(report, indent=1))
