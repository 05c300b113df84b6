"""`multisync.django.atomic` (DESIGN 2e): one name for `with` and `async with`.

Two settings, as in production and in Django's own test cases:

- a real event loop (`real_loop`): `asyncio.run` in the test thread of a
  `transactional_db` test, with no outer `async_to_sync`, as an ASGI server runs code.
  Every outermost block has a worker thread and a connection of its own; bystanders
  run on asgiref's global thread.
- Django's `TestCase` (`db` and an `async def` test, which tests/conftest.py runs under
  `async_to_sync`): blocks nest in the test's transaction, on the test's thread.

The two failure modes of the naive bridge (research/internals.md section 5) run the same
scenario with `NaiveAtomic`, the control, and with `atomic`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import threading
import time
from typing import TYPE_CHECKING, Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.db import connection, connections, transaction

from multisync.django import atomic
from multisync.django import transactions as transactions_module
from multisync.test import assert_num_queries, capture_queries
from tests.django.transaction_support import (
    NaiveAtomic,
    WorkerConnections,
    as_bystander,
    atexts,
    connection_identity,
    create,
    open_connections,
    open_transactions,
    run,
    settled,
    texts,
)
from tests.testapp.models import Choice, Question

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine, Iterator
    from contextlib import AbstractAsyncContextManager

    from tests.django.transaction_support import Bridge

    Runner = Callable[[Callable[[], Coroutine[Any, Any, Any]]], Any]

DURABLE_MESSAGE = "A durable atomic block cannot be nested within another atomic block."


class BlockError(Exception):
    """The exception a block raises to roll back."""


async def fail_in(block: AbstractAsyncContextManager[Any], *texts: str) -> None:
    """Create questions with `texts` inside `block`, then raise `BlockError`."""
    async with block:
        for text in texts:
            await create(text)
        raise BlockError


@pytest.fixture
def real_loop(transactional_db: None) -> Iterator[Runner]:
    """Run coroutines in a real event loop; afterwards, nothing may be left open."""
    with WorkerConnections() as workers:
        yield run
    assert settled(lambda: workers.still_open() == [])  # a cancelled exit may still run
    assert open_transactions() == 0


def in_block_thread() -> str:
    """The name of the thread that runs the calling code's queries."""
    return threading.current_thread().name


# --- sync code: Django's own atomic ----------------------------------------------------


def test_atomic_with_in_sync_code_is_djangos(db: None) -> None:
    """`with atomic():` in sync code is Django's block: it rolls back on an exception."""

    def write() -> None:
        with atomic():
            Question.objects.create(question_text="rolled back")
            raise BlockError

    with pytest.raises(BlockError):
        write()
    assert texts() == []


def test_atomic_is_a_django_atomic(db: None) -> None:
    """`atomic(...)` returns a subclass of Django's `Atomic` with the arguments given."""
    block = atomic(using="default", savepoint=False, durable=True)
    assert isinstance(block, transaction.Atomic)
    assert (block.using, block.savepoint, block.durable) == ("default", False, True)


def test_atomic_bare_decorator_on_def_is_djangos(db: None) -> None:
    """`@atomic` on a `def` runs it in Django's block, and keeps it sync."""

    @atomic
    def write() -> bool:
        Question.objects.create(question_text="in a block")
        return connection.in_atomic_block

    assert write() is True
    assert texts() == ["in a block"]


def test_atomic_decorator_with_arguments_on_def_is_djangos(db: None) -> None:
    """`@atomic(durable=True)` on a `def` nested in a block raises Django's error."""

    @atomic(durable=True)
    def durable() -> None:
        pass

    with pytest.raises(RuntimeError) as error, atomic():
        durable()
    assert error.value.args == (DURABLE_MESSAGE,)


def test_atomic_rejects_async_generator_function() -> None:
    """`@atomic` on an async generator function is a TypeError that says what to do."""

    async def stream() -> Any:
        yield 1

    with pytest.raises(TypeError) as error:
        atomic(stream)
    assert str(error.value) == (
        "@atomic cannot wrap the async generator function "
        "`test_atomic_rejects_async_generator_function.<locals>.stream`: its body runs "
        "after the call returns. Use `async with atomic():` inside it instead."
    )


