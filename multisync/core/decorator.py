"""`@multisync`, the decorator users write, and `install`, for integrations."""

# pyright: reportPrivateUsage=false

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, overload

from multisync.core.adapters import is_async_callable
from multisync.core.descriptors import (
    Multisync,
    MultisyncClassmethod,
    MultisyncStaticmethod,
    _Pair,
    create_pair,
)
from multisync.core.traits import NO_TRAITS, Traits
from multisync.core.validation import check_half, check_is_async, check_is_sync

if TYPE_CHECKING:
    from multisync.core.protocols import P, R

__all__ = ["install", "multisync"]

AsyncFn = Callable[..., Coroutine[Any, Any, Any]]


def install(
    owner: type,
    name: str,
    sync_fn: Callable[..., Any] | None,
    async_fn: AsyncFn | None,
    traits: Traits = NO_TRAITS,
) -> _Pair:
    """Install a pair on an existing class, replacing every spelling it had.

    For integrations (the Django layer uses it on `Model.save`): unlike a class body,
    the existing `m_async`/extra spellings are overwritten, not adopted.
    """
    __tracebackhide__ = True
    pair = create_pair(sync_fn, async_fn, traits)
    setattr(owner, name, pair)
    pair._attach(owner, name)
    for spelling in pair.async_names:
        setattr(owner, spelling, pair._wrap(pair._async_fn))
        pair._installed.add(spelling)
    return pair


# classmethod and staticmethod objects are callable too, so mypy sees these overloads
# overlap the function ones; they come first, so they win for those objects.
@overload
def multisync(fn: classmethod[Any, P, Coroutine[Any, Any, R]], /) -> MultisyncClassmethod[P, R]: ...
@overload
def multisync(fn: classmethod[Any, P, R], /) -> MultisyncClassmethod[P, R]: ...
@overload
def multisync(fn: staticmethod[P, Coroutine[Any, Any, R]], /) -> MultisyncStaticmethod[P, R]: ...  # type: ignore[overload-overlap]  # pyright: ignore[reportOverlappingOverload]
@overload
def multisync(fn: staticmethod[P, R], /) -> MultisyncStaticmethod[P, R]: ...  # type: ignore[overload-overlap]
@overload
def multisync(fn: Callable[P, Coroutine[Any, Any, R]], /) -> Multisync[P, R]: ...
@overload
def multisync(fn: Callable[P, R], /) -> Multisync[P, R]: ...
@overload
def multisync(
    sync_fn: Callable[P, R], async_fn: Callable[P, Coroutine[Any, Any, R]], /
) -> Multisync[P, R]: ...
def multisync(fn: Any, async_fn: Any = None, /) -> Any:
    """Pair a sync and an async implementation under one name.

    Written on a `def`, the async half runs it in asgiref's thread-sensitive
    executor; written on an `async def`, the sync half runs it with
    `async_to_sync`. `@f.async_` adds a hand-written async half, and
    `multisync(sync_fn, async_fn)` pairs two existing functions.

    ```python
    from multisync import multisync

    @multisync
    def total(numbers: list[int]) -> int:
        return sum(numbers)

    total([1, 2])               # 3, the sync half
    await total.a([1, 2])       # 3, the async half
    ```

    Put `@multisync` above `@classmethod` or `@staticmethod`.

    Raises:
        DecoratorMisuseError: `fn` is not a function, coroutine function,
            classmethod or staticmethod, or the two halves are of different kinds.
        HalvesMismatchError: the two halves take different parameters.

    !!! note "Added in 0.1"
    """
    __tracebackhide__ = True
    if async_fn is None:
        check_half(fn, where="@multisync")
        return create_pair(None, fn) if is_async_callable(fn) else create_pair(fn, None)
    check_is_sync(fn, where="multisync(sync_fn, async_fn)")
    check_is_async(async_fn, where="multisync(sync_fn, async_fn)")
    return create_pair(fn, async_fn)
