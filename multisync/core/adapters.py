"""Deriving the missing half of a multisync pair.

A derived async half runs the sync half in asgiref's thread-sensitive executor, as
Django's own `a*` methods do, so database connections and transactions stay on the
thread that owns them. A derived sync half drives the async half to completion with
`async_to_sync`, which cannot work while an event loop runs in the calling thread;
that case raises `SyncCallInEventLoopError` with the spelling to use instead.
"""

from __future__ import annotations

import asyncio
import functools
from typing import TYPE_CHECKING, Any, cast

from asgiref.sync import async_to_sync, iscoroutinefunction, sync_to_async

from multisync.exceptions import SyncCallInEventLoopError

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine

__all__ = ["derive_async", "derive_sync", "in_event_loop", "is_async_callable"]

# `asyncio._get_running_loop()` is listed in `asyncio.events.__all__` and never raises;
# `get_running_loop()` raises outside a loop, which costs ten times more.
_get_running_loop = asyncio._get_running_loop


def in_event_loop() -> bool:
    """Tell whether an event loop is running in the current thread."""
    return _get_running_loop() is not None


def is_async_callable(obj: object) -> bool:
    """Tell whether calling `obj` returns a coroutine.

    Looks through `functools.partial`, `classmethod` and `staticmethod`, and honours
    `markcoroutinefunction` (asgiref's shim for it on Python 3.11).
    """
    inner: object = obj
    while isinstance(inner, (functools.partial, classmethod, staticmethod)):
        attribute = "func" if isinstance(inner, functools.partial) else "__func__"
        inner = getattr(cast("object", inner), attribute)
    # asgiref's own, not inspect's: it honours `markcoroutinefunction` on Python 3.11.
    return iscoroutinefunction(inner)  # pyright: ignore[reportDeprecated]


def derive_async(
    sync_fn: Callable[..., Any],
    name: str,
    qualname: str,
    replacement: Callable[[tuple[Any, ...]], Callable[..., Any] | None] | None = None,
) -> Callable[..., Coroutine[Any, Any, Any]]:
    """Build an async half that runs `sync_fn` in a thread-sensitive executor.

    The `sync_to_async` wrapper is built once here, not per call: building it costs
    about 4 us, which Django's `aget`/`asave` pay on every call.

    `replacement(args)` may return a callable to run instead of `sync_fn`: a method
    replaced on its class after the class was built (a test double), which the sync
    spelling now runs, so the async spelling must run it too.
    """
    bridge = sync_to_async(sync_fn, thread_sensitive=True)

    async def async_half(*args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True
        if replacement is not None:
            replaced = replacement(args)
            if replaced is not None:
                return await sync_to_async(replaced, thread_sensitive=True)(*args[1:], **kwargs)
        return await bridge(*args, **kwargs)

    functools.update_wrapper(async_half, sync_fn)
    async_half.__name__ = name
    async_half.__qualname__ = qualname
    return async_half


def derive_sync(
    async_fn: Callable[..., Coroutine[Any, Any, Any]],
    describe_call: Callable[[tuple[Any, ...]], tuple[str, str]],
) -> Callable[..., Any]:
    """Build a sync half that runs `async_fn` to completion with `async_to_sync`.

    `describe_call(args)` returns the spelling the user called and the spelling to
    use instead; it runs only on the error path, so the hot path stays lean.
    """
    bridge = async_to_sync(async_fn)

    def sync_half(*args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True
        if _get_running_loop() is not None:
            called, fix = describe_call(args)
            msg = (
                f"`{called}` cannot run synchronously while an event loop is running "
                "in this thread: its sync half is derived from an async function and "
                f"would block the loop. Use `{fix}` instead."
            )
            raise SyncCallInEventLoopError(msg)
        return bridge(*args, **kwargs)

    functools.update_wrapper(sync_half, async_fn)
    return sync_half
