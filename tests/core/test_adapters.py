"""The helpers that derive a missing half and detect async code."""

from __future__ import annotations

import functools
import inspect

from asgiref.sync import markcoroutinefunction

from multisync.core.adapters import in_event_loop, is_async_callable


async def coroutine_function() -> None: ...


def plain_function() -> None: ...


def test_in_event_loop_false_in_sync_code() -> None:
    """No loop runs in a sync test's thread."""
    assert not in_event_loop()


async def test_in_event_loop_true_in_async_code() -> None:
    """A loop runs in an async test's thread."""
    assert in_event_loop()


def test_is_async_callable_true_for_coroutine_function() -> None:
    """An `async def` is async."""
    assert is_async_callable(coroutine_function)


def test_is_async_callable_false_for_plain_function() -> None:
    """A `def` is not async."""
    assert not is_async_callable(plain_function)


def test_is_async_callable_sees_through_partial() -> None:
    """A partial of an `async def` is async."""
    assert is_async_callable(functools.partial(coroutine_function))


def test_is_async_callable_sees_through_classmethod_and_staticmethod() -> None:
    """A classmethod or staticmethod wrapping an `async def` is async."""
    assert is_async_callable(classmethod(coroutine_function))  # type: ignore[arg-type]
    assert is_async_callable(staticmethod(coroutine_function))


def test_is_async_callable_honours_markcoroutinefunction() -> None:
    """A sync function marked with asgiref's `markcoroutinefunction` is async."""

    def marked() -> None: ...

    markcoroutinefunction(marked)
    assert is_async_callable(marked)
    assert not inspect.iscoroutine(marked)
