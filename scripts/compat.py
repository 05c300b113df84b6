"""Run other projects' own test suites without and with multisync, and its API on their models.

The issue's promise: multisync installs cleanly in other people's projects. With
`"multisync"` appended to their `INSTALLED_APPS`, their test suites fail exactly as they
do without it, and `await obj.a.<name>`, `save.a()` and the guard work on their models.
For each project in `PROJECTS`:

1. download its pinned sdist with `pip download --no-binary :all: --no-deps` (cached in
   `.cache/compat/sdists/`) and unpack it into a temporary directory, never into the
   repository;
2. where the sdist has the project's test suite, run it twice from there, the way the
   project runs it: without
   multisync, then with `"multisync"` appended to `INSTALLED_APPS` before
   `django.setup()`, through a wrapper settings module or a pytest plugin
   (`scripts/compat/multisync_compat/`); their files stay as they are;
3. run multisync's API checks (`scripts/compat/checks/`) with the project's settings
   and multisync installed;
4. fail on any test that fails only with multisync, on any failing check, and on a run
   that did not have multisync installed (or, without it, did).

Everything runs in `.venv-compat`, made from this interpreter on first use: the
`compat` dependency group of pyproject.toml and the three sdists, installed again when
they or the interpreter change. multisync itself is built from the working tree at every
run and installed as a wheel, as a user's project gets it: an editable install would put
the repository's root on `sys.path`, where its `tests` package shadows theirs.
A JSON report with every count, failing test and traceback goes to
`.cache/compat/report.json`, and each run's output to `.cache/compat/logs/`.

Usage: scripts/compat.py [--report PATH] [--source DIR] [project ...]
(default: every project, with multisync from this working tree)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import time
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "compat"
LOGS = CACHE / "logs"
VENV = ROOT / ".venv-compat"
STAMP = VENV / "compat-installed.txt"
HELPERS = ROOT / "scripts" / "compat"  # multisync_compat/, checks/, pytest.ini
# The longest a suite or a check run may take before it counts as hung.
RUN_TIMEOUT = 600

# The run without multisync leaves out multisync's own pytest plugin, which installing
# the package registers (`pytest11`): then nothing of multisync is even imported.
PYTEST_WITHOUT_MULTISYNC = ("-p", "no:multisync")


@dataclass(frozen=True)
class Project:
    """A project whose sdist is downloaded, whose suite runs twice, and whose models are checked.

    `suite` is the command line after `python` that runs the project's own tests from
    the sdist's root, or empty when the sdist carries none. `check_settings` gives the
    checks the project's settings; `why` says why this version is the one pinned.
    """

    name: str
    version: str
    suite: tuple[str, ...]
    suite_without: tuple[str, ...]  # added to `suite` for the run without multisync
    check_settings: tuple[str, ...]
    checks: str  # a module of scripts/compat/checks
    why: str

    @property
    def requirement(self) -> str:
        """The pip requirement of the pinned release."""
        return f"{self.name}=={self.version}"


PROJECTS = (
    Project(
        name="djangorestframework",
        version="3.18.3",
        # DRF's pytest configuration (pyproject.toml) and tests/conftest.py, which calls
        # settings.configure() and then django.setup(): the plugin appends multisync in
        # between. A test module that fails to import counts as a failing test, and the
        # others still run.
        suite=(
            *("-m", "pytest", "-q", "-p", "multisync_compat.pytest_plugin"),
            "--continue-on-collection-errors",
        ),
        suite_without=PYTEST_WITHOUT_MULTISYNC,
        check_settings=("-p", "tests.conftest"),
        checks="test_drf_api.py",
        why="the current release; declares Django 5.2, 6.0 and 6.1",
    ),
    Project(
        name="django-taggit",
        version="6.0.0",
        # What its tox.ini runs: `python -m django test --settings=tests.settings`, with
        # a settings module that imports those settings.
        suite=("-m", "django", "test", "--settings=multisync_compat.taggit_settings"),
        suite_without=(),
        check_settings=("--ds=multisync_compat.taggit_settings",),
        checks="test_taggit_api.py",
        why=(
            "the newest sdist with the test suite: 6.1.0 (the current release) packages"
            " none, and differs from 6.0.0 by a management command and one fallback"
        ),
    ),
    Project(
        name="django-polymorphic",
        version="4.11.7",
        suite=(),
        suite_without=(),
        check_settings=("--ds=multisync_compat.polymorphic_settings",),
        checks="test_polymorphic_api.py",
        why=(
            "the current release; no sdist on PyPI carries its test suite (3.1.0 to"
            " 4.11.7 checked), so only the API checks run, on models of ours"
        ),
    ),
)

# Check id ("checks/test_taggit_api.py::test_...") -> why it may fail for now. Keep it
# exact: a listed check that passes fails the run too, so that the list cannot hide a
# regression behind a stale excuse.
EXPECTED_CHECK_FAILURES: dict[str, str] = {}


@dataclass(frozen=True)
class Workspace:
    """Where the runs happen: an interpreter, a temporary folder, scripts/compat/ in it.

    The interpreter is `.venv-compat`'s; the folder holds the unpacked sdists, the
    reports, and `helpers`, the copy of scripts/compat/ that the runs import.
    """

    python: Path
    folder: Path
    helpers: Path


@dataclass(frozen=True)
class Report:
    """What one run wrote (`scripts/compat/multisync_compat/reporting.py`)."""

    django: str
    apps_ready: bool
    installed_apps: list[str]
    multisync_installed: bool
    multisync_imported: bool
    guarded_descriptors: int
    tests: int
    skipped: int
    passed: int
    failing: dict[str, str]  # test id -> FAIL, ERROR or UNEXPECTED SUCCESS
    tracebacks: dict[str, str]


@dataclass
class Outcome:
    """One project's runs, what they show, and what is wrong with them."""

    project: Project
    without: Report | None = None
    with_multisync: Report | None = None
    checks: Report | None = None
    seconds: float = 0.0
    only_with: list[str] = field(default_factory=list)
    in_both: list[str] = field(default_factory=list)
    only_without: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command line: where the report goes, and optionally which projects run."""
    names = [project.name for project in PROJECTS]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--report",
        type=Path,
        default=CACHE / "report.json",
        help="where the JSON report goes (default: .cache/compat/report.json)",
    )
    parser.add_argument(
        "--source",
        type=Path,
        default=ROOT,
        help="the multisync source tree to install (default: this working tree)",
    )
    parser.add_argument("projects", nargs="*", help=f"some of: {' '.join(names)} (default: all)")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.projects) - set(names))
    if unknown:
        parser.error(f"unknown projects: {' '.join(unknown)}")
    args.projects = args.projects or names
    return args


def cached_sdist(project: Project) -> Path:
    """The sdist of the pinned release, downloaded on first use."""
    folder = CACHE / "sdists"
    pattern = f"{project.name.replace('-', '[-_]')}-{project.version}.tar.gz"
    found = sorted(folder.glob(pattern))
    if not found:
        print(f"== downloading the {project.requirement} sdist into {folder}", flush=True)
        subprocess.run(
            [
                *(sys.executable, "-m", "pip", "download", "-qq", "--no-deps"),
                *("--no-binary", ":all:", project.requirement, "--dest", str(folder)),
            ],
            check=True,
        )
        found = sorted(folder.glob(pattern))
    return found[0]


def compat_environment(sdists: list[Path], source: Path) -> Path:
    """`.venv-compat`'s interpreter, with everything installed and multisync from `source`."""
    python = VENV / "bin" / "python"
    wanted = stamp_text(sdists)
    if not (python.exists() and STAMP.exists() and STAMP.read_text() == wanted):
        install_environment(python, sdists)
        STAMP.write_text(wanted)
    print(f"== installing multisync from {source} into {VENV.name}", flush=True)
    pip(python, "--no-deps", "--no-build-isolation", "--force-reinstall", str(source))
    return python


