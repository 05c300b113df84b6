"""Which methods of a class are multisync pairs at runtime, as far as mypy can tell.

The override rule makes a pair of every plain method that overrides a multisync
name (`def save` on any model, `def publish` under a `@multisync def publish`), so
`obj.save.a()` runs at runtime. To type it, the class hook makes such a method's
fallback type `MultisyncFunction` (mypy looks attributes of a callable up on its
fallback), and `async_half_of_method` types `.a` from the method's own signature.

The class hook runs before mypy analyses the class body, so the names are found in
the syntax: decorators are resolved by name in the module's scope. Each class records
its pairs in its metadata, which mypy's cache keeps, so subclasses in other modules
(and incremental runs) see them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeGuard

from mypy.nodes import (
    Decorator,
    Expression,
    FuncDef,
    MemberExpr,
    NameExpr,
    RefExpr,
    Statement,
    SymbolTableNode,
    TypeInfo,
    get_member_expr_fullname,
)
from mypy.types import AnyType, CallableType, Instance, Type, TypeOfAny, get_proper_type

from multisync.mypy import _checker
from multisync.mypy import _fullnames as names

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from mypy.plugin import AttributeContext, ClassDefContext

__all__ = [
    "METADATA_KEY",
    "async_half_of_method",
    "inherited_pair_names",
    "is_multisync_decorated",
    "make_plain_overrides_pairs",
    "multisync_decorated",
    "record_pairs",
]

METADATA_KEY = "multisync"


def is_model(info: TypeInfo) -> bool:
    """Whether `info` is Django's `Model` or a subclass of it."""
    return info.has_base(names.MODEL)


def inherited_pair_names(info: TypeInfo) -> set[str]:
    """The multisync names `info` inherits: a plain override of one becomes a pair."""
    found = set(names.MODEL_METHODS) if is_model(info) else set()
    for base in info.mro[1:]:
        found.update(base.metadata.get(METADATA_KEY, {}).get("pairs", ()))
    return found


def record_pairs(info: TypeInfo, pair_names: Iterable[str]) -> None:
    """Remember in `info`'s metadata (cached by mypy) which of its names are pairs."""
    metadata = info.metadata.setdefault(METADATA_KEY, {})
    metadata["pairs"] = sorted({*metadata.get("pairs", ()), *pair_names})


def multisync_decorated(ctx: ClassDefContext) -> list[Decorator]:
    """The methods of the class body decorated with `@multisync` (read from the syntax)."""

    def resolve(name: str, expr: Expression) -> SymbolTableNode | None:
        return ctx.api.lookup_qualified(name, expr, suppress_errors=True)

    return [node for node in ctx.cls.defs.body if is_multisync_decorated(node, resolve)]


def is_multisync_decorated(
    node: Statement, resolve: Callable[[str, Expression], SymbolTableNode | None]
) -> TypeGuard[Decorator]:
    """Whether `node` is a method under `@multisync`, with names looked up by `resolve`."""
    return isinstance(node, Decorator) and any(
        _is_multisync_decorator(expr, resolve) for expr in node.original_decorators
    )


def _is_multisync_decorator(
    expr: Expression, resolve: Callable[[str, Expression], SymbolTableNode | None]
) -> bool:
    if isinstance(expr, RefExpr) and expr.fullname:  # already analysed (a deferred class)
        return expr.fullname == names.MULTISYNC_DECORATOR
    if isinstance(expr, NameExpr):
        name = expr.name
    elif isinstance(expr, MemberExpr):
        name = get_member_expr_fullname(expr) or ""
    else:
        return False
    symbol = resolve(name, expr) if name else None
    return symbol is not None and symbol.fullname == names.MULTISYNC_DECORATOR


def make_plain_overrides_pairs(ctx: ClassDefContext) -> list[str]:
    """Give each plain `def` that overrides a multisync name the `MultisyncFunction` fallback.

    An `async def` keeps its type: at runtime it becomes the async half and `obj.m()`
    returns the awaited value, which its signature cannot say, so mypy should go on
    reporting the override. Unannotated methods have no type to change yet.
    """
    info = ctx.cls.info
    inherited = inherited_pair_names(info)
    fallback = _multisync_function(ctx)
    if not inherited or fallback is None:
        return []
    changed = []
    for node in ctx.cls.defs.body:
        if (
            isinstance(node, FuncDef)
            and node.name in inherited
            and not node.is_coroutine
            and isinstance(node.type, CallableType)
        ):
            node.type.fallback = fallback
            changed.append(node.name)
    return changed


def _multisync_function(ctx: ClassDefContext) -> Instance | None:
    symbol = ctx.api.lookup_fully_qualified_or_none(names.MULTISYNC_FUNCTION)
    if symbol is None or not isinstance(symbol.node, TypeInfo):
        return None
    return Instance(symbol.node, [])


def async_half_of_method(ctx: AttributeContext) -> Type:
    """`obj.save.a`: the async half of a plain method that is a pair at runtime."""
    method = get_proper_type(ctx.type)
    if not isinstance(method, CallableType):
        return AnyType(TypeOfAny.special_form)
    return _checker.async_half_from_callable(ctx.api, method)
