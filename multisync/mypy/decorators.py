"""The type of `@multisync` applied to a method, where mypy needs help.

Two cases, both about what mypy hands the decorator:

* Under `@classmethod` or `@staticmethod`, mypy passes the function, not the
  classmethod object, so `multisync()` returns a plain `Multisync` whose first
  parameter is `cls`, and mypy's choice among `Multisync.__get__`'s overloads
  ignores their `self` types (pyright does not, and needs no help). The hook retypes
  the result as the `MultisyncClassmethod` (without `cls`) or `MultisyncStaticmethod`
  that the runtime builds, whose `__get__` binds the way those do.
* A generic method (`def copy(self) -> Self`) loses its type variables on the way
  through `Callable[P, R]`: mypy leaves `R` unsolved. The hook types the pair from
  the method itself, with `Self` (the type of `self`) read as the class and any other
  type variable as `Any`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mypy.expandtype import expand_type
from mypy.nodes import Decorator
from mypy.types import (
    AnyType,
    CallableType,
    Instance,
    Parameters,
    Type,
    TypeOfAny,
    TypeVarType,
    get_proper_type,
)

from multisync.mypy import _checker
from multisync.mypy import _fullnames as names

if TYPE_CHECKING:
    from mypy.plugin import FunctionContext

__all__ = ["multisync_method_type"]


def multisync_method_type(ctx: FunctionContext) -> Type:
    """The type of `@multisync` over a method, as the runtime will bind it."""
    result = get_proper_type(ctx.default_return_type)
    decorator = ctx.context
    if (
        not isinstance(decorator, Decorator)
        or not isinstance(result, Instance)
        or result.type.fullname != names.MULTISYNC
    ):
        return ctx.default_return_type
    method = _decorated_type(ctx)
    if method is not None and method.variables:
        result = _pair_of(
            ctx, _without_type_variables(method), is_async=decorator.func.is_coroutine
        )
    parameters, returns = result.args
    parameters = get_proper_type(parameters)
    if decorator.func.is_class and isinstance(parameters, Parameters) and parameters.arg_types:
        without_cls = parameters.copy_modified(
            arg_types=parameters.arg_types[1:],
            arg_kinds=parameters.arg_kinds[1:],
            arg_names=parameters.arg_names[1:],
        )
        return _checker.instance_of(ctx.api, names.MULTISYNC_CLASSMETHOD, [without_cls, returns])
    if decorator.func.is_static:
        return _checker.instance_of(ctx.api, names.MULTISYNC_STATICMETHOD, [parameters, returns])
    return result


def _decorated_type(ctx: FunctionContext) -> CallableType | None:
    if len(ctx.arg_types) != 1 or len(ctx.arg_types[0]) != 1:
        return None  # the two-argument form, `multisync(sync_fn, async_fn)`
    method = get_proper_type(ctx.arg_types[0][0])
    return method if isinstance(method, CallableType) else None


def _without_type_variables(method: CallableType) -> CallableType:
    """`method` with `Self` as its bound (the class) and other type variables as `Any`."""
    first = get_proper_type(method.arg_types[0]) if method.arg_types else None
    replacements: dict[object, Type] = {}
    for variable in method.variables:
        if isinstance(variable, TypeVarType) and first == variable:
            replacements[variable.id] = variable.upper_bound
        else:
            replacements[variable.id] = AnyType(TypeOfAny.special_form)
    expanded = get_proper_type(expand_type(method, replacements))  # type: ignore[arg-type]
    assert isinstance(expanded, CallableType)  # noqa: S101  # expanding keeps the kind
    return expanded.copy_modified(variables=[])


def _pair_of(ctx: FunctionContext, method: CallableType, *, is_async: bool) -> Instance:
    """`Multisync[<method's parameters>, <its result>]`, awaited for an `async def`."""
    returns = method.ret_type
    proper = get_proper_type(returns)
    if is_async and isinstance(proper, Instance) and proper.type.fullname == "typing.Coroutine":
        returns = proper.args[2]
    parameters = Parameters(method.arg_types, method.arg_kinds, method.arg_names)
    return _checker.instance_of(ctx.api, names.MULTISYNC, [parameters, returns])