def install_environment(python: Path, sdists: list[Path]) -> None:
    """Create `.venv-compat` if needed, and install the `compat` group and the sdists."""
    if not python.exists():
        print(f"== creating {VENV.name} with {sys.executable}", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    print("== installing the compat group and the sdists (about a minute)", flush=True)
    pip(python, "--upgrade", "pip>=25.1")  # `--group` needs pip 25.1
    pip(python, "--group", f"{ROOT / 'pyproject.toml'}:compat", *map(str, sdists))


def pip(python: Path, *arguments: str) -> None:
    """`pip install --quiet` in the environment of `python`."""
    quiet = ("-qq", "--disable-pip-version-check")
    subprocess.run([str(python), "-m", "pip", "install", *quiet, *arguments], check=True)


def stamp_text(sdists: list[Path]) -> str:
    """What `.venv-compat` must have been installed from to be reused as it is."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    group = pyproject["dependency-groups"]["compat"]
    return "\n".join((sys.version, *map(str, group), *(sdist.name for sdist in sdists))) + "\n"


def unpack(sdist: Path, destination: Path) -> Path:
    """Unpack the sdist into `destination`; return the project's root folder in it."""
    with tarfile.open(sdist) as archive:
        top = archive.getmembers()[0].name.split("/")[0]  # "djangorestframework-3.18.3"
        # "data" refuses links and paths that leave `destination` (Python 3.11.4+).
        archive.extractall(destination, filter="data")
    return destination / top


def copy_helpers(folder: Path) -> Path:
    """Copy scripts/compat/ next to the sdists, so nothing is written in the repository."""
    helpers = folder / "multisync-compat"
    shutil.copytree(HELPERS, helpers, ignore=shutil.ignore_patterns("__pycache__"))
    return helpers


def run(
    workspace: Workspace, command: list[str], project_root: Path, label: str, *, install: bool
) -> Report | None:
    """Run `command` with `.venv-compat`'s Python from the project's root; its report, or None.

    The environment is this one's, less what would steer the project elsewhere
    (another settings module, a database URL, pytest options).
    """
    report = workspace.folder / f"{label}.json"
    log = LOGS / f"{label}.log"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "PYTEST_ADDOPTS", "PYTHONPATH"}
    }
    env |= {
        "PYTHONPATH": str(workspace.helpers),
        "MULTISYNC_COMPAT_INSTALL": "1" if install else "0",
        "MULTISYNC_COMPAT_REPORT": str(report),
    }
    started = time.monotonic()
    with log.open("w") as output:
        try:
            code = subprocess.call(
                [str(workspace.python), *command],
                cwd=project_root,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                timeout=RUN_TIMEOUT,
            )
            ending = f"exited with {code}"
        except subprocess.TimeoutExpired:
            ending = f"was stopped after {RUN_TIMEOUT} s"
    seconds = time.monotonic() - started
    if not report.exists():
        print(f"   {label}: {ending} and wrote no report; log: {relative(log)}", flush=True)
        return None
    result = Report(**json.loads(report.read_text()))
    print(
        f"   {label}: {result.tests} tests, {result.passed} passed, "
        f"{len(result.failing)} failing, {result.skipped} skipped ({seconds:.0f} s)",
        flush=True,
    )
    return result


