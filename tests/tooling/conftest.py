"""Fixtures for the tooling tests: the plugin's fixture, and subprocesses on the test database.

Commands and the shell are also run as `python -m django ...` subprocesses, with
`tests/tooling/settings.py`. Those see the data a test committed
(`transactional_db`): PostgreSQL and MariaDB through the test database itself,
SQLite through a file copy of the in-memory test database.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.db import connections

# Until multisync is installed with its `pytest11` entry point, the plugin's fixture
# comes from here.

if TYPE_CHECKING:
    from collections.abc import Callable

ROOT = Path(__file__).resolve().parents[2]
SUBPROCESS_TIMEOUT = 60


def subprocess_env(**extra: str) -> dict[str, str]:
    """The environment of a subprocess that runs Django with the tooling settings."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.tooling.settings",
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def django_command(*args: str) -> list[str]:
    """The argv of `python -m django <args>` with this interpreter."""
    return [sys.executable, "-m", "django", *args]


@pytest.fixture
def shared_database(transactional_db: None, tmp_path: Path) -> Callable[[], dict[str, str]]:
    """A function giving the environment for a subprocess to use the test database.

    Call it after creating the data: for SQLite it copies the database at that moment.
    """

    def env() -> dict[str, str]:
        wrapper = connections["default"]
        if wrapper.vendor != "sqlite":
            return subprocess_env(MULTISYNC_TOOLING_DB_NAME=wrapper.settings_dict["NAME"])
        wrapper.ensure_connection()
        copy = tmp_path / "db.sqlite3"
        with sqlite3.connect(copy) as target:
            wrapper.connection.backup(target)
        target.close()
        return subprocess_env(MULTISYNC_TOOLING_DB_NAME=str(copy))

    return env


def run(argv: list[str], env: dict[str, str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run a subprocess from the repository root and capture its text output."""
    return subprocess.run(
        argv,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT,
        check=False,
        **kwargs,
    )


def interrupt_when_ready(argv: list[str]) -> tuple[int, str, str]:
    """Start `argv`, send it SIGINT (Ctrl-C) once it prints `ready`; its (code, out, err).

    `ready` itself is read here and not part of the returned stdout.
    """
    process = subprocess.Popen(
        argv,
        cwd=ROOT,
        env=subprocess_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "ready\n"
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=SUBPROCESS_TIMEOUT)
    return process.returncode, out, err
