"""Run Django's own relation-heavy test suites with multisync active.

The issue's promise: with the app installed, Django's own suites still pass, apart from
tests that assert a descriptor's exact `type()`. This script checks it against the
Django installed in the running interpreter's environment:

1. download that exact Django sdist (cached in `.cache/django-sdist/<version>/`); the
   wheel has no tests, every sdist has them;
2. unpack its `tests/` folder into a temporary directory, never into the repository;
3. run Django's `runtests.py` there with a generated settings module that activates
   multisync;
4. compare the failing tests with `EXPECTED_FAILURES`, both ways.

Usage: scripts/django_suites.py [label ...]   (default: every label in `LABELS`)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
SDIST_CACHE = ROOT / ".cache" / "django-sdist"

# Django's test apps where relations, descriptors, deferred fields and model methods are
# exercised hardest, plus `async` (Django's own async ORM tests) and `auth_tests`
# (contrib models seen as third-party ones). A label missing from a version is skipped.
LABELS = (
    "async",
    "generic_relations",
    "prefetch_related",
    "many_to_one",
    "one_to_one",
    "many_to_many",
    "m2m_through",
    "defer",
    "defer_regress",
    "model_inheritance",
    "select_related",
    "known_related_objects",
    "foreign_object",
    "generic_relations_regress",
    "contenttypes_tests",
    "basic",
    "queryset_pickle",
    "raw_query",
    "auth_tests",
)

# Test modules left out of a label: they never touch a model, and they are slow.
# auth_tests.test_hashers runs PBKDF2 at Django's real iteration count: about 55 s of
# the 70 s auth_tests take on Django 6.1 on two cores.
UNRELATED_MODULES = {"auth_tests": ("test_hashers",)}

# The guard swaps the class of each descriptor for a subclass of it (guards.py), which
# keeps its state and every isinstance() check; only an exact type() check can tell.
_EXACT_TYPE = "asserts type(Model.foo) == DeferredAttribute; the guard swaps in a subclass"

# Test id -> why it is allowed to fail. Keep it exact: an entry that passes is reported
# too, so that the list never hides a regression behind a stale excuse.
EXPECTED_FAILURES = {
    "model_inheritance.tests.ModelInheritanceTests."
    "test_shadow_parent_attribute_with_field": _EXACT_TYPE,
    "model_inheritance.tests.ModelInheritanceTests."
    "test_shadow_parent_method_with_field": _EXACT_TYPE,
    "model_inheritance.tests.ModelInheritanceTests."
    "test_shadow_parent_property_with_field": _EXACT_TYPE,
}

# runtests.py replaces INSTALLED_APPS, so "multisync" cannot simply be listed there.
# Calling activate() from the settings module would run before any model exists and
# exercise only the class_prepared path. Instead the settings name a test runner (the
# documented TEST_RUNNER setting, which runtests.py honours) that calls activate()
# when the run starts: runtests.py has imported every test app's models by then, the
# moment at which an installed app's ready() runs. So the suites take the production
# path: the sweep over existing models, then class_prepared for models that test
# modules define later. Nothing in Django or runtests.py is patched.
SETTINGS_MODULE = "multisync_suite_settings"
SETTINGS_SOURCE = '''\
"""Django's SQLite test settings, run by a test runner that activates multisync."""

from test_sqlite import *  # noqa: F403

TEST_RUNNER = "multisync_suite_runner.MultisyncRunner"
'''

# The runner reports from unittest's result object rather than by parsing the output,
# whose test-name format changes between Python versions.
RUNNER_SOURCE = '''\
"""A DiscoverRunner that activates multisync and writes a JSON report of the run."""

import json
import os

import django
from django.apps import apps
from django.test.runner import DiscoverRunner

from multisync.django.apps import activate


class MultisyncRunner(DiscoverRunner):
    """Django's runner, with multisync activated as the run starts."""

    def setup_test_environment(self, **kwargs):
        activate()
        self.guarded_descriptors = count_guarded_descriptors()
        super().setup_test_environment(**kwargs)

    def run_suite(self, suite, **kwargs):
        result = super().run_suite(suite, **kwargs)
        failing = {}
        for kind, outcomes in (("FAIL", result.failures), ("ERROR", result.errors)):
            for test, _traceback in outcomes:
                failing[reported_id(test)] = kind
        for test in result.unexpectedSuccesses:
            failing[reported_id(test)] = "UNEXPECTED SUCCESS"
        report = {
            "django": django.get_version(),
            "guarded_descriptors": self.guarded_descriptors,
            "tests_run": result.testsRun,
            "skipped": len(result.skipped),
            "failing": failing,
        }
        with open(os.environ["MULTISYNC_SUITES_REPORT"], "w") as file:
            json.dump(report, file)
        return result


def reported_id(test):
    """The test method's id; a failing subTest counts as its test."""
    return getattr(test, "test_case", test).id()


def count_guarded_descriptors():
    """Proof that activation reached the models: how many descriptors are guarded."""
    return sum(
        bool(getattr(type(attribute), "_multisync_guarded", False))
        for model in apps.get_models(include_auto_created=True)
        for attribute in vars(model).values()
    )