# --- async code in a real event loop: one transaction for the block's work -------------


def test_atomic_commits_on_normal_exit(real_loop: Runner) -> None:
    """A block that ends normally commits its writes."""

    async def main() -> None:
        async with atomic():
            await create("one")
            await create("two")

    real_loop(main)
    assert texts() == ["one", "two"]


def test_atomic_rolls_back_on_exception(real_loop: Runner) -> None:
    """A block that raises rolls back every write, and the exception goes through."""
    raised = BlockError("the same object")

    async def main() -> None:
        async with atomic():
            await create("one")
            await create("two")
            raise raised

    with pytest.raises(BlockError) as error:
        real_loop(main)
    assert error.value is raised
    assert texts() == []


def test_atomic_reads_its_own_writes(real_loop: Runner) -> None:
    """Inside the block, reads see the block's uncommitted writes."""

    async def main() -> tuple[int, list[str]]:
        async with atomic():
            await create("mine")
            return await Question.objects.acount(), await atexts()

    assert real_loop(main) == (1, ["mine"])


def test_atomic_writes_invisible_outside_until_commit(real_loop: Runner) -> None:
    """A bystander does not see the block's writes before it commits, and does after."""

    async def main() -> tuple[list[str], list[str]]:
        async with atomic():
            await create("pending")
            before = await as_bystander(atexts())
        return before, await atexts()

    assert real_loop(main) == ([], ["pending"])


def test_atomic_covers_every_async_spelling(real_loop: Runner) -> None:
    """`.a()`, `_async`, `obj.a`, `a*`, `async for`, `sync_to_async`: all roll back together."""

    def sync_write() -> None:
        Question.objects.create(question_text="sync_to_async")

    async def main() -> None:
        async with atomic():
            question = await Question.objects.create.a(question_text=".a()")
            question.question_text = "save_async"
            await question.save_async()
            await Choice.objects.acreate(question=question, choice_text="acreate")
            choice = await Choice.objects.aget()
            assert (await choice.a.question).question_text == "save_async"
            await sync_to_async(sync_write)()
            listed = [q.question_text async for q in Question.objects.order_by("pk")]
            assert listed == ["save_async", "sync_to_async"]
            raise BlockError

    with pytest.raises(BlockError):
        real_loop(main)
    assert texts() == []
    assert Choice.objects.count() == 0


def test_atomic_spellings_see_the_same_transaction(real_loop: Runner) -> None:
    """Each async spelling reads what the others wrote earlier in the block."""

    async def main() -> tuple[str, list[str], int, int]:
        async with atomic():
            question = await Question.objects.create.a(question_text=".a()")
            await Choice.objects.acreate(question=question, choice_text="acreate")
            choice = await Choice.objects.aget()
            loaded = (await choice.a.question).question_text
            listed = [q.question_text async for q in Question.objects.all()]
            counted = await Question.objects.count_async()
            synced = await sync_to_async(Choice.objects.count)()
            return loaded, listed, counted, synced

    assert real_loop(main) == (".a()", [".a()"], 1, 1)


def test_atomic_allows_select_for_update(real_loop: Runner) -> None:
    """`select_for_update()`, which Django refuses outside a transaction, works in a block."""

    async def main() -> list[str]:
        await create("locked")
        async with atomic():
            return [q.question_text async for q in Question.objects.select_for_update()]

    assert real_loop(main) == ["locked"]


def test_atomic_covers_tasks_started_inside(real_loop: Runner) -> None:
    """Tasks started inside the block run in its transaction and roll back with it."""

    async def main() -> None:
        async with atomic():
            await asyncio.gather(create("first task"), create("second task"))
            await asyncio.create_task(create("third task"))
            assert await atexts() == ["first task", "second task", "third task"]
            raise BlockError

    with pytest.raises(BlockError):
        real_loop(main)
    assert texts() == []


