"""The four ways to build a multisync (DESIGN 1, first table)."""

from __future__ import annotations

import inspect
import threading

import pytest

from multisync import Multisync, multisync


def test_multisync_on_def_sync_call_runs_the_function() -> None:
    """`@multisync` on a `def`: calling the name runs the function itself."""

    @multisync
    def double(x: int) -> int:
        return x * 2

    assert double(21) == 42


async def test_multisync_on_def_async_half_runs_it_off_the_loop() -> None:
    """`@multisync` on a `def`: `.a()` runs the function in a worker thread."""
    seen: list[threading.Thread] = []

    @multisync
    def where() -> str:
        seen.append(threading.current_thread())
        return "done"

    assert await where.a() == "done"
    assert seen != [threading.current_thread()]


async def test_multisync_on_def_async_half_is_thread_sensitive() -> None:
    """Two awaits of a derived async half run on the same thread, as Django's `a*` do."""
    threads: list[threading.Thread] = []

    @multisync
    def record() -> None:
        threads.append(threading.current_thread())

    await record.a()
    await record.a()
    assert threads[0] is threads[1]


async def test_multisync_on_async_def_a_awaits_the_function() -> None:
    """`@multisync` on an `async def`: `.a()` awaits it on the loop's own thread."""
    loop_thread = threading.current_thread()

    @multisync
    async def where() -> threading.Thread:
        return threading.current_thread()

    assert await where.a() is loop_thread


def test_multisync_on_async_def_sync_call_runs_it_to_completion() -> None:
    """`@multisync` on an `async def`: a sync call outside a loop returns its result."""

    @multisync
    async def double(x: int) -> int:
        return x * 2

    assert double(21) == 42


async def test_async_decorator_registers_the_written_async_half() -> None:
    """`@f.async_` replaces the derived async half with the function it decorates."""

    @multisync
    def source() -> str:
        return "sync"

    @source.async_
    async def source_async() -> str:
        return "async"

    assert source() == "sync"
    assert await source.a() == "async"
    assert await source_async() == "async"


def test_async_decorator_returns_the_function_unchanged() -> None:
    """`@f.async_` binds its own name to the async function it was given."""

    @multisync
    def source() -> None: ...

    async def source_async() -> None: ...

    assert source.async_(source_async) is source_async
    assert source.a is source_async


async def test_two_argument_form_pairs_both_halves() -> None:
    """`multisync(sync_fn, async_fn)` pairs two existing functions."""

    def read() -> str:
        return "sync"

    async def aread() -> str:
        return "async"

    both = multisync(read, aread)
    assert isinstance(both, Multisync)
    assert both() == "sync"
    assert await both.a() == "async"


def test_multisync_on_def_is_not_a_coroutine_function() -> None:
    """The sync spelling of a `def` pair is a plain callable, not a coroutine function."""

    @multisync
    def plain() -> None: ...

    assert not inspect.iscoroutinefunction(plain)
    assert inspect.iscoroutinefunction(plain.a)


@pytest.mark.parametrize("written", ["sync", "async"])
def test_multisync_derived_half_keeps_the_written_signature(written: str) -> None:
    """The derived half reports the same parameters as the written one."""

    def sync_fn(x: int, *, flag: bool = False) -> int:
        return x

    async def async_fn(x: int, *, flag: bool = False) -> int:
        return x

    pair = multisync(sync_fn) if written == "sync" else multisync(async_fn)
    assert str(inspect.signature(pair.a)) == str(inspect.signature(sync_fn))
    assert str(inspect.signature(pair)) == str(inspect.signature(sync_fn))
