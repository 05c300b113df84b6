"""docs/tutorial.md, followed step by step in a temporary directory.

The page's fenced blocks with a title are its files: ```py title="polls/models.py"
holds the whole of `polls/models.py`, relative to the project directory (where
`manage.py` is), and a title ending in " (add at the end)" adds the block to a file that
`startproject` wrote. The ```pycon block titled `python manage.py ashell` is the shell
session. None of them is a ```python block, so tests/test_docs.py does not run them.

The module fixture runs the page's commands with this interpreter (each command must
appear on the page word for word), writes the files, and replays the shell session,
asserting each result it shows. The tests then run the project's own tests, its
management command and its async views, through Django's `AsyncClient`.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import multisync
from tests.test_docs import python_blocks

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "docs" / "tutorial.md"
TEXT = TUTORIAL.read_text(encoding="utf-8")
TITLED = re.compile(
    r'^```(?P<lang>[\w-]+) title="(?P<title>[^"]+)"\n(?P<code>.*?)^```$',
    re.MULTILINE | re.DOTALL,
)
APPEND = " (add at the end)"
SESSION = "python manage.py ashell"

# The subprocesses import the multisync that this process imported, and pick their own
# settings: pytest-django's DJANGO_SETTINGS_MODULE would win over manage.py's setdefault.
ENV = {
    **{name: value for name, value in os.environ.items() if name != "DJANGO_SETTINGS_MODULE"},
    "PYTHONPATH": os.pathsep.join(
        [str(Path(multisync.__file__).resolve().parent.parent), os.environ.get("PYTHONPATH", "")]
    ).rstrip(os.pathsep),
    "PYTHONWARNINGS": "error::DeprecationWarning",
}

# Requests the views through Django's AsyncClient, in a transaction that is rolled back,
# and prints what each response gave, as JSON.
VISIT_VIEWS = """
import json

import django
from asgiref.sync import async_to_sync

django.setup()

from django.db import transaction
from django.test import AsyncClient
from django.test.utils import setup_test_environment

from polls.models import Choice, Question


async def visit():
    client = AsyncClient()
    question = await Question.objects.aget(question_text="Tea or coffee?")
    tea = await Choice.objects.aget(choice_text="Tea")
    detail = f"/polls/{question.pk}/"
    vote = f"{detail}vote/"
    requests = {
        "index": client.get("/polls/"),
        "detail": client.get(detail),
        "vote": client.post(vote, {"choice": tea.pk}),
        "vote again": client.post(vote, {"choice": tea.pk}),
        "detail after votes": client.get(detail),
        "vote without a choice": client.post(vote, {}),
        "vote for another question's choice": client.post("/polls/999/vote/", {"choice": tea.pk}),
        "vote with GET": client.get(vote),
        "missing question": client.get("/polls/999/"),
        "choices": client.get("/polls/choices/"),
    }
    pages = {"detail url": detail}
    for name, request in requests.items():
        response = await request
        pages[name] = [response.status_code, response.get("Location"), response.content.decode()]
    return pages


class Rollback(Exception):
    pass


setup_test_environment()
try:
    with transaction.atomic():
        pages = async_to_sync(visit)()
        raise Rollback
except Rollback:
    print(json.dumps(pages))
"""


@dataclass(frozen=True)
class Block:
    """A fenced block of the tutorial that has a title."""

    lang: str
    title: str
    code: str


def titled_blocks() -> list[Block]:
    """The tutorial's fenced blocks that have a title, in page order."""
    blocks = [Block(m["lang"], m["title"], m["code"]) for m in TITLED.finditer(TEXT)]
    assert len(blocks) == TEXT.count(' title="'), "a titled block is not at the line start"
    return blocks


def file_blocks() -> list[Block]:
    """The blocks that hold a file of the project."""
    return [block for block in titled_blocks() if block.title != SESSION]