def test_atomic_runs_block_on_a_worker_thread(real_loop: Runner) -> None:
    """The block's calls, and its tasks', run on one worker thread, not asgiref's global one."""

    async def main() -> tuple[str, set[str]]:
        outside = await sync_to_async(in_block_thread)()
        async with atomic():
            names = await asyncio.gather(*(sync_to_async(in_block_thread)() for _ in range(3)))
        return outside, set(names)

    outside, inside = real_loop(main)
    assert len(inside) == 1
    assert inside.pop().startswith("multisync-atomic-")
    assert not outside.startswith("multisync-atomic-")


# --- failure mode 1: bystanders --------------------------------------------------------


def _bystander_scenario(bridge: Bridge) -> list[str]:
    """A block writes and fails while a bystander task writes; the rows that remain."""

    async def block(written: asyncio.Event, bystander_writing: asyncio.Event) -> None:
        async with bridge():
            await create("in the block")
            written.set()
            await bystander_writing.wait()
            raise BlockError

    async def bystander(written: asyncio.Event, bystander_writing: asyncio.Event) -> None:
        await written.wait()
        bystander_writing.set()  # its query is queued before the block can fail
        await create("bystander")

    async def main() -> None:
        written, bystander_writing = asyncio.Event(), asyncio.Event()
        results = await asyncio.gather(
            block(written, bystander_writing),
            bystander(written, bystander_writing),
            return_exceptions=True,
        )
        assert [type(result) for result in results] == [BlockError, type(None)]

    run(main)
    return texts()


def test_naive_bridge_rolls_back_bystanders_write(transactional_db: None) -> None:
    """The control: with the naive bridge, the bystander's write is lost with the block."""
    assert _bystander_scenario(NaiveAtomic) == []


def test_atomic_keeps_bystanders_write(real_loop: Runner) -> None:
    """With `atomic`, the bystander's write stays out of the block and is kept."""
    assert _bystander_scenario(atomic) == ["bystander"]


# --- failure mode 2: interleaved blocks ------------------------------------------------


async def _interleaved(bridge: Bridge) -> None:
    """A enters and writes, B enters and writes, A fails first, then B exits normally.

    Where blocks run one after another (under `TestCase`) B cannot write while A is
    open: A then gives up waiting and fails alone.
    """
    a_wrote, b_writing = asyncio.Event(), asyncio.Event()

    async def a() -> None:
        async with bridge():
            await create("A")
            a_wrote.set()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(0.3):
                    await b_writing.wait()
            raise BlockError

    async def b() -> None:
        await a_wrote.wait()
        async with bridge():
            b_writing.set()  # its query is queued before A can fail
            await create("B")

    results = await asyncio.gather(a(), b(), return_exceptions=True)
    assert [type(result) for result in results] == [BlockError, type(None)]


def test_naive_bridge_interleaved_commits_failed_block(transactional_db: None) -> None:
    """The control: A's failure rolls back B's savepoint and B commits A's row."""
    run(functools.partial(_interleaved, NaiveAtomic))
    assert texts() == ["A"]


def test_atomic_interleaved_blocks_keep_their_own_outcome(real_loop: Runner) -> None:
    """With `atomic`, A rolls back alone and B commits: two transactions."""
    real_loop(functools.partial(_interleaved, atomic))
    assert texts() == ["B"]


def test_atomic_blocks_of_different_tasks_have_different_connections(real_loop: Runner) -> None:
    """Concurrent outermost blocks run on two threads and two connections."""

    async def block(both_in: asyncio.Barrier) -> tuple[str, int]:
        async with atomic():
            identity = await sync_to_async(connection_identity)()
            await both_in.wait()  # both blocks are open at once
            return identity

    async def main() -> tuple[tuple[str, int], tuple[str, int]]:
        both_in = asyncio.Barrier(2)
        return await asyncio.gather(block(both_in), block(both_in))

    first, second = real_loop(main)
    assert first[0] != second[0]
    assert first[1] != second[1]


