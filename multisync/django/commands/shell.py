"""`manage.py ashell`: Python's asyncio REPL, with Django set up and the models imported.

```text
$ python manage.py ashell
>>> question = await Question.objects.aget(pk=1)
>>> await question.a.choice_set
[<Choice: Not much>, <Choice: The sky>]
```

The threads, as in `python -m asyncio`: the prompt reads input in the main thread, and
an event loop runs forever in a second one. Each statement is compiled with top-level
`await` allowed, then:

- a statement with `await` (or `async for`, `async with`) runs as a task on the loop,
  so tasks it starts keep running between prompts; sync ORM calls in it raise, as in
  any async code;
- a statement without runs in the loop's `sync_to_async` thread, where sync ORM calls
  work (`Question.objects.count()`), on the same connection as the `.a()` hops, and
  where no event loop runs (a bare `asyncio.create_task(...)` needs an `await` beside
  it).

Ctrl-C cancels the running statement. `-c` runs a piece of code and exits, and so does
code piped into stdin, as with Django's `shell`.
"""

from __future__ import annotations

import ast
import asyncio
import code
import concurrent.futures
import contextlib
import importlib
import inspect
import select
import sys
import threading
import traceback
from typing import TYPE_CHECKING, Any, Self

import django
from asgiref.sync import sync_to_async
from django.apps import apps
from django.core.management.base import BaseCommand

import multisync
from multisync.django.commands._cleanup import closing_opened_connections
from multisync.django.commands.base import INTERRUPTED_EXIT_CODE, INTERRUPTED_MESSAGE

if TYPE_CHECKING:
    from argparse import ArgumentParser
    from collections.abc import Iterable
    from types import CodeType, TracebackType

__all__ = ["AsyncConsole", "Command", "EventLoopThread"]


class Command(BaseCommand):
    """The `ashell` management command; override `get_auto_imports()` to change the imports.

    !!! note "Added in 0.1"
    """

    help = (
        "Open Python's asyncio REPL with Django set up and the models of every installed "
        "app imported: `await Question.objects.aget(pk=1)` works at the prompt."
    )
    requires_system_checks = ()  # a shell, as Django's

    def add_arguments(self, parser: ArgumentParser) -> None:
        """Add `-c/--command` and `--no-imports`."""
        parser.add_argument(
            "-c",
            "--command",
            help="Run this code (top-level `await` allowed) and exit, instead of the REPL.",
        )
        parser.add_argument(
            "--no-imports",
            action="store_true",
            help="Start with nothing imported, instead of every installed app's models.",
        )

    def run_from_argv(self, argv: list[str]) -> None:
        """Run from `manage.py`; Ctrl-C stops `-c` or a piped script with exit code 130.

        The running statement is cancelled first (see `EventLoopThread.run`); then, as
        for `AsyncBaseCommand`, a line instead of a `KeyboardInterrupt` traceback. At the
        prompt, Ctrl-C stops the statement and the REPL goes on, as Python's does.
        """
        try:
            super().run_from_argv(argv)
        except KeyboardInterrupt:
            self.stderr.write(INTERRUPTED_MESSAGE)
            sys.exit(INTERRUPTED_EXIT_CODE)

    def handle(self, *args: Any, **options: Any) -> None:  # noqa: ARG002  # Django's signature
        """Run `-c`, or piped stdin, or the REPL, in an event loop of its own thread."""
        namespace: dict[str, Any] = {"__name__": "__main__"}
        imported = {} if options["no_imports"] else self.import_objects(self.get_auto_imports())
        namespace.update(imported)
        with closing_opened_connections(), EventLoopThread() as loop_thread:
            if options["command"] is not None:
                loop_thread.run(_compile_script(options["command"], "<command>"), namespace)
            elif _stdin_has_input():
                loop_thread.run(_compile_script(sys.stdin.read(), "<stdin>"), namespace)
            else:
                console = AsyncConsole(loop_thread, namespace)
                console.interact(self.banner(imported, options["verbosity"]), exitmsg="")

    def get_auto_imports(self) -> list[str]:
        """What the REPL starts with: module names and dotted paths of objects.

        `asyncio`, `multisync`, then every model of every installed app, in
        `INSTALLED_APPS` order; on a name clash the first one wins.
        """
        models = [
            f"{model.__module__}.{model.__name__}"
            for app_config in apps.get_app_configs()
            for model in app_config.get_models()
        ]
        return ["asyncio", "multisync", *models]

    def import_objects(self, paths: Iterable[str]) -> dict[str, Any]:
        """Import each path under its last name; report what fails or clashes on stderr."""
        imported: dict[str, Any] = {}
        for path in paths:
            name = path.rpartition(".")[2]
            try:
                value = _import_path(path)
            except (ImportError, AttributeError) as error:
                self.stderr.write(f"Could not import {path}: {error}")
                continue
            if name in imported and imported[name] is not value:
                self.stderr.write(f"Not imported: {path} (the name {name} is taken)")
                continue
            imported[name] = value
        return imported

    def banner(self, imported: dict[str, Any], verbosity: int) -> str:
        """The lines printed above the first prompt: versions, then what was imported."""
        python = ".".join(map(str, sys.version_info[:3]))
        versions = (
            f"Python {python}, Django {django.get_version()}, multisync {multisync.__version__}"
        )
        lines = [
            f"asyncio REPL: {versions}.",
            "Use `await` at the prompt; statements without it run in a worker thread.",
        ]
        if verbosity >= 1 and imported:
            lines += ["Imported:", *(f"  {line}" for line in _import_lines(imported))]
        return "\n".join(lines)


