"""mypy with `multisync.mypy` reports the same after an incremental run as after a cold one.

Each run is `mypy.api.run` in a fresh interpreter (django-stubs sets Django up for the
project it checks, which this test process cannot host twice). A run against the
cache of an earlier run is incremental; a run against an empty cache is cold.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from tests.typing.versions import as_printed_today

if TYPE_CHECKING:
    from pathlib import Path

pytest.importorskip("mypy_django_plugin", reason="the typing tools are not installed")

RUN_MYPY = (
    "import sys\n"
    "from mypy import api\n"
    "stdout, stderr, status = api.run(sys.argv[1:])\n"
    "sys.stdout.write(stdout + stderr)\n"
)

SETTINGS = """\
SECRET_KEY = "multisync-typing"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "multisync", "myapp"]
"""

CONFIG = """\
[mypy]
strict = True
plugins = mypy_django_plugin.main, multisync.mypy

[mypy.plugins.django-stubs]
django_settings_module = typing_settings
"""

MODELS = """\
from typing import Any

from django.db import models

from multisync import multisync
from multisync.django import MultisyncModel


class Question(MultisyncModel):
    text = models.CharField(max_length=200)

    @multisync
    def publish(self) -> int:
        return 1


class Choice(MultisyncModel):
    question = models.ForeignKey(Question, on_delete=models.CASCADE)

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
"""

# A relation added to the models: a new reverse accessor on Question too.
EDITED_MODELS = MODELS.replace(
    "    question = models.ForeignKey(Question, on_delete=models.CASCADE)\n",
    "    question = models.ForeignKey(Question, on_delete=models.CASCADE)\n"
    "    parent = models.ForeignKey(Question, null=True, on_delete=models.SET_NULL,"
    ' related_name="children")\n',
)

MAIN = """\
from myapp.models import Choice, Question


async def check(choice: Choice, question: Question) -> None:
    reveal_type(await choice.a.question)
    reveal_type(await question.a.choice_set)
    reveal_type(await question.publish_async())
    reveal_type(choice.save.a)
    reveal_type(await Question.objects.get.a(pk=1))
    await choice.a.parent
"""

EDITED_MAIN = MAIN.replace(
    "    await choice.a.parent", "    reveal_type(await choice.a.parent)"
) + ("    reveal_type(await question.a.children)\n")


def write_project(root: Path, models: str, main: str) -> None:
    """The settings, the app and the module that uses it."""
    (root / "myapp").mkdir(exist_ok=True)
    (root / "myapp" / "__init__.py").write_text("")
    (root / "myapp" / "models.py").write_text(models)
    (root / "main.py").write_text(main)
    (root / "typing_settings.py").write_text(SETTINGS)
    (root / "mypy.ini").write_text(CONFIG)


def run_mypy(root: Path, cache: Path) -> str:
    """The report of mypy on `main.py`, with `cache` as its cache directory.

    Revealed types read as mypy 1.20 and later print them (`versions.as_printed_today`).
    """
    environment = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO")}
    command = [sys.executable, "-c", RUN_MYPY, "--config-file", "mypy.ini"]
    command += ["--cache-dir", str(cache), "main.py"]
    result = subprocess.run(
        command, cwd=root, env=environment, capture_output=True, text=True, check=False
    )
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    return "".join(as_printed_today(line) for line in result.stdout.splitlines(keepends=True))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project checked once, so that its cache holds every module."""
    write_project(tmp_path, MODELS, MAIN)
    first = run_mypy(tmp_path, tmp_path / "cache")
    assert '"Choice.a" has no relation "parent"' in first
    return tmp_path


def test_mypy_incremental_run_after_model_edit_matches_cold_run(project: Path) -> None:
    """After a model gains a relation, the incremental report equals a cold one."""
    write_project(project, EDITED_MODELS, EDITED_MAIN)
    incremental = run_mypy(project, project / "cache")
    cold = run_mypy(project, project / "cold-cache")
    assert incremental == cold
    assert 'Revealed type is "myapp.models.Question | None"' in cold  # choice.a.parent
    assert 'Revealed type is "list[myapp.models.Choice]"' in cold  # question.a.children


def test_mypy_incremental_run_after_use_edit_matches_cold_run(project: Path) -> None:
    """With the models unchanged (read from the cache), the report equals a cold one."""
    write_project(project, MODELS, MAIN + "    reveal_type(choice.save_async)\n")
    incremental = run_mypy(project, project / "cache")
    cold = run_mypy(project, project / "cold-cache")
    assert incremental == cold
    assert "AsyncHalf[[*args: Any, **kwargs: Any], None]" in cold  # choice.save_async
