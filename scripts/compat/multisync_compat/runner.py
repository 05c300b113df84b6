"""A Django test runner that writes the report of `reporting.write_report`.

A settings module names it in `TEST_RUNNER`, the documented way to choose the runner
of `django-admin test`; it runs Django's `DiscoverRunner` unchanged and reads the
outcomes from unittest's result object.
"""

from __future__ import annotations

from typing import Any

from django.test.runner import DiscoverRunner

from multisync_compat.reporting import write_report


class ReportingRunner(DiscoverRunner):
    """Django's runner, writing each failing test and what was installed."""

    def run_suite(self, suite: Any, **kwargs: Any) -> Any:
        """Run the suite, then write the report from its result."""
        result = super().run_suite(suite, **kwargs)
        failing: dict[str, str] = {}
        tracebacks: dict[str, str] = {}
        for kind, outcomes in (("FAIL", result.failures), ("ERROR", result.errors)):
            for test, traceback in outcomes:
                failing[reported_id(test)] = kind
                tracebacks[reported_id(test)] = traceback
        for test in result.unexpectedSuccesses:
            failing[reported_id(test)] = "UNEXPECTED SUCCESS"
        write_report(
            tests=result.testsRun,
            skipped=len(result.skipped) + len(result.expectedFailures),
            failing=failing,
            tracebacks=tracebacks,
        )
        return result


def reported_id(test: Any) -> str:
    """The test method's id; a failing subTest counts as its test."""
    return getattr(test, "test_case", test).id()
