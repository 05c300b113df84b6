"""`atomic`: Django's `transaction.atomic` in sync code, a safe transaction in async code.

In sync code (`with atomic():`, `@atomic` on a `def`) this is Django's own class, and
nothing here runs. In async code (`async with atomic():`, `@atomic` on an `async def`)
a transaction has a problem to solve: Django keeps a connection, and its transaction,
per thread, and asgiref runs every thread-sensitive call of a request (every `aget()`,
`.a()`, `await obj.a.<name>`) on one shared thread. Entering Django's `atomic()` on
that thread drags every other task's calls into the transaction, and interleaves the
savepoints of concurrent blocks (docs/guide/transactions.md shows both failures).

asgiref lets a context choose where thread-sensitive calls go:
`ThreadSensitiveContext(executor=...)`, inherited by the tasks started in it. So:

- An outermost block leases a worker thread of its own (`_Workers`), whose connection
  becomes the transaction's, and enters a context whose executor is a `_Transaction`.
  The calls of the task and of the tasks it starts run there; a bystander's calls never
  do. The transaction begins on the worker just before the first call runs, in the same
  job, so entering the block costs no thread hop; leaving it is one hop that commits or
  rolls back, closes the worker's connections (a pool takes them back) and returns the
  worker for the next block.
- A nested block is a savepoint on the same connection. Each block lets one nested
  block open at a time (an `asyncio.Lock`), and while a nested block is open, the
  `_Transaction` holds back the calls of tasks outside it until it exits: a savepoint
  that rolls back takes only its own work with it.
- Under an outer `async_to_sync` whose thread is inside a transaction (Django's
  `TestCase` running an `async def` test), a block nests on that thread, inside that
  transaction, as Django's own async tests expect.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import inspect
import itertools
import os
import queue
import threading
import weakref
from concurrent.futures import Executor, Future
from typing import TYPE_CHECKING, Any, TypeVar, overload

from asgiref.sync import AsyncToSync, ThreadSensitiveContext, iscoroutinefunction
from django.db import DEFAULT_DB_ALIAS, connections, transaction

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType

    from asgiref.current_thread_executor import CurrentThreadExecutor

    ExcInfo = tuple[type[BaseException] | None, BaseException | None, TracebackType | None]

__all__ = ["Atomic", "atomic"]

# Listed in `asyncio.events.__all__`; unlike `get_running_loop()` it never raises.
_get_running_loop = asyncio._get_running_loop

_C = TypeVar("_C", bound="Callable[..., Any]")

# Workers kept for the next blocks once their own block is over. More blocks than this
# at a time start threads of their own, which end with their block.
IDLE_WORKERS_KEPT = 16


# --- workers: threads that run one transaction's jobs at a time ---------------------


class _Worker:
    """A thread that runs the jobs given to it, in order, until it is stopped."""

    __slots__ = ("_jobs",)

    _numbers = itertools.count(1)

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        name = f"multisync-atomic-{next(self._numbers)}"
        threading.Thread(target=self._serve, name=name, daemon=True).start()

    def run(self, job: Callable[[], None]) -> None:
        """Queue `job` to run after the jobs already given."""
        self._jobs.put(job)

    def stop(self) -> None:
        """Let the thread end once the jobs already given have run."""
        self._jobs.put(None)

    def _serve(self) -> None:
        while (job := self._jobs.get()) is not None:
            job()  # a `_Job`: it never raises, it hands its outcome to a future


class _Workers:
    """The idle workers; the most recently used goes first, its thread the warmest."""

    def __init__(self) -> None:
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()

    def lease(self) -> _Worker:
        """An idle worker, or a new one."""
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return _Worker()

    def give_back(self, worker: _Worker) -> None:
        """Keep `worker` for a later block, or stop it if enough are kept."""
        with self._lock:
            if len(self._idle) < IDLE_WORKERS_KEPT:
                self._idle.append(worker)
                return
        worker.stop()

    def forget(self) -> None:
        """Drop every idle worker: in a forked child, their threads do not exist."""
        self._idle = []
        self._lock = threading.Lock()


_workers = _Workers()
os.register_at_fork(after_in_child=_workers.forget)


# --- blocks and their transaction ----------------------------------------------------

# The innermost async block that the running code is inside. Tasks started inside a
# block inherit it, as they inherit asgiref's thread-sensitive context.
_current_block: contextvars.ContextVar[_Block | None] = contextvars.ContextVar(
    "multisync_atomic_block", default=None
)

_OUTLIVED = (
    "This task was started inside an `async with atomic()` block that has exited or is "
    "exiting. Tasks started inside a block must finish before it exits: await them "
    "inside the block."
)


class _Block:
    """One open async block: a transaction (the outermost) or a savepoint in one."""

    __slots__ = (
        "_children",
        "atomic",
        "closing",
        "context",
        "entered",
        "opener",
        "parent",
        "probe",
        "token",
        "transaction",
    )

    def __init__(
        self,
        transaction_: _Transaction,
        parent: _Block | None,
        atomic: transaction.Atomic | None,
        opener: Atomic | None = None,
    ) -> None:
        self.transaction = transaction_
        self.parent = parent
        self.atomic = atomic  # Django's block, entered and exited on the connection's thread
        self.opener = opener  # the `Atomic` whose `async with` opened it
        self.entered = False  # set on the connection's thread only
        self.closing = False  # set once its exit is under way: no more calls may join
        self.probe = False  # nest only if the outer thread is inside a transaction
        self._children: asyncio.Lock | None = None
        self.context: ThreadSensitiveContext | None = None
        self.token: contextvars.Token[_Block | None] | None = None

    @property
    def children(self) -> asyncio.Lock:
        """Held by the one nested block open directly inside this one."""
        if self._children is None:
            self._children = asyncio.Lock()
        return self._children

    # The three jobs below run on the transaction's thread, one after another.

    def enter(self) -> bool:
        """Enter Django's block; False if a probe finds no transaction to nest in."""
        if self.probe and not _outer_thread_in_transaction():
            return False
        assert self.atomic is not None  # noqa: S101  # only the outer thread's root has none
        self.atomic.__enter__()
        self.entered = True
        return True

    def exit(self, exc_info: ExcInfo) -> None:
        """Release or roll back the savepoint (commit or roll back, outermost)."""
        if self.entered:
            self.entered = False
            assert self.atomic is not None  # noqa: S101  # entered, so it has one
            self.atomic.__exit__(*exc_info)

    def end(self, exc_info: ExcInfo, worker: _Worker) -> None:
        """Finish the transaction, close this thread's connections, free the worker.

        Closing returns a connection to Django's pool where there is one (PostgreSQL on
        Django 5.1+). The worker is given back even if committing fails, with nothing
        open: Django rolls back, or closes a connection that cannot.
        """
        try:
            self.exit(exc_info)
        finally:
            try:
                connections.close_all()
            finally:
                _workers.give_back(worker)