def _import_path(path: str) -> Any:
    """The module at `path`, or the object that the last part of `path` names."""
    module_name, _, name = path.rpartition(".")
    if not module_name:
        return importlib.import_module(path)
    module = importlib.import_module(module_name)
    try:
        return getattr(module, name)
    except AttributeError:  # a submodule not imported by its package
        return importlib.import_module(path)


def _import_lines(imported: dict[str, Any]) -> list[str]:
    """`import x` and `from m import A, B` lines that would rebuild the namespace."""
    modules: list[str] = []
    objects: dict[str, list[str]] = {}
    for name, value in imported.items():
        if inspect.ismodule(value) and value.__name__ == name:
            modules.append(name)
        else:
            objects.setdefault(getattr(value, "__module__", "?"), []).append(name)
    return [f"import {name}" for name in sorted(modules)] + [
        f"from {module} import {', '.join(sorted(names))}"
        for module, names in sorted(objects.items())
    ]


def _compile_script(source: str, filename: str) -> CodeType:
    """Compile a whole script in which top-level `await` is allowed."""
    flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    compiled: CodeType = compile(source, filename, "exec", flags=flags, dont_inherit=True)
    return compiled


def _stdin_has_input() -> bool:
    """Whether stdin is a pipe or file with data waiting, as in `ashell < script.py`."""
    if sys.platform == "win32" or sys.stdin is None or sys.stdin.isatty():
        return False
    readable, _, _ = select.select([sys.stdin], [], [], 0)
    return bool(readable)


_NO_LOOP_NOTE = (
    "This statement has no `await`, so it ran in a worker thread, where no event loop "
    "runs. A statement with an `await` runs on the loop: add one, as in "
    "`task = asyncio.create_task(...); await asyncio.sleep(0)`."
)


async def _evaluate(code: CodeType, namespace: dict[str, Any]) -> Any:
    """Run compiled code: on the loop if it awaits, else in the `sync_to_async` thread.

    The second keeps sync ORM calls working at the prompt (as IPython's autoawait runs
    cells without `await` outside the loop); it costs the loop to code that needs one
    without awaiting, such as a bare `asyncio.create_task(...)`, whose error says so.
    """
    if code.co_flags & inspect.CO_COROUTINE:
        return await eval(code, namespace)  # noqa: S307  # the shell runs what its user typed
    try:
        return await sync_to_async(eval)(code, namespace)
    except RuntimeError as error:
        if error.args == ("no running event loop",):
            error.add_note(_NO_LOOP_NOTE)
        raise


