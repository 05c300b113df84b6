"""Run Django's own relation-heavy and async test suites with multisync installed.

The issue's promise: with `"multisync"` in INSTALLED_APPS, Django's own suites fail
exactly as they do without it, apart from the tests that assert a descriptor's exact
`type()`. This script checks it against the Django installed in the running
interpreter's environment:

1. download that exact Django sdist (cached in `.cache/django-sdist/<version>/`); the
   wheel has no tests, every sdist has them;
2. unpack its `tests/` folder into a temporary directory, never into the repository;
3. add `"multisync"` to `ALWAYS_INSTALLED_APPS` in that copy of `runtests.py`, the
   only change to Django's files, and run it;
4. run each failing test that `EXPECTED_FAILURES` does not name again, without
   multisync, and accept the ones that fail there too;
5. compare the rest with `EXPECTED_FAILURES`, both ways.

Usage: scripts/django_suites.py [--parallel N] [label ...]
(default: every label in `LABELS`, two processes)
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
SDIST_CACHE = ROOT / ".cache" / "django-sdist"
# Frames in these folders are left out of the tracebacks the summary prints.
LIBRARY_DIRS = (sysconfig.get_paths()["stdlib"], str(Path(django.__file__).parent))

# Django's test apps where relations, descriptors, deferred fields and model methods are
# exercised hardest: `async` (Django's own async ORM tests), apps that save, delete,
# query and serialize related models through forms, the admin and managers, and
# `auth_tests` (contrib models seen as third-party ones). A label missing from a version
# is skipped.
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
    "queries",
    "model_forms",
    "model_formsets",
    "admin_views",
    "serializers",
    "delete",
    "custom_managers",
    "proxy_models",
    "signals",
    "get_or_create",
    "update",
    "aggregation",
    "expressions",
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

# System check id -> why the suites silence it. Only ids: a check silenced wholesale
# would also hide what it says about models that have nothing to excuse.
SILENCED_CHECKS = {
    # generic_relations_regress.B, queries.BaseA and queries.Join, update.B and
    # update.D name a relation `a`; their tests read it as `obj.a`, which the field
    # still is.
    "multisync.E002": "a Django test model has a field named `a`",
}

# The one line of runtests.py that changes: the list of apps every run installs (it
# becomes INSTALLED_APPS, and each test app is appended to it) gains "multisync" at its
# end, where a project lists its third-party apps after Django's.
APPS_LIST_START = "\nALWAYS_INSTALLED_APPS = [\n"
APPS_LIST_END = "\n]\n"
ADDED_APP = '    "multisync",'
RUNTESTS = "runtests.py"
# Django's runtests.py, unchanged, beside the patched one: RUNTESTS_DIR is the folder of
# the file that runs, so both see the same test apps.
RUNTESTS_WITHOUT_MULTISYNC = "runtests_without_multisync.py"

# The settings only name a test runner (the documented TEST_RUNNER setting, which
# runtests.py honours through get_runner()) that writes the report; multisync itself
# comes from INSTALLED_APPS, so its ready() runs where a project's would.
SETTINGS_MODULE = "multisync_suite_settings"
SETTINGS_SOURCE = '''\
"""Django's SQLite test settings, run by a test runner that writes a JSON report."""

from test_sqlite import *  # noqa: F403

TEST_RUNNER = "multisync_suite_runner.ReportingRunner"
'''

# The runner reports from unittest's result object rather than by parsing the output,
# whose test-name format changes between Python versions. runtests.py assigns
# SILENCED_SYSTEM_CHECKS after it has read the settings module, so the ids are added
# here, just before the run's system checks. Each parallel worker notes how many
# descriptors multisync guards in it: proof that every process had the app installed.
RUNNER_SOURCE = '''\
"""A DiscoverRunner that writes a JSON report of the run."""

import json
import os
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.test.runner import DiscoverRunner, ParallelTestSuite

SILENCED_CHECKS = {silenced!r}
REPORT = Path(os.environ["MULTISYNC_SUITES_REPORT"])