class _Job:
    """A call for the transaction's thread, with the future that gets its outcome.

    `begins`: begin the transaction first, if it has not begun. A job that `must_run`
    (an exit) runs even if its future was cancelled: a block is always closed.
    """

    __slots__ = ("begins", "call", "future", "must_run", "transaction")

    def __init__(
        self,
        transaction_: _Transaction,
        call: Callable[[], Any],
        *,
        begins: bool,
        must_run: bool = False,
    ) -> None:
        self.transaction = transaction_
        self.call = call
        self.begins = begins
        self.must_run = must_run
        self.future: Future[Any] = Future()

    def __call__(self) -> None:
        running = self.future.set_running_or_notify_cancel()
        if not running and not self.must_run:
            return  # cancelled while it waited: never run it
        try:
            if self.begins:
                self.transaction.begin()
            result = self.call()
        except BaseException as error:  # noqa: BLE001  # the caller gets whatever it is
            if running:
                self.future.set_exception(error)
        else:
            if running:
                self.future.set_result(result)


class _Transaction(Executor):
    """Where the thread-sensitive calls of one transaction's blocks run.

    Given to asgiref as a `ThreadSensitiveContext` executor: every call made inside a
    block comes here, tagged with the innermost block of the code that made it. A call
    runs at once if that block is the innermost open block of the transaction; any
    other call (from a task outside a nested block that is open) waits until the
    nested blocks above its own have exited. Jobs run one at a time, in order, on one
    thread (a worker, or the thread of an outer `async_to_sync`).

    The outermost block of a worker's transaction enters Django's block lazily, just
    before the first job runs, on the worker: so entering costs no thread hop.
    """

    def __init__(
        self,
        run: Callable[[_Job], object],
        pending: transaction.Atomic | None,
        worker: _Worker | None = None,
    ) -> None:
        self._run = run
        self.worker = worker  # None on the thread of an outer `async_to_sync`
        self._pending = pending  # Django's outermost block, entered by the first job
        self.root = _Block(self, None, pending)
        self.blocks: list[_Block] = [self.root]  # the open blocks, outermost first
        self._held: list[tuple[_Block, _Job]] = []
        self.used = False  # whether any job was given to the thread

    def begin(self) -> None:
        """Enter the outermost block, if not done yet (on the transaction's thread)."""
        pending = self._pending
        if pending is not None:
            pending.__enter__()
            self._pending = None
            self.root.entered = True

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        """Run a thread-sensitive call of a block (called by asgiref, on the loop)."""
        job = _Job(self, functools.partial(fn, *args, **kwargs), begins=True)
        block = _current_block.get()
        # `_activate` sets both this and asgiref's context, which sent the call here.
        assert block is not None and block.transaction is self  # noqa: S101, PT018
        if block.closing:
            job.future.set_exception(RuntimeError(_OUTLIVED))
            return job.future
        self.dispatch(block, job)
        return job.future

    def job(self, call: Callable[[], Any], **options: Any) -> _Job:
        """A job that runs `call` in the current context (for entering and exiting)."""
        return _Job(self, functools.partial(contextvars.copy_context().run, call), **options)

    def dispatch(self, block: _Block, job: _Job) -> None:
        """Run `job` now if `block` is the innermost open block, else hold it back."""
        if block is self.blocks[-1]:
            self.used = True
            self._run(job)
        else:
            self._held.append((block, job))

    def close(self, block: _Block) -> None:
        """Forget an exited block and run the calls it held back (on the loop)."""
        self.blocks.remove(block)
        if block.parent is not None:
            top = self.blocks[-1]
            ready = [job for owner, job in self._held if owner is top]
            self._held = [(owner, job) for owner, job in self._held if owner is not top]
            for job in ready:
                self._run(job)
            block.parent.children.release()