def test_atomic_block_waiting_for_a_lock_lets_the_holder_commit(real_loop: Runner) -> None:
    """A block that waits for a row another block locked does not stop that block."""

    async def main() -> None:
        question = await Question.objects.acreate(question_text="start")
        locked = asyncio.Event()

        async def holder() -> None:
            async with atomic():
                await Question.objects.filter(pk=question.pk).aupdate(question_text="holder")
                locked.set()
                await asyncio.sleep(0.05)  # the waiter's update is blocked meanwhile

        async def waiter() -> None:
            await locked.wait()
            async with atomic():
                await Question.objects.filter(pk=question.pk).aupdate(question_text="waiter")

        await asyncio.gather(holder(), waiter())

    real_loop(main)
    assert texts() == ["waiter"]


# --- nesting ----------------------------------------------------------------------------


def test_atomic_nested_block_is_a_savepoint(real_loop: Runner) -> None:
    """A nested block that raises rolls back to its savepoint; the outer block commits."""

    async def main() -> None:
        async with atomic():
            await create("outer")
            with pytest.raises(BlockError):
                await fail_in(atomic(), "inner")
            await create("after")

    real_loop(main)
    assert texts() == ["after", "outer"]


def test_atomic_nested_block_costs_its_savepoint_queries(real_loop: Runner) -> None:
    """A nested block adds exactly SAVEPOINT and RELEASE SAVEPOINT to its queries."""

    async def main() -> list[str]:
        async with atomic():
            await create("outer")
            async with capture_queries() as captured, atomic():
                await create("inner")
        return [query["sql"].split()[0].upper() for query in captured]

    assert real_loop(main) == ["SAVEPOINT", "INSERT", "RELEASE"]


def test_atomic_outermost_block_adds_no_query(real_loop: Runner) -> None:
    """An outermost block runs its own queries only: beginning and committing add none."""

    async def main() -> None:
        async with assert_num_queries(2), atomic():
            await create("one")
            await create("two")

    real_loop(main)


def test_atomic_nested_without_savepoint_rolls_back_outer(real_loop: Runner) -> None:
    """`savepoint=False`: a failing nested block makes the outer block roll back, as in Django."""

    async def main() -> None:
        async with atomic():
            await create("outer")
            with pytest.raises(BlockError):
                async with atomic(savepoint=False):
                    raise BlockError

    real_loop(main)
    assert texts() == []


def test_atomic_nested_blocks_of_concurrent_tasks_run_one_after_another(
    real_loop: Runner,
) -> None:
    """Nested blocks entered at once by tasks sharing a transaction never interleave."""
    events: list[str] = []

    async def nested(name: str) -> None:
        async with atomic():
            events.append(f"{name} in")
            await create(name)
            await asyncio.sleep(0.05)
            events.append(f"{name} out")

    async def main() -> None:
        async with atomic():
            await asyncio.gather(nested("A"), nested("B"))

    real_loop(main)
    assert events in (
        ["A in", "A out", "B in", "B out"],
        ["B in", "B out", "A in", "A out"],
    )
    assert texts() == ["A", "B"]


def test_atomic_concurrent_nested_failure_rolls_back_only_itself(real_loop: Runner) -> None:
    """Of two concurrent nested blocks, the failing one rolls back only its own rows."""

    async def main() -> None:
        async with atomic():
            await _interleaved(atomic)

    real_loop(main)
    assert texts() == ["B"]


def test_atomic_open_nested_block_holds_back_outer_tasks_calls(real_loop: Runner) -> None:
    """While a nested block is open, other tasks' calls wait: its rollback spares them."""
    order: list[str] = []

    async def failing(opened: asyncio.Event) -> None:
        async with atomic():
            await create("nested")
            opened.set()
            await asyncio.sleep(0.1)
            order.append("nested exits")
            raise BlockError

    async def nested(opened: asyncio.Event) -> None:
        with pytest.raises(BlockError):
            await failing(opened)

    async def sibling(opened: asyncio.Event) -> None:
        await opened.wait()
        await create("sibling")
        order.append("sibling wrote")

    async def main() -> None:
        opened = asyncio.Event()
        async with atomic():
            await asyncio.gather(nested(opened), sibling(opened))

    real_loop(main)
    assert order == ["nested exits", "sibling wrote"]
    assert texts() == ["sibling"]