def init_worker(*args, **kwargs):
    """Django's set-up of a parallel worker, then a note of what multisync guards."""
    ParallelTestSuite.init_worker(*args, **kwargs)
    note = REPORT.with_name(f"{{REPORT.name}}.worker-{{os.getpid()}}")
    note.write_text(json.dumps(count_guarded_descriptors()))


class ReportingParallelTestSuite(ParallelTestSuite):
    """Django's parallel suite, whose workers say what multisync guards in them."""

    init_worker = init_worker


class ReportingRunner(DiscoverRunner):
    """Django's runner, writing the failing tests and what multisync guarded."""

    parallel_test_suite = ReportingParallelTestSuite

    def setup_test_environment(self, **kwargs):
        self.guarded_descriptors = count_guarded_descriptors()
        super().setup_test_environment(**kwargs)

    def run_checks(self, databases):
        settings.SILENCED_SYSTEM_CHECKS = [*settings.SILENCED_SYSTEM_CHECKS, *SILENCED_CHECKS]
        super().run_checks(databases)

    def run_suite(self, suite, **kwargs):
        result = super().run_suite(suite, **kwargs)
        failing, tracebacks = {{}}, {{}}
        for kind, outcomes in (("FAIL", result.failures), ("ERROR", result.errors)):
            for test, traceback in outcomes:
                failing[reported_id(test)] = kind
                tracebacks[reported_id(test)] = traceback
        for test in result.unexpectedSuccesses:
            failing[reported_id(test)] = "UNEXPECTED SUCCESS"
        report = {{
            "django": django.get_version(),
            "multisync_installed": apps.is_installed("multisync"),
            "guarded_descriptors": self.guarded_descriptors,
            "workers": [
                json.loads(note.read_text())
                for note in sorted(REPORT.parent.glob(f"{{REPORT.name}}.worker-*"))
            ],
            "tests_run": result.testsRun,
            "skipped": len(result.skipped),
            "failing": failing,
            "tracebacks": tracebacks,
        }}
        REPORT.write_text(json.dumps(report))
        return result


def reported_id(test):
    """The test method's id; a failing subTest counts as its test."""
    return getattr(test, "test_case", test).id()


def count_guarded_descriptors():
    """Proof that multisync reached the models: how many descriptors are guarded."""
    return sum(
        bool(getattr(type(attribute), "_multisync_guarded", False))
        for model in apps.get_models(include_auto_created=True)
        for attribute in vars(model).values()
    )
