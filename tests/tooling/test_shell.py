"""`manage.py ashell`: the asyncio REPL with Django set up and the models imported.

The REPL, `-c` and piped scripts are driven as `python -m django ashell` subprocesses
on the test database; the namespace, the loop thread and the console are also tested
in-process, without a database.
"""

from __future__ import annotations

import asyncio
import io
import os
import signal
import subprocess
import threading
from contextlib import redirect_stderr, redirect_stdout
from typing import TYPE_CHECKING, Any

import django
import pytest
from django.core.management import call_command

import multisync
from multisync.django.commands.shell import AsyncConsole, Command, EventLoopThread
from tests.testapp.models import Choice, Question
from tests.tooling.conftest import (
    ROOT,
    SUBPROCESS_TIMEOUT,
    django_command,
    interrupt_when_ready,
    run,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

PYTHON = ".".join(map(str, os.sys.version_info[:3]))  # type: ignore[attr-defined]
HEADER = (
    f"asyncio REPL: Python {PYTHON}, Django {django.get_version()}, "
    f"multisync {multisync.__version__}.\n"
    "Use `await` at the prompt; statements without it run in a worker thread.\n"
)


@pytest.fixture
def question(transactional_db: None) -> Question:
    """A committed question with two choices, for the subprocesses to read."""
    question = Question.objects.create(question_text="What's new?")
    Choice.objects.create(question=question, choice_text="Not much", votes=1)
    Choice.objects.create(question=question, choice_text="The sky", votes=2)
    return question


def repl(env: dict[str, str], lines: list[str]) -> tuple[str, str]:
    """Type `lines` into the REPL, then end the input; give (stdout, stderr).

    The input is written only once the banner's first line is out, so the shell has
    already decided that stdin holds no script to run. Unbuffered pipes: reading that
    line must leave the rest of stderr to `communicate()`.
    """
    process = subprocess.Popen(
        django_command("ashell"),
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,
    )
    assert process.stderr is not None
    first = process.stderr.readline()
    typed = "".join(f"{line}\n" for line in lines).encode()
    out, err = process.communicate(typed, SUBPROCESS_TIMEOUT)
    assert process.returncode == 0, err
    return out.decode(), (first + err).decode()


# --- the REPL, as a subprocess ----------------------------------------------------------


def test_ashell_repl_awaits_at_the_prompt(
    question: Question, shared_database: Callable[[], dict[str, str]]
) -> None:
    """`await` works at the prompt, sync ORM calls work without it, values are echoed."""
    out, _ = repl(
        shared_database(),
        [
            f"question = await Question.objects.get.a(pk={question.pk})",
            "question.question_text",
            "await question.a.choice_set",
            "Question.objects.count()",
        ],
    )
    assert out == (
        '>>> >>> "What\'s new?"\n>>> [<Choice: Not much>, <Choice: The sky>]\n>>> 1\n>>> '
    )


def test_ashell_repl_banner_lists_imports(
    question: Question, shared_database: Callable[[], dict[str, str]]
) -> None:
    """The banner names the versions and every import line, models and multisync."""
    _, err = repl(shared_database(), [])
    assert err.startswith(HEADER + "Imported:\n  import asyncio\n  import multisync\n")
    assert "\n  from django.contrib.auth.models import Group, Permission, User\n" in err
    assert "\n  from tests.testapp.models import Archived, AsaveOnly," in err


def test_ashell_repl_guard_applies_in_await_statements(
    question: Question, shared_database: Callable[[], dict[str, str]]
) -> None:
    """A statement with `await` is async code: an unloaded relation raises the guard error."""
    out, err = repl(
        shared_database(),
        [
            "choice = await Choice.objects.order_by('pk').afirst()",
            "await asyncio.sleep(0) or choice.question",
            "choice.question",  # no await: a worker thread, where loading is fine
        ],
    )
    assert out == ">>> >>> >>> <Question: What's new?>\n>>> "
    assert '\nTraceback (most recent call last):\n  File "<console>", line 1, in <module>\n' in err
    assert "UnprefetchedRelatedModelAccessError: `Choice.question` is not loaded" in err


# --- scripts: -c and stdin --------------------------------------------------------------


def test_ashell_command_option_runs_and_exits(
    question: Question, shared_database: Callable[[], dict[str, str]]
) -> None:
    """`-c` runs its code, `await` included, with no banner, and exits with 0."""
    code = "print(await Question.objects.acount())"
    result = run(django_command("ashell", "-c", code), shared_database())
    assert (result.returncode, result.stdout, result.stderr) == (0, "1\n", "")


def test_ashell_command_option_error_exits_with_one(
    question: Question, shared_database: Callable[[], dict[str, str]]
) -> None:
    """An error in `-c` code shows its traceback and exits with 1."""
    result = run(django_command("ashell", "-c", "await asyncio.sleep(0)\n1 / 0"), shared_database())
    assert result.returncode == 1
    assert result.stderr.endswith("ZeroDivisionError: division by zero\n")


def test_ashell_stdin_script_runs_as_a_whole(
    question: Question, shared_database: Callable[[], dict[str, str]], tmp_path: Path
) -> None:
    """Code piped into stdin runs as one script, without prompts, `await` allowed."""
    script = tmp_path / "script.py"
    script.write_text(
        "question = await Question.objects.aget()\n"
        "for choice in await question.a.choice_set:\n"
        "    print(choice.votes, choice.choice_text)\n"
    )
    with script.open() as stdin:
        result = run(django_command("ashell"), shared_database(), stdin=stdin)
    assert (result.returncode, result.stdout, result.stderr) == (0, "1 Not much\n2 The sky\n", "")


# --- the command in-process ------------------------------------------------------------


def test_ashell_auto_imports_models_and_multisync() -> None:
    """The default imports are asyncio, multisync and every installed model."""
    paths = Command().get_auto_imports()
    assert paths[:2] == ["asyncio", "multisync"]
    assert "tests.testapp.models.Question" in paths
    assert "django.contrib.auth.models.User" in paths


def test_ashell_import_objects_first_name_wins() -> None:
    """On a name clash the first path wins and the other is reported."""
    err = io.StringIO()
    imported = Command(stderr=err).import_objects(["json.loads", "pickle.loads"])
    assert imported["loads"].__module__ == "json"
    assert err.getvalue() == "Not imported: pickle.loads (the name loads is taken)\n"


def test_ashell_import_objects_reports_failures() -> None:
    """A path that does not import is reported and skipped."""
    err = io.StringIO()
    imported = Command(stderr=err).import_objects(["json.nope", "json"])
    assert list(imported) == ["json"]
    assert err.getvalue() == "Could not import json.nope: No module named 'json.nope'\n"


def test_ashell_banner_groups_imports_by_module() -> None:
    """The banner lists `import` lines, then one `from` line per module."""
    imported = {"multisync": multisync, "Question": Question, "Choice": Choice}
    assert Command().banner(imported, verbosity=1) == HEADER + (
        "Imported:\n  import multisync\n  from tests.testapp.models import Choice, Question"
    )
    assert Command().banner(imported, verbosity=0) == HEADER.rstrip("\n")


def test_ashell_no_imports_starts_empty(capsys: pytest.CaptureFixture[str]) -> None:
    """`--no-imports` starts with nothing imported."""
    call_command("ashell", no_imports=True, command="print(sorted(globals()))")
    assert capsys.readouterr().out == "['__builtins__', '__name__']\n"


def test_ashell_command_option_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    """`call_command("ashell", command=...)` runs the code, awaiting included."""
    call_command("ashell", command="await asyncio.sleep(0)\nprint(Question.__name__)")
    assert capsys.readouterr().out == "Question\n"


# --- the loop thread and the console ----------------------------------------------------


def compiled(source: str, mode: str = "single") -> Any:
    """Compile a statement as the console does."""
    import ast

    return compile(source, "<console>", mode, flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)


def test_event_loop_thread_runs_await_on_loop_and_sync_in_worker() -> None:
    """Code with `await` runs on the loop's thread; code without in the worker thread."""
    namespace: dict[str, Any] = {"threading": threading, "asyncio": asyncio}
    with EventLoopThread() as loop_thread:
        on_loop = loop_thread.run(
            compiled("await asyncio.sleep(0) or threading.current_thread()", "eval"), namespace
        )
        in_worker = loop_thread.run(compiled("threading.current_thread()", "eval"), namespace)
    assert on_loop is loop_thread.thread
    assert in_worker not in {loop_thread.thread, threading.current_thread()}


def test_event_loop_thread_keeps_tasks_between_statements() -> None:
    """A task started by one statement keeps running and can be awaited by the next."""
    namespace: dict[str, Any] = {"asyncio": asyncio}
    with EventLoopThread() as loop_thread:
        started = "task = asyncio.create_task(asyncio.sleep(0.01, 42)); await asyncio.sleep(0)"
        loop_thread.run(compiled(started), namespace)
        assert not namespace["task"].done()
        assert loop_thread.run(compiled("await task", "eval"), namespace) == 42


def test_event_loop_thread_bare_create_task_explains_worker_thread() -> None:
    """A statement that needs the loop but has no `await` fails with a note saying why."""
    namespace: dict[str, Any] = {"asyncio": asyncio}
    with EventLoopThread() as loop_thread, pytest.raises(RuntimeError) as error:
        loop_thread.run(compiled("asyncio.get_running_loop()"), namespace)
    assert error.value.args == ("no running event loop",)
    note = (
        "This statement has no `await`, so it ran in a worker thread, where no event loop "
        "runs. A statement with an `await` runs on the loop: add one, as in "
        "`task = asyncio.create_task(...); await asyncio.sleep(0)`."
    )
    assert error.value.__notes__ == [note]


def test_event_loop_thread_ctrl_c_cancels_statement() -> None:
    """Ctrl-C while a statement awaits cancels it, lets it clean up, and re-raises."""
    source = (
        "try:\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "    await asyncio.sleep(30)\n"
        "finally:\n"
        "    cleaned_up = True\n"
    )
    namespace: dict[str, Any] = {"os": os, "signal": signal, "asyncio": asyncio}
    with EventLoopThread() as loop_thread, pytest.raises(KeyboardInterrupt):
        loop_thread.run(compiled(source, "exec"), namespace)
    assert namespace["cleaned_up"] is True


def test_event_loop_thread_exit_cancels_leftover_tasks() -> None:
    """Leaving the session cancels the tasks still running and stops the loop."""
    namespace: dict[str, Any] = {"asyncio": asyncio}
    with EventLoopThread() as loop_thread:
        started = "task = asyncio.create_task(asyncio.sleep(30)); await asyncio.sleep(0)"
        loop_thread.run(compiled(started), namespace)
    assert namespace["task"].cancelled()
    assert not loop_thread.thread.is_alive()


def console_session(lines: list[str], namespace: dict[str, Any] | None = None) -> tuple[str, str]:
    """Push `lines` into an AsyncConsole; give (stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with EventLoopThread() as loop_thread, redirect_stdout(out), redirect_stderr(err):
        console = AsyncConsole(loop_thread, {"asyncio": asyncio, **(namespace or {})})
        for line in lines:
            console.push(line)
    return out.getvalue(), err.getvalue()


def test_async_console_echoes_awaited_values() -> None:
    """An awaited expression is echoed like any other, and names persist."""
    out, err = console_session(
        ["x = await asyncio.sleep(0, 'done')", "x", "await asyncio.sleep(0, 2) * 3"]
    )
    assert (out, err) == ("'done'\n6\n", "")


def test_async_console_traceback_starts_at_user_code() -> None:
    """A traceback shows the user's frames, none of the shell's machinery."""
    _, err = console_session(
        ["def fail():", "    return 1 / 0", "", "await asyncio.sleep(0) or fail()"]
    )
    assert err == (
        "Traceback (most recent call last):\n"
        '  File "<console>", line 1, in <module>\n'
        '  File "<console>", line 2, in fail\n'
        "ZeroDivisionError: division by zero\n"
    )


def test_async_console_exit_raises_system_exit() -> None:
    """`raise SystemExit` ends the session instead of being shown as an error."""
    with pytest.raises(SystemExit) as exit_:
        console_session(["raise SystemExit(3)"])
    assert exit_.value.code == 3


def test_ashell_command_option_ctrl_c_exits_130_with_one_line() -> None:
    """Ctrl-C during `ashell -c` prints `Interrupted.`, no traceback, and exits with 130."""
    code = "print('ready', flush=True); await asyncio.sleep(100)"
    argv = django_command("ashell", "--no-imports", "-c", f"import asyncio; {code}")
    assert interrupt_when_ready(argv) == (130, "", "Interrupted.\n")
