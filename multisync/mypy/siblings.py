"""The `m_async` spelling that every pair installs on its class.

`@multisync def publish` gives the class `publish_async` at runtime, and the Django
layer gives every model `save_async`, `delete_async` and `refresh_from_db_async`.
The class hook adds each as an attribute (its metadata maps it to its sync name), and
`async_sibling` types it on each access as the async half of the receiver's own sync
spelling: `choice.save_async` follows `Choice.save`, overrides included, and an
argument error names the same parameters as `choice.save(...)` would.

`MultisyncQuerySet` and `MultisyncManager` declare their `_async` attributes in the
source instead (django-stubs owns the class hooks of querysets and managers); they are
typed the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mypy.nodes import (
    ARG_STAR,
    ARG_STAR2,
    AssignmentStmt,
    Decorator,
    FuncDef,
    MemberExpr,
    NameExpr,
    OverloadedFuncDef,
    TypeInfo,
)
from mypy.plugins.common import add_attribute_to_class
from mypy.types import AnyType, Instance, Parameters, Type, TypeOfAny

from multisync.mypy import _checker, pairs
from multisync.mypy import _fullnames as names

if TYPE_CHECKING:
    from mypy.plugin import AttributeContext, ClassDefContext

__all__ = ["add_model_siblings", "add_siblings", "async_sibling", "sibling_of"]


def add_siblings(ctx: ClassDefContext, decorated: list[Decorator]) -> None:
    """Add `m_async` for each `@multisync def m` whose class body does not spell it."""
    spelled = _names_defined_in_body(ctx)
    for node in decorated:
        sibling = node.name + names.ASYNC_SUFFIX
        if sibling not in spelled:
            _add_sibling(ctx, sibling, node.name)


def add_model_siblings(ctx: ClassDefContext) -> None:
    """On `Model` itself: `save_async`, `delete_async`, `refresh_from_db_async`."""
    for name in names.MODEL_METHODS:
        _add_sibling(ctx, name + names.ASYNC_SUFFIX, name)


def _add_sibling(ctx: ClassDefContext, sibling: str, sync_name: str) -> None:
    info = ctx.cls.info
    siblings = info.metadata.setdefault(pairs.METADATA_KEY, {}).setdefault("siblings", {})
    siblings[sibling] = sync_name
    existing = info.names.get(sibling)
    if existing is not None and existing.plugin_generated:
        return  # the hook runs again when mypy defers the class
    default = _any_async_half(ctx)
    var = add_attribute_to_class(ctx.api, ctx.cls, sibling, default)
    # A class attribute: `Model.save_async(obj)` reads it on the class.
    var.is_initialized_in_class = True


def _any_async_half(ctx: ClassDefContext) -> Type:
    """`AsyncHalf[..., Any]`: the type a checker without the hooks would see."""
    symbol = ctx.api.lookup_fully_qualified_or_none(names.ASYNC_HALF)
    if symbol is None or not isinstance(symbol.node, TypeInfo):
        return AnyType(TypeOfAny.special_form)
    anything = AnyType(TypeOfAny.special_form)
    any_parameters = Parameters(
        [anything, anything], [ARG_STAR, ARG_STAR2], [None, None], is_ellipsis_args=True
    )
    return Instance(symbol.node, [any_parameters, anything])


def _names_defined_in_body(ctx: ClassDefContext) -> set[str]:
    found: set[str] = set()
    for node in ctx.cls.defs.body:
        if isinstance(node, (FuncDef, Decorator, OverloadedFuncDef)):
            found.add(node.name)
        elif isinstance(node, AssignmentStmt):
            found.update(lvalue.name for lvalue in node.lvalues if isinstance(lvalue, NameExpr))
    return found


def sibling_of(info: TypeInfo, attribute: str) -> str | None:
    """The sync name whose async spelling `info.<attribute>` is, if it is one."""
    definer = info.get_containing_type_info(attribute)
    if definer is None:
        return None
    if definer.fullname in names.DECLARED_SIBLING_CLASSES:
        return attribute.removesuffix(names.ASYNC_SUFFIX)
    sync_name = definer.metadata.get(pairs.METADATA_KEY, {}).get("siblings", {}).get(attribute)
    return sync_name if isinstance(sync_name, str) else None


def async_sibling(ctx: AttributeContext) -> Type:
    """`obj.m_async` and `Cls.m_async`: the async half of the receiver's own `m`."""
    if not isinstance(ctx.context, MemberExpr):
        return ctx.default_attr_type
    sync_name = ctx.context.name.removesuffix(names.ASYNC_SUFFIX)
    sync = _checker.member_type(ctx.api, sync_name, ctx.type, ctx.context)
    half = _checker.async_half_of(ctx.api, sync, ctx.context)
    return ctx.default_attr_type if isinstance(half, AnyType) else half
