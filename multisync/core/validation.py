"""Checks of what the user wrote: that a half is a function of the right kind.

Each check raises `DecoratorMisuseError` or `HalvesMismatchError` with a message that
names what the user wrote (`def Question.save`) and how to fix it.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any, cast

from multisync.core.adapters import is_async_callable
from multisync.exceptions import DecoratorMisuseError, HalvesMismatchError

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "check_half",
    "check_is_async",
    "check_is_sync",
    "check_same_shape",
    "describe",
    "is_pair",
    "kind_name",
    "unwrap",
]


def is_pair(obj: object) -> bool:
    """Tell whether `obj` is a multisync descriptor (see `descriptors`)."""
    return getattr(type(obj), "__multisync_pair__", False) is True


def unwrap(obj: object) -> Any:
    """The function inside a classmethod/staticmethod, or `obj` itself."""
    if isinstance(obj, (classmethod, staticmethod)):
        wrapper = cast("classmethod[Any, ..., Any] | staticmethod[..., Any]", obj)
        return wrapper.__func__
    return obj


def kind_name(obj: object) -> str:
    """`function`, `classmethod` or `staticmethod`: what kind of callable `obj` is."""
    if isinstance(obj, classmethod):
        return "classmethod"
    return "staticmethod" if isinstance(obj, staticmethod) else "function"


def describe(obj: object) -> str:
    """Name what the user wrote: `def Question.save`, `async def Question.save_async`."""
    fn = unwrap(obj)
    qualname = getattr(fn, "__qualname__", None)
    if not isinstance(qualname, str):
        return f"a {type(obj).__name__} object"
    return f"`{'async def' if is_async_callable(fn) else 'def'} {qualname}`"


def check_half(obj: object, *, where: str) -> None:
    """Reject what cannot be a half: multisyncs, classes, properties, non-callables."""
    __tracebackhide__ = True
    fn = unwrap(obj)
    if is_pair(fn):
        msg = (
            f"{where} got `{fn.__qualname__}`, which is already a multisync; apply @multisync once."
        )
        raise DecoratorMisuseError(msg)
    if isinstance(fn, type) or not callable(fn):
        msg = (
            f"{where} needs a function, an async function, a classmethod or a "
            f"staticmethod, got {_with_article(type(obj).__name__)} object."
        )
        raise DecoratorMisuseError(msg)


def check_is_async(obj: object, *, where: str) -> None:
    """Reject what cannot be an async half."""
    __tracebackhide__ = True
    check_half(obj, where=where)
    if not is_async_callable(obj):
        msg = f"{where} needs an async function, got {describe(obj)}; define it with `async def`."
        raise DecoratorMisuseError(msg)


def check_is_sync(obj: object, *, where: str) -> None:
    """Reject what cannot be a sync half."""
    __tracebackhide__ = True
    check_half(obj, where=where)
    if is_async_callable(obj):
        msg = f"{where} needs a sync function first, got {describe(obj)}."
        raise DecoratorMisuseError(msg)


def parameters(fn: Callable[..., Any]) -> inspect.Signature | None:
    """The parameters of `fn` without annotations, or None if it has no signature."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    params = [p.replace(annotation=inspect.Parameter.empty) for p in sig.parameters.values()]
    return sig.replace(parameters=params, return_annotation=inspect.Signature.empty)


def check_same_shape(sync_obj: object, async_obj: object) -> None:
    """Both halves must be the same kind of callable and take the same parameters."""
    __tracebackhide__ = True
    sync_kind, async_kind = kind_name(sync_obj), kind_name(async_obj)
    if sync_kind != async_kind:
        msg = (
            f"The halves {describe(sync_obj)} and {describe(async_obj)} must be the "
            f"same kind of callable, but one is a {sync_kind} and the other a "
            f"{async_kind}; decorate both the same way."
        )
        raise DecoratorMisuseError(msg)
    sync_fn, async_fn = unwrap(sync_obj), unwrap(async_obj)
    sync_sig, async_sig = parameters(sync_fn), parameters(async_fn)
    if sync_sig is None or async_sig is None or sync_sig == async_sig:
        return
    sync_name, async_name = sync_fn.__qualname__, async_fn.__qualname__
    msg = (
        f"The halves `{sync_name}` and `{async_name}` must take the same parameters, "
        f"but `{sync_name}{sync_sig}` differs from `{async_name}{async_sig}`."
    )
    raise HalvesMismatchError(msg)


def _with_article(word: str) -> str:
    """`a property`, `an int`: the word with its indefinite article."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"
