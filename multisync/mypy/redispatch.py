"""Keeping django-stubs' checks on calls that go through a pair.

Once `get` or `save` is a pair, `qs.get(...)` is a call of `BoundMultisync.__call__`
and `await qs.get.a(...)` one of `AsyncHalf.__call__`, so mypy no longer asks
django-stubs about `QuerySet.get`: its lookup check (`Cannot resolve keyword`) and its
`update_fields` check on `save` would fall silent. These hooks find the receiver and
the name in the call expression and hand the call to whichever plugin claims that
method, exactly as mypy would have:

    qs.get(...)                    -> the hook of <QuerySet>.get
    qs.get.a(...), qs.get_async()  -> the hook of <QuerySet>.aget (Django's twin), or
                                      that of <QuerySet>.get, applied to the awaited type

The hooks are keyed on multisync's own classes, which no other plugin claims, so the
result does not depend on the order of `plugins`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from mypy.nodes import CallExpr, Expression, MemberExpr
from mypy.types import Instance, Type, get_proper_type

from multisync.mypy import _checker
from multisync.mypy import _fullnames as names

if TYPE_CHECKING:
    from collections.abc import Callable

    from mypy.plugin import MethodContext

__all__ = ["async_call", "sync_call"]


class _Target(NamedTuple):
    """The receiver and the sync name of a call through a pair."""

    receiver: Instance
    name: str


def sync_call(ctx: MethodContext) -> Type:
    """`obj.m(...)` on a pair: the checks of the plain method `m`."""
    target = _target(ctx, _sync_spelling)
    if target is None:
        return ctx.default_return_type
    hook = _hook_for(ctx, f"{target.receiver.type.fullname}.{target.name}")
    if hook is None:
        return ctx.default_return_type
    return hook(ctx._replace(type=target.receiver))


def async_call(ctx: MethodContext) -> Type:
    """`obj.m.a(...)` and `obj.m_async(...)`: the checks of Django's `am`, or of `m`."""
    target = _target(ctx, _async_spelling)
    if target is None:
        return ctx.default_return_type
    owner = target.receiver.type.fullname
    # Only a twin the class declares: django-stubs claims every method name of a
    # queryset (for its annotations), `afilter` included, which Django lacks.
    twin_name = f"a{target.name}"
    twin = _hook_for(ctx, f"{owner}.{twin_name}") if target.receiver.type.get(twin_name) else None
    if twin is not None:
        return twin(ctx._replace(type=target.receiver))
    hook = _hook_for(ctx, f"{owner}.{target.name}")
    awaited = _awaited(ctx.default_return_type)
    if hook is None or awaited is None:
        return ctx.default_return_type
    result = hook(ctx._replace(type=target.receiver, default_return_type=awaited))
    return _checker.coroutine_of(ctx.api, result)


def _sync_spelling(callee: Expression) -> tuple[Expression, str] | None:
    """`<receiver>.<name>` -> (receiver, name)."""
    if isinstance(callee, MemberExpr):
        return callee.expr, callee.name
    return None


def _async_spelling(callee: Expression) -> tuple[Expression, str] | None:
    """`<receiver>.<name>.a` or `<receiver>.<name>_async` -> (receiver, name)."""
    if not isinstance(callee, MemberExpr):
        return None
    if callee.name == "a":
        return _sync_spelling(callee.expr)
    if callee.name.endswith(names.ASYNC_SUFFIX):
        return callee.expr, callee.name.removesuffix(names.ASYNC_SUFFIX)
    return None


def _target(
    ctx: MethodContext, spelling: Callable[[Expression], tuple[Expression, str] | None]
) -> _Target | None:
    if not isinstance(ctx.context, CallExpr):
        return None
    found = spelling(ctx.context.callee)
    if found is None:
        return None
    receiver_expr, name = found
    receiver = get_proper_type(_checker.type_of(ctx.api, receiver_expr))
    # Only instances: django-stubs' hooks read the model or queryset from `ctx.type`.
    if not isinstance(receiver, Instance):
        return None
    return _Target(receiver, name)


def _hook_for(ctx: MethodContext, fullname: str) -> Callable[[MethodContext], Type] | None:
    """The method hook another plugin in the chain registers for `fullname`."""
    hook = _checker.checker(ctx.api).plugin.get_method_hook(fullname)
    if hook in (sync_call, async_call):  # never our own: no loops
        return None
    return hook


def _awaited(coroutine: Type) -> Type | None:
    proper = get_proper_type(coroutine)
    if isinstance(proper, Instance) and proper.type.fullname == "typing.Coroutine":
        return proper.args[2]
    return None