def test_atomic_nested_through_async_to_sync_is_a_savepoint(real_loop: Runner) -> None:
    """A block entered by async code that sync code of a block called nests in that block."""

    async def inner() -> str:
        with pytest.raises(BlockError):
            await fail_in(atomic(), "inner")
        return await sync_to_async(in_block_thread)()

    def sync_code() -> tuple[str, str]:
        return in_block_thread(), async_to_sync(inner)()

    async def main() -> tuple[str, str]:
        async with atomic():
            await create("outer")
            return await sync_to_async(sync_code)()

    outer_thread, inner_thread = real_loop(main)
    assert inner_thread == outer_thread
    assert texts() == ["outer"]


# --- durable ------------------------------------------------------------------------------


def test_atomic_durable_inside_block_raises_djangos_error(real_loop: Runner) -> None:
    """`durable=True` nested in a block raises Django's RuntimeError; the outer block goes on."""

    async def main() -> None:
        async with atomic():
            await create("outer")
            with pytest.raises(RuntimeError) as error:
                async with atomic(durable=True):
                    await create("never")
            assert error.value.args == (DURABLE_MESSAGE,)
            await create("after")

    real_loop(main)
    assert texts() == ["after", "outer"]


def test_atomic_durable_outermost_block_commits(real_loop: Runner) -> None:
    """`durable=True` on an outermost block commits at its exit."""

    async def main() -> None:
        async with atomic(durable=True):
            await create("durable")

    real_loop(main)
    assert texts() == ["durable"]


# --- decorators on async functions ---------------------------------------------------------


def test_atomic_bare_decorator_on_async_def(real_loop: Runner) -> None:
    """`@atomic` on an `async def` runs each call in a block, and stays a coroutine function."""

    @atomic
    async def write(text: str) -> str:
        """Write one question."""
        await create(text)
        raise BlockError

    async def main() -> None:
        with pytest.raises(BlockError):
            await write("rolled back")

    real_loop(main)
    assert texts() == []
    assert inspect.iscoroutinefunction(write)
    assert (write.__name__, write.__doc__) == ("write", "Write one question.")


def test_atomic_decorator_with_arguments_on_async_def(real_loop: Runner) -> None:
    """`@atomic(using=..., durable=True)` on an `async def` commits, and raises when nested."""

    @atomic(using="default", durable=True)
    async def write(text: str) -> None:
        await create(text)

    async def main() -> None:
        await write("committed")
        async with atomic():
            with pytest.raises(RuntimeError) as error:
                await write("nested")
        assert error.value.args == (DURABLE_MESSAGE,)

    real_loop(main)
    assert texts() == ["committed"]


def test_atomic_decorated_async_def_called_concurrently(real_loop: Runner) -> None:
    """One decorated function called by concurrent tasks gives each call its own block."""

    @atomic
    async def write(text: str) -> None:
        await create(text)
        if text == "fails":
            raise BlockError

    async def main() -> None:
        results = await asyncio.gather(write("kept"), write("fails"), return_exceptions=True)
        assert [type(result) for result in results] == [type(None), BlockError]

    real_loop(main)
    assert texts() == ["kept"]


# --- on_commit -------------------------------------------------------------------------------


def test_atomic_on_commit_runs_after_commit_only(real_loop: Runner) -> None:
    """A callback registered inside runs once the block has committed, not before."""
    ran: list[tuple[bool, list[str]]] = []

    def callback() -> None:
        ran.append((connections["default"].in_atomic_block, texts()))

    async def main() -> None:
        async with atomic():
            await create("committed")
            await sync_to_async(transaction.on_commit)(callback)
            assert ran == []

    real_loop(main)
    assert ran == [(False, ["committed"])]


def test_atomic_on_commit_skipped_on_rollback(real_loop: Runner) -> None:
    """A callback registered in a block that rolls back never runs."""
    ran: list[str] = []

    async def main() -> None:
        async with atomic():
            await sync_to_async(transaction.on_commit)(lambda: ran.append("ran"))
            raise BlockError

    with pytest.raises(BlockError):
        real_loop(main)
    assert ran == []