def relative(path: Path) -> str:
    """`path` as the repository names it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def check_command(project: Project, helpers: Path) -> list[str]:
    """The arguments that run the project's checks with its settings and our pytest.ini."""
    return [
        *("-m", "pytest", "-c", str(helpers / "pytest.ini"), "--rootdir", str(helpers)),
        *project.check_settings,
        str(helpers / "checks" / project.checks),
    ]


def run_project(workspace: Workspace, project: Project, sdist: Path) -> Outcome:
    """Unpack the project, run its suite without and with multisync, then the checks."""
    print(f"\n== {project.name} {project.version}: {project.why}", flush=True)
    started = time.monotonic()
    outcome = Outcome(project)
    root = unpack(sdist, workspace.folder)
    name = project.name
    if project.suite:
        without = [*project.suite, *project.suite_without]
        outcome.without = run(workspace, without, root, f"{name}-without", install=False)
        suite = list(project.suite)
        outcome.with_multisync = run(workspace, suite, root, f"{name}-with", install=True)
    checks = check_command(project, workspace.helpers)
    outcome.checks = run(workspace, checks, root, f"{name}-checks", install=True)
    outcome.seconds = time.monotonic() - started
    judge(outcome)
    return outcome


def judge(outcome: Outcome) -> None:
    """Sort the failing tests and note every way the runs differ from what is expected."""
    if outcome.project.suite:
        judge_suite(outcome)
    judge_checks(outcome)


def judge_suite(outcome: Outcome) -> None:
    """Failing only with multisync, or a run without the intended installation: problems."""
    without, with_multisync = outcome.without, outcome.with_multisync
    if without is None or with_multisync is None:
        outcome.problems.append("a run of the suite wrote no report: see its log")
        return
    if without.multisync_installed or without.multisync_imported:
        outcome.problems.append("the run without multisync had multisync installed or imported")
    outcome.problems += installation_problems(with_multisync, "the suite with multisync")
    outcome.only_with = sorted(set(with_multisync.failing) - set(without.failing))
    outcome.in_both = sorted(set(with_multisync.failing) & set(without.failing))
    outcome.only_without = sorted(set(without.failing) - set(with_multisync.failing))
    outcome.problems += [
        f"{with_multisync.failing[test]} only with multisync: {test}\n"
        f"{traceback_tail(with_multisync, test)}"
        for test in outcome.only_with
    ]


def judge_checks(outcome: Outcome) -> None:
    """A failing check, or an expected failure that passes: problems."""
    checks = outcome.checks
    if checks is None:
        outcome.problems.append("the API checks wrote no report: see their log")
        return
    outcome.problems += installation_problems(checks, "the API checks")
    outcome.problems += [
        f"check {checks.failing[check]}: {check}\n{traceback_tail(checks, check)}"
        for check in sorted(checks.failing)
        if check not in EXPECTED_CHECK_FAILURES
    ]
    outcome.problems += [
        f"check expected to fail, passed: {check}"
        for check in sorted(EXPECTED_CHECK_FAILURES)
        if check.startswith(f"checks/{outcome.project.checks}::") and check not in checks.failing
    ]


