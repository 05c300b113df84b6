"""`AsyncBaseCommand`: a management command whose `handle` is an `async def`.

Django's `BaseCommand.execute()` runs the system checks, sets up the output and calls
`self.handle(...)` synchronously. `AsyncBaseCommand.execute()` keeps all of that and,
for the duration of the call, lets `self.handle` name a sync runner that drives the
coroutine to completion with `async_to_sync`.

`async_to_sync` runs the coroutine in an event loop of its own thread, and sends every
thread-sensitive `sync_to_async` hop back to the thread that called it: the main
thread for `manage.py`, the test's thread for `call_command()` in a `TestCase` (so the
command sees the test's transaction), the hop's thread for `call_command()` inside
`sync_to_async` (where the coroutine runs on the caller's event loop).
"""

from __future__ import annotations

import asyncio
import signal
import sys
import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ClassVar

from asgiref.sync import async_to_sync, iscoroutinefunction
from django.core.management.base import BaseCommand

from multisync.core import in_event_loop
from multisync.django.commands._cleanup import closing_opened_connections
from multisync.exceptions import SyncCallInEventLoopError

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine, Iterator
    from types import FrameType

__all__ = ["INTERRUPTED_EXIT_CODE", "INTERRUPTED_MESSAGE", "AsyncBaseCommand"]

# What shells report for a process ended by SIGINT: 128 + 2.
INTERRUPTED_EXIT_CODE = 130
INTERRUPTED_MESSAGE = "Interrupted."


class AsyncBaseCommand(BaseCommand):
    """A Django management command whose `handle` is a coroutine function.

    ```py
    from multisync.django.commands import AsyncBaseCommand


    class Command(AsyncBaseCommand):
        help = "Print the votes of a question's choices."

        def add_arguments(self, parser):
            parser.add_argument("question_id", type=int)

        async def handle(self, *args, **options):
            question = await Question.objects.aget(pk=options["question_id"])
            choices = await question.a.choice_set
            return ", ".join(f"{c.choice_text}: {c.votes}" for c in choices)
    ```

    Everything else is Django's: `manage.py`, `call_command()`, `--help`, options,
    system checks, `CommandError` (exit code 1) and the returned output. On top:

    - queries of `sync_to_async` hops run on the calling thread, as in a sync command;
    - the database connections the command opened, in any thread, are closed when it
      ends; connections that were open before (a test's) are left alone;
    - from the command line, Ctrl-C cancels `handle()` (its `finally` blocks and
      `async with` exits run), prints `Interrupted.` and exits with code 130.

    !!! note "Added in 0.1"
    """

    interrupted_message: ClassVar[str] = INTERRUPTED_MESSAGE
    _current_run: _HandleRun | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        handle = cls.__dict__.get("handle")
        if handle is not None and not iscoroutinefunction(handle):
            msg = (
                f"`{cls.__qualname__}.handle` is a plain `def`, but an AsyncBaseCommand "
                "runs a coroutine: write `async def handle(self, *args, **options)`, or "
                "derive the command from django.core.management.BaseCommand"
            )
            raise TypeError(msg)

    # The point of the class: `handle` is a coroutine function here.
    async def handle(self, *args: Any, **options: Any) -> str | None:  # type: ignore[override]  # pyright: ignore[reportIncompatibleMethodOverride]
        """The command's work: override it with an `async def`."""
        msg = "subclasses of AsyncBaseCommand must provide an async handle() method"
        raise NotImplementedError(msg)

    def execute(self, *args: Any, **options: Any) -> str | None:
        """Run the command as Django does, driving the async `handle()` to completion."""
        if in_event_loop():
            name = type(self).__module__.rpartition(".")[2]
            msg = (
                f"`{name}` is an async command, and it cannot run in a thread where an "
                "event loop is running: it would block the loop that its `handle()` "
                f'needs. Use `await sync_to_async(call_command)("{name}", ...)` instead.'
            )
            raise SyncCallInEventLoopError(msg)
        run = _HandleRun(type(self).handle.__get__(self))
        # Django's execute() calls `self.handle(...)` and writes what it returns; an
        # instance attribute shadows the coroutine function for that one call, so that
        # subclasses keep a plain `async def handle` and `await super().handle(...)`.
        vars(self)["handle"] = run.run_sync
        self._current_run = run
        try:
            return super().execute(*args, **options)
        finally:
            del vars(self)["handle"]
            self._current_run = None

    def run_from_argv(self, argv: list[str]) -> None:
        """Run from `manage.py`; Ctrl-C cancels `handle()` and exits with code 130."""
        with self._ctrl_c_cancels_handle():
            try:
                super().run_from_argv(argv)
            except KeyboardInterrupt:
                self.stderr.write(self.interrupted_message)
                sys.exit(INTERRUPTED_EXIT_CODE)

    @contextmanager
    def _ctrl_c_cancels_handle(self) -> Iterator[None]:
        """Turn the first Ctrl-C during `handle()` into the cancellation of its task.

        SIGINT reaches the main thread, which only waits while the event loop runs in
        another thread. Cancelling lets the coroutine clean up; a second Ctrl-C, or one
        outside `handle()`, is the usual `KeyboardInterrupt`. A handler that the
        program installed itself is left in place.
        """
        if (
            threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
        ):
            yield
            return

        def on_sigint(signum: int, frame: FrameType | None) -> None:
            run = getattr(self, "_current_run", None)
            if run is None or not run.interrupt():
                signal.default_int_handler(signum, frame)

        signal.signal(signal.SIGINT, on_sigint)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, signal.default_int_handler)


class _Interrupted(Exception):  # noqa: N818  # private: a KeyboardInterrupt in transit
    """`handle()` was cancelled by Ctrl-C; the calling thread raises KeyboardInterrupt."""


class _HandleRun:
    """One run of an async `handle()`, which Ctrl-C can cancel from the main thread."""

    def __init__(self, handle: Callable[..., Coroutine[Any, Any, str | None]]) -> None:
        self.handle = handle
        self.loop: asyncio.AbstractEventLoop | None = None
        self.task: asyncio.Task[Any] | None = None
        self.interrupted = False

    def run_sync(self, *args: Any, **options: Any) -> str | None:
        """Drive `handle()` to completion, closing the connections it opened."""
        try:
            with closing_opened_connections():
                return async_to_sync(self.run)(*args, **options)
        except _Interrupted:
            raise KeyboardInterrupt from None

    async def run(self, *args: Any, **options: Any) -> str | None:
        """Await `handle()`, remembering its task so that `interrupt()` can cancel it."""
        self.loop = asyncio.get_running_loop()
        self.task = asyncio.current_task()
        try:
            return await self.handle(*args, **options)
        except asyncio.CancelledError:
            if self.interrupted:
                raise _Interrupted from None
            raise

    def interrupt(self) -> bool:
        """Cancel the running `handle()` from another thread; say whether it did."""
        if self.interrupted or self.loop is None or self.task is None or self.task.done():
            return False
        self.interrupted = True
        self.loop.call_soon_threadsafe(self.task.cancel)
        return True
