"""Small wrappers over mypy's type checker, used by the type-checking hooks.

`analyze_member_access` and `TypeChecker.lookup_type` are mypy internals, not part of
its plugin API; keeping every use here keeps the plugin's exposure to them in one
place (`plugin()` refuses untested mypy versions).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mypy.checker import TypeChecker
from mypy.checkmember import analyze_member_access
from mypy.nodes import Context, Expression, TypeInfo
from mypy.types import (
    AnyType,
    CallableType,
    Instance,
    Parameters,
    Type,
    TypeOfAny,
    get_proper_type,
)

from multisync.mypy import _fullnames as names

if TYPE_CHECKING:
    from mypy.plugin import CheckerPluginInterface

__all__ = [
    "async_half_from_callable",
    "async_half_of",
    "checker",
    "coroutine_of",
    "instance_of",
    "member_type",
    "type_of",
]


def checker(api: CheckerPluginInterface) -> TypeChecker:
    """The type checker behind a hook's `api`."""
    assert isinstance(api, TypeChecker)  # noqa: S101  # mypy passes its checker
    return api


def member_type(api: CheckerPluginInterface, name: str, typ: Type, context: Context) -> Type:
    """The type of `<typ>.<name>`, as mypy computes it (descriptors and hooks included).

    When `name` is a class attribute whose type is not inferred yet, mypy defers the
    enclosing function and this returns `Any` for now.
    """
    return analyze_member_access(
        name,
        typ,
        context,
        is_lvalue=False,
        is_super=False,
        is_operator=False,
        original_type=typ,
        chk=checker(api),
    )


def type_of(api: CheckerPluginInterface, expr: Expression) -> Type | None:
    """The type mypy already inferred for `expr`, if it has one."""
    chk = checker(api)
    return chk.lookup_type(expr) if chk.has_type(expr) else None


def instance_of(api: CheckerPluginInterface, fullname: str, args: list[Type]) -> Instance:
    """`<fullname>[*args]`, for a class of any loaded module.

    mypy's `named_generic_type` walks the package tree, which lacks submodules that
    nothing imported by name (`multisync.core.protocols`); the module table does not.
    """
    module, _, name = fullname.rpartition(".")
    node = checker(api).modules[module].names[name].node
    assert isinstance(node, TypeInfo)  # noqa: S101  # our own fullnames
    return Instance(node, args)


def coroutine_of(api: CheckerPluginInterface, result: Type) -> Instance:
    """`Coroutine[Any, Any, result]`."""
    anything = AnyType(TypeOfAny.special_form)
    return api.named_generic_type("typing.Coroutine", [anything, anything, result])


def async_half_from_callable(api: CheckerPluginInterface, sync: CallableType) -> Instance:
    """`AsyncHalf[<sync's parameters>, <sync's return type>]`."""
    parameters = Parameters(
        sync.arg_types,
        sync.arg_kinds,
        sync.arg_names,
        variables=sync.variables,
        imprecise_arg_kinds=sync.imprecise_arg_kinds,
    )
    return instance_of(api, names.ASYNC_HALF, [parameters, sync.ret_type])


def async_half_of(api: CheckerPluginInterface, sync: Type, context: Context) -> Type:
    """The async half of whatever `sync` (a pair or a plain method) is, or `Any`."""
    proper = get_proper_type(sync)
    if isinstance(proper, CallableType):
        return async_half_from_callable(api, proper)
    if isinstance(proper, Instance) and proper.type.get("a") is not None:
        return member_type(api, "a", proper, context)
    return AnyType(TypeOfAny.special_form)