def run(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a command that the tutorial shows, with this interpreter; it must succeed."""
    assert command in TEXT, f"the tutorial no longer says `{command}`"
    program, *args = shlex.split(command)
    launcher = {"django-admin": [sys.executable, "-m", "django"], "python": [sys.executable]}
    return run_argv([*launcher[program], *args], cwd)


def run_argv(
    argv: list[str], cwd: Path, env: dict[str, str] = ENV
) -> subprocess.CompletedProcess[str]:
    """Run a process to completion; fail with its output unless it exits with 0."""
    result = subprocess.run(  # noqa: PLW1510  # checked below, with the output in the message
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"{shlex.join(argv[1:])} failed:\n{result.stdout}{result.stderr}"
    return result


def write_files(project: Path) -> None:
    """Write (or extend) each file whose content the tutorial shows."""
    for block in file_blocks():
        path, append = block.title.removesuffix(APPEND), block.title.endswith(APPEND)
        target = project / path
        assert target.resolve().is_relative_to(project.resolve()), block.title
        target.parent.mkdir(parents=True, exist_ok=True)
        if append:
            target.write_text(
                f"{target.read_text(encoding='utf-8')}\n{block.code}", encoding="utf-8"
            )
        else:
            target.write_text(block.code, encoding="utf-8")


def session_script(session: str) -> str:
    """The statements of a `>>>` session, with an assertion on each result it shows."""
    chunks: list[tuple[list[str], list[str]]] = []
    for line in session.splitlines():
        if line.startswith(">>> "):
            chunks.append(([line[4:]], []))
        elif line.startswith("...") and not chunks[-1][1]:
            chunks[-1][0].append(line[4:])
        else:
            chunks[-1][1].append(line)
    script = []
    for statement, shown in chunks:
        source = "\n".join(statement)
        if not shown:
            script.append(source)
            continue
        tree = ast.parse(source)
        assert isinstance(tree.body[0], ast.Expr), f"a result shown for a statement: {source}"
        expected = "\n".join(shown)
        script += [f"shown = (\n{source}\n)", f"assert repr(shown) == {expected!r}, repr(shown)"]
    return "\n".join(script)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tutorial's project, built as the page says, with the shell session's data."""
    workdir = tmp_path_factory.mktemp("tutorial")
    run("django-admin startproject mysite", workdir)
    project = workdir / "mysite"
    run("python manage.py startapp polls", project)
    write_files(project)
    for package in ("polls/management/__init__.py", "polls/management/commands/__init__.py"):
        assert package in TEXT, f"the tutorial no longer creates {package}"
        (project / package).touch()
    run("python manage.py makemigrations polls", project)
    run("python manage.py migrate", project)
    (session,) = (block for block in titled_blocks() if block.title == SESSION)
    run_argv([sys.executable, "manage.py", "ashell", "-c", session_script(session.code)], project)
    return project


def test_tutorial_blocks_not_run_by_test_docs() -> None:
    """The tutorial has no ```python block: its files belong to another project."""
    assert python_blocks(TUTORIAL) == []


def test_tutorial_file_blocks_name_project_files() -> None:
    """Every titled block but the shell session names a file of the project."""
    titles = [block.title.removesuffix(APPEND) for block in file_blocks()]
    assert titles == [
        "mysite/settings.py",
        "polls/models.py",
        "polls/views.py",
        "polls/urls.py",
        "mysite/urls.py",
        "polls/templates/polls/index.html",
        "polls/templates/polls/detail.html",
        "polls/templates/polls/choices.html",
        "polls/tests.py",
        "polls/management/commands/leaders.py",
    ]


def test_tutorial_project_tests_pass(project: Path) -> None:
    """`manage.py test polls` runs every test of the page's tests.py, and they pass."""
    (tests,) = (block for block in file_blocks() if block.title == "polls/tests.py")
    result = run("python manage.py test polls", project)
    assert f"Ran {tests.code.count('def test_')} tests" in result.stderr
    assert "\n\nOK\n" in result.stderr


def test_tutorial_command_prints_what_the_page_shows(project: Path) -> None:
    """The AsyncBaseCommand prints the output that the page shows for it."""
    command = "python manage.py leaders"
    shown = TEXT.split(f"$ {command}\n", 1)[1].split("\n```", 1)[0]
    assert run(command, project).stdout == f"{shown}\n"


def test_tutorial_views_respond(project: Path) -> None:
    """The async views answer Django's AsyncClient as the page describes."""
    env = {**ENV, "DJANGO_SETTINGS_MODULE": "mysite.settings"}
    pages = json.loads(run_argv([sys.executable, "-c", VISIT_VIEWS], project, env).stdout)
    detail = pages["detail url"]

    assert pages["index"][0] == 200
    assert "Tea or coffee?</a>\n      (2 choices)" in pages["index"][2]
    assert pages["detail"][0] == 200
    assert "Coffee: 1 vote\n" in pages["detail"][2]
    assert "In the lead: Coffee." in pages["detail"][2]
    assert pages["vote"][:2] == [302, detail]
    assert pages["vote again"][:2] == [302, detail]
    assert "Tea: 2 votes" in pages["detail after votes"][2]
    assert "In the lead: Tea." in pages["detail after votes"][2]
    assert pages["vote without a choice"][0] == 400
    assert "Pick one of the choices." in pages["vote without a choice"][2]
    assert pages["vote for another question's choice"][0] == 404
    assert pages["vote with GET"][:2] == [405, None]
    assert pages["missing question"][0] == 404
    assert pages["choices"][0] == 200
    assert "Tea: 2, for “Tea or coffee?”" in pages["choices"][2]
