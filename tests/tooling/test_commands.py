"""`AsyncBaseCommand`: `async def handle` with everything a Django command has.

The example commands live in tests/tooling/commandapp: `tally` (a query, options, a
`CommandError`) and `waitforctrlc`. In-process tests pass command objects to
`call_command()`; the exit codes are also checked on `python -m django` subprocesses.
"""

from __future__ import annotations

import asyncio
import os
import signal
from io import StringIO
from typing import TYPE_CHECKING, Any

import pytest
from asgiref.sync import sync_to_async
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from multisync import SyncCallInEventLoopError
from multisync.django.commands import AsyncBaseCommand
from tests.testapp.models import Choice, Question
from tests.tooling.commandapp.management.commands import tally
from tests.tooling.conftest import (
    django_command,
    interrupt_when_ready,
    run,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.db.backends.base.base import BaseDatabaseWrapper


@pytest.fixture
def question(db: None) -> Question:
    """A question with two choices."""
    question = Question.objects.create(question_text="What's new?")
    Choice.objects.create(question=question, choice_text="Not much", votes=1)
    Choice.objects.create(question=question, choice_text="The sky", votes=2)
    return question


def call(*args: Any, **options: Any) -> str:
    """Run `tally` with call_command() and give its output."""
    out = StringIO()
    call_command(tally.Command(), *args, stdout=out, **options)
    return out.getvalue()


# --- call_command --------------------------------------------------------------------


def test_async_command_call_command_writes_output(question: Question) -> None:
    """The string `handle()` returns is the command's output, as for sync commands."""
    assert call(str(question.pk)) == "2 The sky\n1 Not much\n"


def test_async_command_call_command_parses_options(question: Question) -> None:
    """Options work as command-line arguments and as keyword arguments."""
    assert call(str(question.pk), "--top", "1") == "2 The sky\n"
    assert call(str(question.pk), top=1) == "2 The sky\n"


def test_async_command_command_error_reaches_caller(db: None) -> None:
    """A CommandError from `handle()` propagates out of call_command() unchanged."""
    with pytest.raises(CommandError) as error:
        call("999")
    assert error.value.args == ("Question 999 does not exist.",)


async def test_async_command_call_command_inside_sync_to_async(question: Question) -> None:
    """From async code, `await sync_to_async(call_command)(...)` runs the command."""
    out = StringIO()
    await sync_to_async(call_command)(tally.Command(), str(question.pk), stdout=out)
    assert out.getvalue() == "2 The sky\n1 Not much\n"


async def test_async_command_call_command_in_event_loop_raises(db: None) -> None:
    """Calling it straight from a running loop raises, naming the spelling to use."""
    with pytest.raises(SyncCallInEventLoopError) as error:
        call_command(tally.Command(), "1")
    assert str(error.value) == (
        "`tally` is an async command, and it cannot run in a thread where an event loop "
        "is running: it would block the loop that its `handle()` needs. Use "
        '`await sync_to_async(call_command)("tally", ...)` instead. '
        "(See https://multisync.readthedocs.io/en/latest/errors/#ms-sync-call-in-loop)"
    )


def test_async_command_super_handle_is_awaitable(question: Question) -> None:
    """A subclass extends `handle()` with `await super().handle(...)`."""

    class Shouting(tally.Command):
        async def handle(self, **options: Any) -> str:  # type: ignore[override]
            return (await super().handle(**options)).upper()

    out = StringIO()
    call_command(Shouting(), str(question.pk), stdout=out)
    assert out.getvalue() == "2 THE SKY\n1 NOT MUCH\n"


def test_async_command_sync_handle_rejected_at_class_creation() -> None:
    """A plain `def handle` in an AsyncBaseCommand is a TypeError when the class is made."""
    with pytest.raises(TypeError) as error:

        class Command(AsyncBaseCommand):
            def handle(self, *args: Any, **options: Any) -> None:  # type: ignore[override]
                pass

    message = (
        "`test_async_command_sync_handle_rejected_at_class_creation.<locals>.Command.handle` "
        "is a plain `def`, but an AsyncBaseCommand runs a coroutine: write "
        "`async def handle(self, *args, **options)`, or derive the command from "
        "django.core.management.BaseCommand"
    )
    assert error.value.args == (message,)


def test_async_command_without_handle_not_implemented() -> None:
    """AsyncBaseCommand itself has no work to do, as BaseCommand has none."""
    with pytest.raises(NotImplementedError) as error:
        call_command(AsyncBaseCommand())
    assert error.value.args == (
        "subclasses of AsyncBaseCommand must provide an async handle() method",
    )


# --- connections ---------------------------------------------------------------------


class OpensWorkerConnection(AsyncBaseCommand):
    """Queries in a `thread_sensitive=False` hop: a connection in a worker thread."""

    worker_connection: BaseDatabaseWrapper | None = None

    async def handle(self, **options: Any) -> None:  # type: ignore[override]  # noqa: ARG002  # no options
        def select_one() -> None:
            self.worker_connection = connections["default"]
            with self.worker_connection.cursor() as cursor:
                cursor.execute("SELECT 1")

        await sync_to_async(select_one, thread_sensitive=False)()


@pytest.fixture
def closed_connections(monkeypatch: pytest.MonkeyPatch) -> list[BaseDatabaseWrapper]:
    """The connection objects whose `close()` runs during the test."""
    closed: list[BaseDatabaseWrapper] = []
    backend = type(connections["default"])
    original: Callable[[BaseDatabaseWrapper], None] = backend.close

    def close(self: BaseDatabaseWrapper) -> None:
        closed.append(self)
        original(self)

    monkeypatch.setattr(backend, "close", close)
    return closed


def test_async_command_closes_connections_it_opened(
    db: None, closed_connections: list[BaseDatabaseWrapper]
) -> None:
    """The connection the command opened in a worker thread is closed when it ends."""
    command = OpensWorkerConnection()
    call_command(command)
    assert command.worker_connection is not None
    assert command.worker_connection is not connections["default"]
    assert closed_connections == [command.worker_connection]


def test_async_command_keeps_callers_connection_open(
    question: Question, closed_connections: list[BaseDatabaseWrapper]
) -> None:
    """The test's own connection, open before the command, stays open and usable."""
    call(str(question.pk))
    assert closed_connections == []
    assert connection.in_atomic_block
    assert Question.objects.count() == 1


# --- the command line ----------------------------------------------------------------


def test_async_command_help_lists_options(capsys: pytest.CaptureFixture[str]) -> None:
    """`--help` prints the usage with the command's own options and exits with 0."""
    with pytest.raises(SystemExit) as exit_:
        tally.Command().run_from_argv(["manage.py", "tally", "--help"])
    out = capsys.readouterr().out
    assert exit_.value.code == 0
    assert out.startswith("usage: manage.py tally [-h] [--top TOP]")
    assert "Print the votes of a question's choices, best first." in out
    assert "--top TOP             Only the N best choices." in out


def test_async_command_command_error_exits_with_one(capsys: pytest.CaptureFixture[str]) -> None:
    """From the command line a CommandError prints its message and exits with 1."""
    with pytest.raises(SystemExit) as exit_:
        tally.Command().run_from_argv(["manage.py", "tally", "1", "--top", "0"])
    assert exit_.value.code == 1
    assert capsys.readouterr().err == "CommandError: --top must be at least 1, not 0.\n"


class InterruptsItself(AsyncBaseCommand):
    """Sends itself SIGINT, as Ctrl-C does, then waits to be cancelled."""

    cleaned_up = False

    async def handle(self, **options: Any) -> None:  # type: ignore[override]  # noqa: ARG002  # no options
        try:
            os.kill(os.getpid(), signal.SIGINT)
            await asyncio.sleep(30)
        finally:
            self.cleaned_up = True


def test_async_command_ctrl_c_cancels_handle_and_exits_130(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Ctrl-C cancels `handle()` (its `finally` runs), prints "Interrupted." and exits 130."""
    command = InterruptsItself()
    with pytest.raises(SystemExit) as exit_:
        command.run_from_argv(["manage.py", "interruptsitself"])
    assert exit_.value.code == 130
    assert command.cleaned_up
    assert capsys.readouterr().err == "Interrupted.\n"
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_async_command_exit_codes_from_manage_py(
    question: Question, shared_database: Callable[[], dict[str, str]]
) -> None:
    """`python -m django tally` exits with 0 on success and 1 on a CommandError."""
    env = shared_database()
    ok = run(django_command("tally", str(question.pk)), env)
    missing = run(django_command("tally", "999"), env)
    assert (ok.returncode, ok.stdout, ok.stderr) == (0, "2 The sky\n1 Not much\n", "")
    assert (missing.returncode, missing.stdout) == (1, "")
    assert missing.stderr == "CommandError: Question 999 does not exist.\n"


def test_async_command_ctrl_c_from_manage_py_exits_130() -> None:
    """A real SIGINT to `python -m django waitforctrlc` cleans up and exits with 130."""
    result = interrupt_when_ready(django_command("waitforctrlc"))
    assert result == (130, "cleaned up\n", "Interrupted.\n")