def _outer_thread_in_transaction() -> bool:
    """Whether any connection of this thread is inside an atomic block."""
    return any(connection.in_atomic_block for connection in connections.all(initialized_only=True))


# The transactions of threads blocked in `async_to_sync`, by that call's executor.
_outer_transactions: weakref.WeakKeyDictionary[CurrentThreadExecutor, _Transaction] = (
    weakref.WeakKeyDictionary()
)


def _outer_transaction(outer: CurrentThreadExecutor) -> _Transaction:
    """The transaction of the thread waiting in `async_to_sync`, as a root to nest in."""
    found = _outer_transactions.get(outer)
    if found is None:

        def run(job: _Job) -> None:
            outer.submit(job)

        found = _outer_transactions[outer] = _Transaction(run, None)
    return found


# --- entering and leaving ------------------------------------------------------------


async def _activate(block: _Block) -> None:
    """Send the current task's thread-sensitive calls to the block's transaction."""
    block.context = ThreadSensitiveContext(executor=block.transaction)
    await block.context.__aenter__()  # type: ignore[no-untyped-call]  # asgiref: untyped
    block.token = _current_block.set(block)


async def _deactivate(block: _Block) -> None:
    """Undo `_activate`, in the same task."""
    assert block.token is not None  # noqa: S101  # activated
    assert block.context is not None  # noqa: S101  # activated
    _current_block.reset(block.token)
    await block.context.__aexit__(None, None, None)  # type: ignore[no-untyped-call]