'''


@dataclass(frozen=True)
class Report:
    """What the runner wrote about one run of runtests.py (see `RUNNER_SOURCE`)."""

    django: str
    multisync_installed: bool
    guarded_descriptors: int  # in the main process, as the run starts
    workers: list[int]  # guarded descriptors in each parallel worker
    tests_run: int
    skipped: int
    failing: dict[str, str]  # test id -> FAIL, ERROR or UNEXPECTED SUCCESS
    tracebacks: dict[str, str]  # test id -> traceback, for FAIL and ERROR


@dataclass(frozen=True)
class Verdict:
    """The failing tests sorted by their explanation, and everything unexpected."""

    expected: dict[str, str]  # test id -> why it may fail
    also_without: list[str]  # failing without multisync too
    problems: list[str]  # printable lines; the run is as expected when empty


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command line: the number of processes and optional labels replacing `LABELS`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--parallel", type=int, default=2, help="processes for runtests.py (default: 2)"
    )
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


def install_multisync(tests_dir: Path) -> None:
    """Add "multisync" to runtests.py's ALWAYS_INSTALLED_APPS, keeping the original.

    Stops the script if the list is not as Django 4.2 to 6.1 spell it, rather than
    run Django's suites without multisync and call that a pass.
    """
    runtests = tests_dir / RUNTESTS
    source = runtests.read_text()
    start = source.find(APPS_LIST_START)
    end = source.find(APPS_LIST_END, start)
    if start < 0 or end < 0:
        msg = f"{runtests}: no `ALWAYS_INSTALLED_APPS = [` list to add multisync to"
        raise SystemExit(msg)
    (tests_dir / RUNTESTS_WITHOUT_MULTISYNC).write_text(source)
    runtests.write_text(f"{source[:end]}\n{ADDED_APP}{source[end:]}")


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
    runner = RUNNER_SOURCE.format(silenced=sorted(SILENCED_CHECKS))
    (folder / "multisync_suite_runner.py").write_text(runner)


def run_django_tests(
    tests_dir: Path, runtests: str, labels: list[str], parallel: int, report: Path
) -> Report | None:
    """Run `runtests` on `labels`; its report, or None if it stopped before the tests.

    Parallel workers are forked from the main process after django.setup(), or, where
    processes are spawned, run django.setup() with the same INSTALLED_APPS: either way
    multisync is installed in each, as the report's `workers` shows.
    """
    modules_dir = report.parent
    path = os.pathsep.join(filter(None, [str(modules_dir), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path, "MULTISYNC_SUITES_REPORT": str(report)}
    command = [
        *(sys.executable, runtests, "--parallel", str(parallel)),
        *(f"--settings={SETTINGS_MODULE}", *labels),
    ]
    print(f"== {' '.join(command[1:])}", flush=True)
    started = time.monotonic()
    code = subprocess.call(command, cwd=tests_dir, env=env)
    print(f"== {runtests} took {time.monotonic() - started:.0f} s", flush=True)
    if not report.exists():
        print(f"== {runtests} exited with {code} and ran no tests", flush=True)
        return None
    return Report(**json.loads(report.read_text()))


def rerun_label(test_id: str) -> str:
    """The label that runs `test_id` again: a failing setUpClass names its class."""
    fixture = re.fullmatch(r"\w+ \((?P<label>[\w.]+)\)", test_id)  # "setUpClass (app.tests.X)"
    return fixture["label"] if fixture else test_id


def rerun_without_multisync(tests_dir: Path, test_ids: list[str], report: Path) -> Report | None:
    """Run the failing tests again with Django's unchanged runtests.py."""
    labels = list(dict.fromkeys(rerun_label(test) for test in test_ids))
    print(f"\n== {len(test_ids)} unexpected failures: running them without multisync", flush=True)
    return run_django_tests(tests_dir, RUNTESTS_WITHOUT_MULTISYNC, labels, 1, report)


def expected_for(labels: list[str]) -> dict[str, str]:
    """The expected failures that belong to the labels that ran."""
    return {
        test: reason
        for test, reason in EXPECTED_FAILURES.items()
        if any(test == label or test.startswith(f"{label}.") for label in labels)
    }


def unexplained(report: Report, expected: dict[str, str]) -> list[str]:
    """The failing tests that `EXPECTED_FAILURES` does not name."""
    return sorted(test for test in report.failing if test not in expected)


def installation_problems(report: Report, version: str) -> list[str]:
    """What shows that the run was not the one intended: wrong Django, multisync absent."""
    problems: list[str] = []
    if report.django != version:
        problems.append(f"runtests.py tested Django {report.django}, not {version}")
    if not report.multisync_installed or not report.guarded_descriptors:
        problems.append("multisync was not installed, or guarded no descriptor")
    if not all(report.workers):
        problems.append(f"a parallel worker guarded no descriptor: {report.workers}")
    return problems


def judge(
    report: Report, baseline: Report | None, expected: dict[str, str], version: str
) -> Verdict:
    """Every way the run differs from what is expected, as printable lines."""
    problems = installation_problems(report, version)
    also_without: list[str] = []
    rest = unexplained(report, expected)
    where = "only with multisync"
    if rest and (baseline is None or baseline.multisync_installed):
        problems.append("the run without multisync ran no tests, or had multisync installed")
        where = "with multisync, not compared"
    elif rest and baseline is not None:
        also_without = [test for test in rest if test in baseline.failing]
        rest = [test for test in rest if test not in baseline.failing]
    problems += [
        f"{report.failing[test]} {where}: {test}\n{traceback_tail(report, test)}" for test in rest
    ]
    problems += [
        f"expected to fail, passed: {test}"
        for test in sorted(expected)
        if test not in report.failing
    ]
    return Verdict(expected, also_without, problems)


def traceback_tail(report: Report, test: str) -> str:
    """A failing test's key traceback lines, indented: its last frames, then the error."""
    text = report.tracebacks.get(test, "(no traceback: an unexpected success)")
    return "\n".join(f"      {line}" for line in key_lines(text))


def key_lines(traceback: str, frames: int = 3, message: int = 5) -> list[str]:
    """The last `frames` frames outside the stdlib and Django, then the error's start.

    What is left is the test's own line and the multisync code below it: unittest's
    frames stay in tracebacks that come back from parallel workers.
    """
    lines = traceback.rstrip().splitlines()
    kept: list[str] = []
    for index, line in enumerate(lines[:-1]):
        frame = re.match(r'\s*File "([^"]+)"', line)
        if frame and not frame[1].startswith(LIBRARY_DIRS):
            kept.append(f"{line.strip()}: {lines[index + 1].strip()}")
    start = len(lines)  # the error is the unindented lines after the last frame
    while start > 0 and not lines[start - 1].startswith(" "):
        start -= 1
    return kept[-frames:] + lines[start : start + message]


def print_summary(report: Report, verdict: Verdict, seconds: float) -> None:
    """A few lines: counts, the expected failures and anything unexpected."""
    workers = f" ({', '.join(map(str, report.workers))} in its workers)" if report.workers else ""
    print(
        f"\n== Django {report.django}: {report.tests_run} tests, "
        f"{len(report.failing)} failing ({len(verdict.expected)} expected, "
        f"{len(verdict.also_without)} failing without multisync too), "
        f"{report.skipped} skipped, {report.guarded_descriptors} guarded descriptors"
        f"{workers}, {seconds:.0f} s",
        flush=True,
    )
    for check, reason in SILENCED_CHECKS.items():
        print(f"   silenced system check: {check} ({reason})")
    for test in sorted(verdict.expected):
        print(f"   expected failure: {test} ({verdict.expected[test]})")
    for test in verdict.also_without:
        print(f"   fails without multisync too: {test}")
    for problem in verdict.problems:
        print(f"   UNEXPECTED {problem}")
    print("== as expected" if not verdict.problems else "== failed: the run is not as expected")


def main(argv: list[str]) -> int:
    """Run the suites for the installed Django; 0 if they fail as they do without it."""
    started = time.monotonic()
    version = django.get_version()
    args = parse_args(argv)
    if args.parallel > 1 and importlib.util.find_spec("tblib") is None:
        # Without it, the first failing test in a worker stops the whole run.
        print("== Django's parallel runner needs tblib: pip install tblib, or use --parallel 1")
        return 1
    sdist = cached_sdist(version)
    with tempfile.TemporaryDirectory(prefix="multisync-django-suites-") as temp:
        workdir = Path(temp)
        tests_dir = extract_tests(sdist, workdir)
        install_multisync(tests_dir)
        write_suite_modules(workdir)
        labels = without_unrelated_modules(tests_dir, present_labels(tests_dir, args.labels))
        report = run_django_tests(tests_dir, RUNTESTS, labels, args.parallel, workdir / "run.json")
        if report is None:
            print("== failed: runtests.py with multisync ran no tests", flush=True)
            return 1
        expected = expected_for(labels)
        failing = unexplained(report, expected)
        rerun = workdir / "rerun.json"
        baseline = rerun_without_multisync(tests_dir, failing, rerun) if failing else None
    verdict = judge(report, baseline, expected, version)
    print_summary(report, verdict, time.monotonic() - started)
    return 1 if verdict.problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