# --- cancellation ------------------------------------------------------------------------------


def _cancel_scenario(body: Callable[[asyncio.Event], Coroutine[Any, Any, None]]) -> None:
    """Run `body` in a task, cancel it once it sets the event, expect CancelledError."""

    async def main() -> None:
        ready = asyncio.Event()
        task = asyncio.create_task(body(ready))
        await ready.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    run(main)


def test_atomic_cancelled_before_any_query_opens_nothing(real_loop: Runner) -> None:
    """A block cancelled before its first query never opens a connection."""
    with WorkerConnections() as workers:

        async def body(ready: asyncio.Event) -> None:
            async with atomic():
                ready.set()
                await asyncio.sleep(10)

        _cancel_scenario(body)
    assert workers.opened == {}


def test_atomic_cancelled_while_awaiting_rolls_back(real_loop: Runner) -> None:
    """A block cancelled while it awaits something else rolls back its writes."""

    async def body(ready: asyncio.Event) -> None:
        async with atomic():
            await create("written")
            ready.set()
            await asyncio.sleep(10)

    _cancel_scenario(body)
    assert texts() == []
    assert open_transactions() == 0


def test_atomic_cancelled_during_a_query_rolls_back(real_loop: Runner) -> None:
    """A block cancelled while its query runs waits for it, then rolls it back."""
    finished: list[str] = []

    def slow_write(loop: asyncio.AbstractEventLoop, ready: asyncio.Event) -> None:
        Question.objects.create(question_text="slow")
        loop.call_soon_threadsafe(ready.set)  # cancel the task while this still runs
        time.sleep(0.2)
        finished.append("query finished")

    async def body(ready: asyncio.Event) -> None:
        async with atomic():
            await sync_to_async(slow_write)(asyncio.get_running_loop(), ready)

    _cancel_scenario(body)
    assert finished == ["query finished"]
    assert texts() == []
    assert open_transactions() == 0


def test_atomic_cancelled_while_waiting_its_turn_opens_nothing(real_loop: Runner) -> None:
    """A nested block cancelled while it waits for a sibling's block leaves that block alone."""

    async def main() -> None:
        async with atomic():
            first_in = asyncio.Event()

            async def first() -> None:
                async with atomic():
                    await create("first")
                    first_in.set()
                    await asyncio.sleep(0.1)

            async def second() -> None:
                async with atomic():
                    await create("second")

            running = asyncio.create_task(first())
            await first_in.wait()
            waiting = asyncio.create_task(second())
            await asyncio.sleep(0.01)
            waiting.cancel()
            with pytest.raises(asyncio.CancelledError):
                await waiting
            await running
            await create("outer")

    real_loop(main)
    assert texts() == ["first", "outer"]


def test_atomic_cancelled_while_entering_nested_rolls_back(real_loop: Runner) -> None:
    """A nested block cancelled while its savepoint is being made rolls back to it."""

    def busy() -> None:
        time.sleep(0.2)  # keeps the transaction's thread busy: the savepoint waits

    async def main() -> None:
        async with atomic():
            await create("outer")
            occupying = asyncio.create_task(sync_to_async(busy)())
            await asyncio.sleep(0.01)

            async def nested() -> None:
                async with atomic():
                    await create("never")

            entering = asyncio.create_task(nested())
            await asyncio.sleep(0.01)
            entering.cancel()
            with pytest.raises(asyncio.CancelledError):
                await entering
            await occupying
            await create("after")

    real_loop(main)
    assert texts() == ["after", "outer"]


def test_atomic_cancelled_while_exiting_keeps_the_commit(real_loop: Runner) -> None:
    """A cancellation that arrives while the block commits does not undo the commit."""
    callback_done = threading.Event()

    def slow_callback() -> None:
        time.sleep(0.2)
        callback_done.set()

    async def body(ready: asyncio.Event) -> None:
        async with atomic():
            await create("committed")
            await sync_to_async(transaction.on_commit)(slow_callback)
            asyncio.get_running_loop().call_later(0.05, ready.set)  # cancel while exiting

    _cancel_scenario(body)
    assert callback_done.wait(5)
    assert texts() == ["committed"]
    assert open_transactions() == 0


