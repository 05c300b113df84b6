"""The pytest plugin: `multisync_queries` in a pytest run of its own.

A separate pytest process, with pytest-django and the suite's settings, runs a small
test file: the installed `pytest11` entry point loads the plugin, as in a user's project.
"""

from __future__ import annotations

import re
import subprocess
import sys
from typing import TYPE_CHECKING

from tests.tooling.conftest import ROOT, SUBPROCESS_TIMEOUT, subprocess_env

if TYPE_CHECKING:
    from pathlib import Path

TESTS = """
import pytest
from asgiref.sync import async_to_sync

from tests.testapp.models import Question

pytestmark = pytest.mark.django_db


def test_sync_count(multisync_queries):
    with multisync_queries.expect(1):
        Question.objects.count()


def test_async_count(multisync_queries):
    async def view():
        async with multisync_queries.expect(2):
            await Question.objects.acreate(question_text="What's new?")
            await Question.objects.acount()

    async_to_sync(view)()


def test_wrong_count(multisync_queries):
    with multisync_queries.expect(2):
        Question.objects.count()
"""


def run_pytest(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run pytest on the example tests, with the installed plugins."""
    (tmp_path / "test_example.py").write_text(TESTS)
    # pytest-asyncio, when installed, has nothing to do here but warn about its settings.
    plugins = ["-p", "no:cacheprovider", "-p", "no:asyncio"]
    argv = [sys.executable, "-m", "pytest", *plugins, "--ds=tests.settings"]
    return subprocess.run(
        [*argv, *args, "-q", "--tb=line", "test_example.py"],
        cwd=tmp_path,
        env={**subprocess_env(PYTHONPATH=str(ROOT)), "MULTISYNC_TEST_DB": "sqlite"},
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT,
        check=False,
    )


def test_plugin_provides_multisync_queries_fixture(tmp_path: Path) -> None:
    """With the plugin loaded, tests get `multisync_queries`; a wrong count fails them."""
    result = run_pytest(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "AssertionError: 1 queries executed, 2 expected" in result.stdout
    assert re.search(r"^1 failed, 2 passed in [\d.]+s$", result.stdout, re.MULTILINE)


def test_plugin_absent_fixture_not_found(tmp_path: Path) -> None:
    """Without the plugin the fixture does not exist: the plugin is what provides it."""
    result = run_pytest(tmp_path, "-p", "no:multisync")
    assert "fixture 'multisync_queries' not found" in result.stdout