def installation_problems(report: Report, run_name: str) -> list[str]:
    """Unless the run had multisync in INSTALLED_APPS, guarding descriptors: one problem."""
    if report.multisync_installed and report.guarded_descriptors:
        return []
    return [f"{run_name}: multisync was not installed, or guarded no descriptor"]


def traceback_tail(report: Report, test: str) -> str:
    """A failing test's key traceback lines, indented."""
    text = report.tracebacks.get(test, "(no traceback: an unexpected success)")
    return "\n".join(f"      {line}" for line in key_lines(text))


# A frame in a Python traceback (`File "x.py", line 3, in f`) or in pytest's short one
# (`x.py:3: in f`).
FRAME = re.compile(r'\s*File "(?P<python>[^"]+)", line \d+|(?P<pytest>\S+\.py):\d+: in ')
LIBRARY_DIRS = (sysconfig.get_paths()["stdlib"], "site-packages/")


def key_lines(traceback: str, frames: int = 4, message: int = 5) -> list[str]:
    """The last `frames` frames of the project, its tests or multisync, then the error."""
    lines = traceback.rstrip().splitlines()
    kept: list[str] = []
    for index, line in enumerate(lines[:-1]):
        frame = FRAME.match(line)
        path = frame and (frame["python"] or frame["pytest"])
        if path and ("/multisync/" in path or not any(d in path for d in LIBRARY_DIRS)):
            kept.append(f"{line.strip()}: {lines[index + 1].strip()}")
    error = [line for line in lines if line.startswith("E ")]
    if not error:  # a Python traceback: the unindented lines after the last frame
        start = len(lines)
        while start > 0 and not lines[start - 1].startswith(" "):
            start -= 1
        error = lines[start:]
    return kept[-frames:] + error[:message]


def summary_row(outcome: Outcome) -> str:
    """The project's line of the counts table (Markdown, as docs/compatibility.md has it)."""
    project, with_multisync, checks = outcome.project, outcome.with_multisync, outcome.checks
    if with_multisync and outcome.without:
        suite = (
            f"{with_multisync.tests} | {with_multisync.passed} | {with_multisync.skipped} | "
            f"{len(outcome.without.failing)} | {len(with_multisync.failing)} | "
            f"{len(outcome.only_with)}"
        )
    else:
        suite = " | ".join(["no suite" if not project.suite else "no report", *["-"] * 5])
    passed = f"{checks.passed}/{checks.tests}" if checks else "no report"
    return f"| {project.name} | {project.version} | {suite} | {passed} | {outcome.seconds:.0f} s |"


def print_summary(outcomes: list[Outcome], seconds: float) -> None:
    """The counts table, then what fails in both runs, then every problem."""
    print(
        "\n| project | version | tests | passed | skipped | failed without | failed with "
        "| only with | API checks passed | time |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for outcome in outcomes:
        print(summary_row(outcome))
    for outcome in outcomes:
        for test in outcome.in_both:
            print(f"   {outcome.project.name}: fails without multisync too: {test}")
        for test in outcome.only_without:
            print(f"   {outcome.project.name}: fails only without multisync: {test}")
        for problem in outcome.problems:
            print(f"   UNEXPECTED {outcome.project.name}: {problem}")
    failed = any(outcome.problems for outcome in outcomes)
    print(f"== {'failed: see UNEXPECTED above' if failed else 'as expected'} ({seconds:.0f} s)")


def write_report(path: Path, outcomes: list[Outcome], source: Path, seconds: float) -> None:
    """Everything the runs wrote, with the verdict, as JSON."""
    report = {
        "python": sys.version.split()[0],
        "multisync_source": str(source),
        "seconds": round(seconds),
        "ok": not any(outcome.problems for outcome in outcomes),
        "projects": [asdict(outcome) for outcome in outcomes],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1))
    print(f"== report: {relative(path)}")


def main(argv: list[str]) -> int:
    """Run every selected project; 0 if multisync changes none of their outcomes."""
    started = time.monotonic()
    args = parse_args(argv)
    LOGS.mkdir(parents=True, exist_ok=True)
    sdists = {project.name: cached_sdist(project) for project in PROJECTS}
    python = compat_environment(list(sdists.values()), args.source.resolve())
    with tempfile.TemporaryDirectory(prefix="multisync-compat-") as temp:
        workspace = Workspace(python, Path(temp), copy_helpers(Path(temp)))
        outcomes = [
            run_project(workspace, project, sdists[project.name])
            for project in PROJECTS
            if project.name in args.projects
        ]
    seconds = time.monotonic() - started
    print_summary(outcomes, seconds)
    write_report(args.report, outcomes, args.source.resolve(), seconds)
    return 1 if any(outcome.problems for outcome in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