def test_atomic_task_outliving_block_cannot_query(real_loop: Runner) -> None:
    """A task started in a block that queries after the block exited gets asgiref's error."""

    async def main() -> None:
        gate = asyncio.Event()

        async def late() -> None:
            await gate.wait()
            await create("late")

        async with atomic():
            task = asyncio.create_task(late())
        gate.set()
        with pytest.raises(RuntimeError) as error:
            await task
        assert str(error.value) == (
            "ThreadSensitiveContext has exited. Tasks created inside a context with "
            "an executor must finish before it exits."
        )

    real_loop(main)
    assert texts() == []


def test_atomic_task_outliving_block_cannot_open_a_block(real_loop: Runner) -> None:
    """A task started in a block that enters a block after the block exited gets an error."""

    async def main() -> None:
        gate = asyncio.Event()

        async def late() -> None:
            await gate.wait()
            async with atomic():
                pass

        async with atomic():
            task = asyncio.create_task(late())
        gate.set()
        with pytest.raises(RuntimeError) as error:
            await task
        assert str(error.value) == transactions_module._OUTLIVED

    real_loop(main)


def test_atomic_task_querying_while_block_exits_gets_error(real_loop: Runner) -> None:
    """A task of the block that queries while the block commits gets an error, not a hop."""

    def slow_callback(loop: asyncio.AbstractEventLoop, exiting: asyncio.Event) -> None:
        loop.call_soon_threadsafe(exiting.set)
        time.sleep(0.1)

    async def main() -> None:
        exiting = asyncio.Event()

        async def late() -> None:
            await exiting.wait()
            await create("late")

        async with atomic():
            task = asyncio.create_task(late())
            callback = functools.partial(slow_callback, asyncio.get_running_loop(), exiting)
            await sync_to_async(transaction.on_commit)(callback)
        with pytest.raises(RuntimeError) as error:
            await task
        assert str(error.value) == transactions_module._OUTLIVED

    real_loop(main)
    assert texts() == []


def test_atomic_closed_coroutine_rolls_back(real_loop: Runner) -> None:
    """A coroutine closed inside a block, as by a loop that dies, still rolls it back."""

    async def body() -> None:
        async with atomic():
            await create("abandoned")

    async def main() -> None:
        coroutine = body()
        coroutine.send(None)  # runs up to its query, inside the block
        coroutine.close()  # GeneratorExit, which may not await

    real_loop(main)
    assert settled(lambda: open_transactions() == 0)
    assert texts() == []


def test_atomic_aexit_without_aenter_raises(real_loop: Runner) -> None:
    """Leaving a block that this object did not open is a RuntimeError."""

    async def main() -> None:
        with pytest.raises(RuntimeError) as error:
            await atomic().__aexit__(None, None, None)
        assert str(error.value) == (
            "`Atomic.__aexit__` was called for a block this object did not open."
        )

    real_loop(main)


def test_atomic_on_commit_error_propagates_after_commit(real_loop: Runner) -> None:
    """A failing callback's exception leaves the block, as in Django; the commit stays."""

    def callback() -> None:
        raise BlockError

    async def main() -> None:
        async with atomic():
            await create("committed")
            await sync_to_async(transaction.on_commit)(callback)

    with pytest.raises(BlockError):
        real_loop(main)
    assert texts() == ["committed"]


# --- connections ----------------------------------------------------------------------------


def test_atomic_closes_its_connection_at_exit(real_loop: Runner) -> None:
    """The block's connection is closed (or back in the pool) once the block exits."""
    with WorkerConnections() as workers:

        async def main() -> None:
            async with atomic():
                await create("one")

        real_loop(main)
    assert len(workers.opened) == 1
    assert workers.still_open() == []


