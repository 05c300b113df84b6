"""A pytest plugin that installs "multisync" the way a project does, and reports the run.

Loaded with `-p multisync_compat.pytest_plugin`. With `MULTISYNC_COMPAT_INSTALL=1`,
it appends `"multisync"` to `settings.INSTALLED_APPS` just before `django.setup()`
runs, whoever calls it: a project's conftest right after its `settings.configure()`
(Django REST framework's), or pytest-django for `--ds`. Nothing in the project
changes, and multisync's `ready()` runs where a project's would.

At the end of the session it writes the report of `reporting.write_report`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import django
from django.conf import settings

from multisync_compat.reporting import wants_multisync, write_report

if TYPE_CHECKING:
    import pytest

_django_setup = django.setup


def setup_with_multisync(*args: Any, **kwargs: Any) -> None:
    """`django.setup()`, with "multisync" appended to INSTALLED_APPS first."""
    if "multisync" not in settings.INSTALLED_APPS:
        settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "multisync"]
    _django_setup(*args, **kwargs)


if wants_multisync():
    django.setup = setup_with_multisync


class Outcomes:
    """Each test's outcome, from pytest's reports of its phases and of collection."""

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.skipped: set[str] = set()
        self.failing: dict[str, str] = {}
        self.tracebacks: dict[str, str] = {}

    def record_failure(self, nodeid: str, kind: str, text: str) -> None:
        """Note a failing phase; the first one's traceback is kept."""
        self.failing.setdefault(nodeid, kind)
        self.tracebacks.setdefault(nodeid, text)

    def write(self) -> None:
        """Write the report; a module that failed to import counts as one failing test."""
        tests = self.seen | set(self.failing)
        write_report(
            tests=len(tests),
            skipped=len(self.skipped - set(self.failing)),
            failing=self.failing,
            tracebacks=self.tracebacks,
        )


OUTCOMES = Outcomes()


def pytest_collectreport(report: pytest.CollectReport) -> None:
    """A test module that cannot be imported is a failure of the run."""
    if report.failed:
        OUTCOMES.record_failure(report.nodeid, "ERROR", report.longreprtext)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Note each phase of each test: setup, call (and subtests), teardown."""
    OUTCOMES.seen.add(report.nodeid)
    if report.failed:
        kind = "FAIL" if report.when == "call" else "ERROR"
        OUTCOMES.record_failure(report.nodeid, kind, report.longreprtext)
    elif report.skipped:
        OUTCOMES.skipped.add(report.nodeid)


def pytest_sessionfinish() -> None:
    """Write the report once every test has run."""
    OUTCOMES.write()