class EventLoopThread:
    """An event loop running forever in a thread of its own, for the code of one session.

    Use it as a context manager: leaving it cancels the tasks still running, stops the
    loop and waits for its thread.
    """

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(
            target=self.loop.run_forever, name="ashell event loop", daemon=True
        )

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        asyncio.run_coroutine_threadsafe(self._shut_down(), self.loop).result()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()

    async def _shut_down(self) -> None:
        current = asyncio.current_task()
        leftovers = [task for task in asyncio.all_tasks() if task is not current]
        for task in leftovers:
            task.cancel()
        await asyncio.gather(*leftovers, return_exceptions=True)
        await self.loop.shutdown_asyncgens()
        await self.loop.shutdown_default_executor()

    def run(self, code: CodeType, namespace: dict[str, Any]) -> Any:
        """Run compiled code in the session and give its value, or raise its error, here.

        Ctrl-C (a `KeyboardInterrupt` in this thread) cancels the code, waits for it to
        stop and raises again; a second Ctrl-C stops the wait.
        """
        outcome: concurrent.futures.Future[Any] = concurrent.futures.Future()

        async def run_and_report() -> None:
            try:
                outcome.set_result(await _evaluate(code, namespace))
            # Everything goes back to the caller's thread, SystemExit from `exit()` and
            # the cancellation included; raised here, they would stop the loop.
            except BaseException as error:  # noqa: BLE001
                outcome.set_exception(error)

        task = asyncio.run_coroutine_threadsafe(run_and_report(), self.loop)
        try:
            return outcome.result()
        except KeyboardInterrupt:
            task.cancel()
            with contextlib.suppress(BaseException):
                outcome.exception()
            raise


class AsyncConsole(code.InteractiveConsole):
    """`code.InteractiveConsole` with top-level `await`, running code on an `EventLoopThread`."""

    def __init__(self, loop_thread: EventLoopThread, namespace: dict[str, Any]) -> None:
        super().__init__(namespace)
        self.compile.compiler.flags |= ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
        self.loop_thread = loop_thread
        self.namespace = namespace
        if sys.stdin is not None and sys.stdin.isatty():
            _enable_line_editing(namespace)

    def runcode(self, code: CodeType) -> None:
        """Run one compiled statement and show its error, if any."""
        try:
            self.loop_thread.run(code, self.namespace)
        except SystemExit:
            raise
        except KeyboardInterrupt:
            self.write("\nKeyboardInterrupt\n")
        except BaseException:  # noqa: BLE001  # shown, as the REPL shows every error
            self.showtraceback()

    def showtraceback(self) -> None:
        """Show the error from the first frame of the user's code on, as Python's REPL does."""
        error = sys.exc_info()[1]
        if error is None:
            return
        tb = error.__traceback__
        user_tb = tb
        while user_tb is not None and user_tb.tb_frame.f_code.co_filename != self.filename:
            user_tb = user_tb.tb_next
        tb = user_tb or tb
        sys.last_type, sys.last_value, sys.last_traceback = type(error), error, tb
        if sys.version_info >= (3, 12):
            sys.last_exc = error
        self.write("".join(traceback.format_exception(type(error), error, tb)))


def _enable_line_editing(namespace: dict[str, Any]) -> None:
    """History and tab completion of the namespace's names, where readline exists."""
    try:
        import readline
        import rlcompleter
    except ImportError:  # Windows, or a Python built without it
        return
    readline.set_completer(rlcompleter.Completer(namespace).complete)
    readline.parse_and_bind("tab: complete")