async def _open_block(opener: Atomic) -> _Block:
    """Open a block where it belongs: nested, on an outer thread, or a new transaction."""
    outer: CurrentThreadExecutor | None = getattr(AsyncToSync.executors, "current", None)
    if outer is not None:
        # Under `async_to_sync` (Django's TestCase, a sync caller): nest on its thread if
        # that thread is in a transaction; else this is an outermost block of its own.
        block = await _open_nested(_outer_transaction(outer).root, opener, probe=True)
        if block is not None:
            return block
    else:
        parent = _current_block.get()
        if parent is not None:
            block = await _open_nested(parent, opener, probe=False)
            assert block is not None  # noqa: S101  # only a probe declines
            return block
    return await _open_transaction(opener)


async def _open_transaction(opener: Atomic) -> _Block:
    """Open an outermost block: a worker, whose connection begins with the first call.

    Nothing waits here: the transaction begins on the worker, in the job of the block's
    first call (which raises the error if beginning fails, and tries again next time).
    """
    worker = _workers.lease()
    pending = transaction.Atomic(opener.using, opener.savepoint, opener.durable)
    root = _Transaction(worker.run, pending, worker).root
    root.opener = opener
    await _activate(root)
    return root


async def _open_nested(parent: _Block, opener: Atomic, *, probe: bool) -> _Block | None:
    """Open a savepoint (or Django's block on another alias) inside `parent`.

    With `probe`, return None without opening anything if the outer thread is not
    inside a transaction.
    """
    if parent.closing:
        raise RuntimeError(_OUTLIVED)
    transaction_ = parent.transaction
    await parent.children.acquire()  # one nested block at a time inside `parent`
    atomic = transaction.Atomic(opener.using, opener.savepoint, opener.durable)
    block = _Block(transaction_, parent, atomic, opener)
    block.probe = probe
    transaction_.blocks.append(block)
    await _activate(block)
    job = transaction_.job(block.enter, begins=True)
    transaction_.dispatch(block, job)
    try:
        entered = await asyncio.shield(asyncio.wrap_future(job.future))
    except asyncio.CancelledError:
        # The savepoint may exist by now: roll back to it once it does.
        _leave(block, (asyncio.CancelledError, None, None))
        await _deactivate(block)
        raise
    except BaseException:
        transaction_.close(block)  # Django raised before entering: nothing to undo
        await _deactivate(block)
        raise
    if not entered:
        transaction_.close(block)
        await _deactivate(block)
        return None
    return block


def _leave(block: _Block, exc_info: ExcInfo) -> Future[Any] | None:
    """Start the job that exits `block`; its future, or None when there is nothing to do.

    The job runs whatever happens to the task that awaits it (a cancelled task, a dying
    loop): the block's transaction or savepoint is always closed, and the worker of an
    outermost block is always returned.
    """
    block.closing = True
    transaction_ = block.transaction
    worker = transaction_.worker
    if block.parent is None and worker is not None:
        if not transaction_.used:  # no call ever came: the worker did nothing
            _workers.give_back(worker)
            return None
        job = transaction_.job(
            functools.partial(block.end, exc_info, worker), begins=False, must_run=True
        )
    else:
        job = transaction_.job(functools.partial(block.exit, exc_info), begins=False, must_run=True)
        loop = _get_running_loop()
        if loop is not None:  # else the loop is gone, and the blocks waiting with it
            job.future.add_done_callback(lambda _: _on_loop(loop, transaction_.close, block))
    transaction_.dispatch(block, job)
    return job.future


def _on_loop(loop: asyncio.AbstractEventLoop, callback: Callable[..., object], *args: Any) -> None:
    """Run `callback` on the loop's thread, unless the loop has closed (its blocks too)."""
    with contextlib.suppress(RuntimeError):  # "Event loop is closed"
        loop.call_soon_threadsafe(callback, *args)