def test_atomic_thousand_blocks_leak_nothing(real_loop: Runner) -> None:
    """1,000 blocks, a third of them cancelled at various points, leave no thread or connection."""
    threads_before = threading.active_count()
    connections_before = open_connections()

    async def block(number: int) -> None:
        async with atomic():
            await create(f"q{number}")
            if number % 3 == 1:
                raise asyncio.CancelledError  # cancelled in the body
            if number % 3 == 2:
                await asyncio.sleep(10)  # cancelled from outside, below

    async def main() -> None:
        for start in range(0, 1000, 50):
            tasks = [asyncio.create_task(block(n)) for n in range(start, start + 50)]
            await asyncio.sleep(0.02)
            for number, task in enumerate(tasks, start):
                if number % 3 == 2:
                    task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    with WorkerConnections() as workers:
        real_loop(main)
    assert workers.still_open() == []
    # The server ends a closed connection's session a moment later.
    assert settled(lambda: open_connections() == connections_before)
    kept = threads_before + transactions_module.IDLE_WORKERS_KEPT
    assert settled(lambda: threading.active_count() <= kept)
    assert Question.objects.count() == 334


# --- under Django's TestCase: blocks nest in the test's transaction ----------------------------


async def test_atomic_under_testcase_nests_on_the_test_thread(db: None) -> None:
    """Under `TestCase` the block's queries run on the test's thread, in its transaction."""
    test_thread = threading.main_thread().name
    async with atomic():
        thread = await sync_to_async(in_block_thread)()
        depth = await sync_to_async(lambda: len(connection.atomic_blocks))()
    assert thread == test_thread
    assert depth == 2  # the test's block and this one


async def test_atomic_under_testcase_costs_a_savepoint(db: None) -> None:
    """Under `TestCase` a block is a savepoint: SAVEPOINT, its query, RELEASE."""
    async with capture_queries() as captured, atomic():
        await create("one")
    assert [query["sql"].split()[0].upper() for query in captured] == [
        "SAVEPOINT",
        "INSERT",
        "RELEASE",
    ]


async def test_atomic_under_testcase_rolls_back_to_its_savepoint(db: None) -> None:
    """Under `TestCase` a failing block rolls back its own writes only."""
    await create("before")
    with pytest.raises(BlockError):
        await fail_in(atomic(), "rolled back")
    assert await atexts() == ["before"]


async def test_atomic_under_testcase_interleaved_blocks_run_one_after_another(
    db: None,
) -> None:
    """Under `TestCase` concurrent blocks share the test's transaction, one at a time."""
    await _interleaved(atomic)
    assert await atexts() == ["B"]


async def test_naive_bridge_under_testcase_interleaved_commits_failed_block(db: None) -> None:
    """The control: under `TestCase` the naive bridge keeps A's row and loses B's."""
    await _interleaved(NaiveAtomic)
    assert await atexts() == ["A"]


async def test_atomic_under_testcase_durable_block_allowed(db: None) -> None:
    """Under `TestCase` a durable block directly in the test is allowed, as in Django."""
    async with atomic(durable=True):
        await create("durable")
    assert await atexts() == ["durable"]


async def test_atomic_under_testcase_durable_nested_raises(db: None) -> None:
    """Under `TestCase` a durable block inside a block raises Django's RuntimeError."""
    async with atomic():
        with pytest.raises(RuntimeError) as error:
            async with atomic(durable=True):
                pass
    assert error.value.args == (DURABLE_MESSAGE,)


async def test_atomic_under_testcase_on_commit_waits_for_test_commit(db: None) -> None:
    """Under `TestCase` a callback waits for the test's transaction, as Django's do."""
    ran: list[str] = []
    async with atomic():
        await sync_to_async(transaction.on_commit)(lambda: ran.append("ran"))
    pending = await sync_to_async(lambda: len(connection.run_on_commit))()
    assert (ran, pending) == ([], 1)


async def test_atomic_under_async_to_sync_without_transaction_has_own_connection(
    transactional_db: None,
) -> None:
    """Under `async_to_sync` with no transaction open, a block gets its own worker."""
    async with atomic():
        thread = await sync_to_async(in_block_thread)()
        await create("committed")
    assert thread.startswith("multisync-atomic-")
    assert await atexts() == ["committed"]