'''


@dataclass(frozen=True)
class Report:
    """What the runner wrote about the run (see `RUNNER_SOURCE`)."""

    django: str
    guarded_descriptors: int
    tests_run: int
    skipped: int
    failing: dict[str, str]  # test id -> FAIL, ERROR or UNEXPECTED SUCCESS


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command line: optional labels replacing `LABELS`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labels", nargs="*", default=list(LABELS), help="Django test labels")
    return parser.parse_args(argv)


def cached_sdist(version: str) -> Path:
    """The sdist of Django `version`, downloaded on first use."""
    folder = SDIST_CACHE / version
    found = sorted(folder.glob("*.tar.gz"))
    if not found:
        print(f"== downloading the Django {version} sdist into {folder}", flush=True)
        subprocess.run(
            [
                *(sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"),
                *("--no-binary", ":all:", f"django=={version}", "--dest", str(folder)),
            ],
            check=True,
        )
        found = sorted(folder.glob("*.tar.gz"))
    return found[0]


def extract_tests(sdist: Path, destination: Path) -> Path:
    """Unpack only the sdist's `tests/` folder into `destination`; return its path."""
    with tarfile.open(sdist) as archive:
        top = archive.getmembers()[0].name.split("/")[0]  # "django-5.2.19"
        prefix = f"{top}/tests/"
        members = [m for m in archive.getmembers() if m.name.startswith(prefix)]
        # "data" refuses links and paths that leave `destination` (Python 3.11.4+).
        archive.extractall(destination, members=members, filter="data")
    return destination / top / "tests"


def present_labels(tests_dir: Path, labels: list[str]) -> list[str]:
    """The labels that exist in this version's tests, saying which ones do not."""
    missing = [label for label in labels if not (tests_dir / label.split(".")[0]).is_dir()]
    if missing:
        print(f"== not in this version, skipped: {' '.join(missing)}", flush=True)
    return [label for label in labels if label not in missing]


def without_unrelated_modules(tests_dir: Path, labels: list[str]) -> list[str]:
    """The labels, each app in `UNRELATED_MODULES` spelled as its other test modules."""
    expanded: list[str] = []
    for label in labels:
        if label not in UNRELATED_MODULES:
            expanded.append(label)
            continue
        print(f"== left out: {', '.join(UNRELATED_MODULES[label])} of {label}", flush=True)
        expanded += [
            f"{label}.{module.stem}"
            for module in sorted((tests_dir / label).glob("test*.py"))
            if module.stem not in UNRELATED_MODULES[label]
        ]
    return expanded


def write_suite_modules(folder: Path) -> None:
    """Write the settings module and the test runner it names into `folder`."""
    (folder / f"{SETTINGS_MODULE}.py").write_text(SETTINGS_SOURCE)
    (folder / "multisync_suite_runner.py").write_text(RUNNER_SOURCE)


def run_django_tests(tests_dir: Path, modules_dir: Path, labels: list[str], report: Path) -> int:
    """Run `runtests.py` on `labels` in one process; return its exit code.

    One process, because parallel workers set themselves up without the test runner,
    so multisync would not be active in them.
    """
    path = os.pathsep.join(filter(None, [str(modules_dir), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path, "MULTISYNC_SUITES_REPORT": str(report)}
    command = [
        *(sys.executable, "runtests.py", "--parallel", "1"),
        *(f"--settings={SETTINGS_MODULE}", *labels),
    ]
    print(f"== {' '.join(command[1:])}", flush=True)
    return subprocess.call(command, cwd=tests_dir, env=env)


def expected_for(labels: list[str]) -> dict[str, str]:
    """The expected failures that belong to the labels that ran."""
    return {
        test: reason
        for test, reason in EXPECTED_FAILURES.items()
        if any(test == label or test.startswith(f"{label}.") for label in labels)
    }


def judge(report: Report, expected: dict[str, str], version: str) -> list[str]:
    """Every way the run differs from what is expected, as printable lines."""
    problems: list[str] = []
    if report.django != version:
        problems.append(f"runtests.py tested Django {report.django}, not {version}")
    if not report.guarded_descriptors:
        problems.append("multisync guarded no descriptor: it was not activated")
    failing = report.failing
    problems += [
        f"{kind}: {test}" for test, kind in sorted(failing.items()) if test not in expected
    ]
    problems += [
        f"expected to fail, passed: {test}" for test in sorted(expected) if test not in failing
    ]
    return problems


def print_summary(
    report: Report, expected: dict[str, str], problems: list[str], seconds: float
) -> None:
    """A few lines: counts, the expected failures and anything unexpected."""
    print(
        f"\n== Django {report.django}: {report.tests_run} tests, "
        f"{len(report.failing)} failing ({len(expected)} expected), {report.skipped} skipped, "
        f"{report.guarded_descriptors} guarded descriptors, {seconds:.0f} s",
        flush=True,
    )
    for test in sorted(expected):
        print(f"   expected failure: {test} ({expected[test]})")
    for problem in problems:
        print(f"   UNEXPECTED {problem}")
    print("== as expected" if not problems else "== failed: the run is not as expected")


def main(argv: list[str]) -> int:
    """Run the suites for the installed Django; 0 if exactly the expected tests fail."""
    started = time.monotonic()
    version = django.get_version()
    args = parse_args(argv)
    sdist = cached_sdist(version)
    with tempfile.TemporaryDirectory(prefix="multisync-django-suites-") as temp:
        workdir = Path(temp)
        tests_dir = extract_tests(sdist, workdir)
        write_suite_modules(workdir)
        labels = without_unrelated_modules(tests_dir, present_labels(tests_dir, args.labels))
        report_path = workdir / "report.json"
        code = run_django_tests(tests_dir, workdir, labels, report_path)
        if not report_path.exists():  # runtests.py stopped before running the suite
            print(f"== failed: runtests.py exited with {code} and ran no tests", flush=True)
            return 1
        report = Report(**json.loads(report_path.read_text()))
    expected = expected_for(labels)
    problems = judge(report, expected, version)
    print_summary(report, expected, problems, time.monotonic() - started)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
