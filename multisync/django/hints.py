"""`.a` on the methods of Django's own querysets and managers: an error that says what to do.

`Question._base_manager.get` is Django's method, which has no async half: reading `.a`
on it used to fail with "'function' object has no attribute 'a'". Each of Django's
query methods gets an `a` attribute whose call raises an `AttributeError` naming the
method and the two fixes: a `MultisyncManager` (or `MultisyncModel`), or Django's own
`a*` method. Managers made later from Django's querysets copy the attribute along with
the method, as `functools.wraps` does.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db.models import Manager, QuerySet

from multisync.django._compat import class_attribute
from multisync.django.query import CHAINING_METHODS, QUERY_METHODS

__all__ = ["install_hints"]


class NoAsyncHalf:
    """What `.a` is on a method of a queryset or manager that is not a multisync one."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, *args: Any, **kwargs: Any) -> NoReturn:  # noqa: ARG002  # any call
        __tracebackhide__ = True
        raise AttributeError(_message(self.name))

    def __repr__(self) -> str:
        return f"<no async half of {self.name}()>"


def _message(name: str) -> str:
    twin = f"a{name}"
    if hasattr(QuerySet, twin):
        instead = f"or call Django's own `{twin}()`"
    else:
        instead = "or evaluate the queryset with `async for`"
    return (
        f"`{name}.a()` exists only on a MultisyncManager or MultisyncQuerySet, and this "
        f"`{name}` is Django's own. Give the model a `MultisyncManager` (or derive it "
        f"from `MultisyncModel`), {instead}."
    )


def install_hints() -> None:
    """Give Django's query methods the hinting `.a` (idempotent)."""
    for name in (*QUERY_METHODS, *CHAINING_METHODS):
        for owner in (QuerySet, Manager):
            method = class_attribute(owner, name)  # Manager's are in its generated base
            if callable(method) and not isinstance(getattr(method, "a", None), NoAsyncHalf):
                method.a = NoAsyncHalf(name)