async def _close_block(block: _Block, exc_info: ExcInfo) -> None:
    """Leave `block`: commit or roll back, then restore the task's context."""
    exiting = _leave(block, exc_info)
    try:
        # A coroutine being closed (its loop died) must not suspend: it exits unawaited.
        if exiting is not None and exc_info[0] is not GeneratorExit:
            await asyncio.shield(asyncio.wrap_future(exiting))
    finally:
        await _deactivate(block)  # runs to completion without suspending


# --- the public API ------------------------------------------------------------------


class Atomic(transaction.Atomic):
    """Django's `Atomic`, which async code can also enter with `async with`.

    Returned by `atomic()`. In sync code every behaviour is Django's; the async
    behaviour is described in `atomic()`.
    """

    durable: bool  # set by Django's `__init__`; django-stubs leaves it out

    def __call__(self, func: _C) -> _C:
        """Decorate `func`: a coroutine function runs inside `async with self`."""
        if inspect.isasyncgenfunction(func):
            msg = (
                f"@atomic cannot wrap the async generator function "
                f"`{func.__qualname__}`: its body runs after the call returns. "
                "Use `async with atomic():` inside it instead."
            )
            raise TypeError(msg)
        if not iscoroutinefunction(func):
            return super().__call__(func)

        @functools.wraps(func)
        async def inner(*args: Any, **kwargs: Any) -> Any:
            async with self:
                return await func(*args, **kwargs)

        return inner  # type: ignore[return-value]  # same signature, async as func

    async def __aenter__(self) -> None:
        await _open_block(self)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        block = _current_block.get()
        if block is None or block.opener is not self:
            msg = "`Atomic.__aexit__` was called for a block this object did not open."
            raise RuntimeError(msg)
        await _close_block(block, (exc_type, exc_value, traceback))


@overload
def atomic(using: _C) -> _C: ...


@overload
def atomic(using: str | None = None, savepoint: bool = True, durable: bool = False) -> Atomic: ...


def atomic(
    using: str | Callable[..., Any] | None = None, savepoint: bool = True, durable: bool = False
) -> Atomic | Callable[..., Any]:
    """Run a block, or a function, in a database transaction, in sync or async code.

    In sync code it is Django's `transaction.atomic`: `with atomic():`, `@atomic`,
    `@atomic(using=..., savepoint=..., durable=...)` on a `def`.

    In async code, enter it with `async with atomic():`, or decorate an `async def`:

    ```py
    async with atomic():
        question = await Question.objects.acreate(question_text="What's new?")
        await Choice.objects.acreate(question=question, choice_text="Not much")
    ```

    Every ORM call of the task that entered the block, and of the tasks it starts inside
    it, runs in the transaction: multisync's `.a()` and `_async` spellings,
    `await obj.a.<name>`, Django's `a*` methods and `async for`, and any
    `sync_to_async` call (thread-sensitive, the default). An exception rolls all of it
    back, a normal exit commits, and `transaction.on_commit` callbacks registered inside
    (`await sync_to_async(transaction.on_commit)(callback)`) run after the commit only.

    - Other tasks stay out: their calls never run in the block's transaction.
    - Each outermost block has a connection of its own, taken when the block's first
      call runs and closed (returned to Django's pool, where there is one) when it exits.
    - A nested block is a savepoint. Nested blocks entered at the same time by tasks
      that share a transaction run one after another.
    - A cancelled block rolls back, and leaves no transaction open.
    - `durable=True` inside another block raises Django's `RuntimeError`.
    - Under Django's `TestCase`, blocks nest in the test's transaction.

    Args:
        using: The database alias (the default database if None).
        savepoint: Whether a nested block creates a savepoint, as in Django.
        durable: Whether to raise `RuntimeError` if the block is nested.

    !!! note "Added in 0.1"
    """
    if callable(using):  # bare decorator: `using` is the function
        return Atomic(DEFAULT_DB_ALIAS, savepoint, durable)(using)
    return Atomic(using, savepoint, durable)


# Shown as `multisync.django.atomic`, where users import it from.
atomic.__module__ = "multisync.django"
