"""`obj.a` and `await obj.a.<name>`.

The class hook gives Django's `Model` an attribute `a` typed `AsyncRelationsAccessor`,
so `choice.a` is an `AsyncRelations[Choice]` on every model, third-party ones
included. `AsyncRelations` declares `__getattr__`, so mypy asks `relation_type` about
every name read from it. That hook finds what the name is on the model, as
django-stubs declared it, and types it from mypy's own access to the same name:

    forward FK / one-to-one      Coroutine[Any, Any, Question]    (Question | None if null)
    reverse one-to-one           Coroutine[Any, Any, Profile]
    reverse FK, M2M (both sides) Coroutine[Any, Any, list[Choice]]
    GenericRelation              Coroutine[Any, Any, list[Any]]
    GenericForeignKey            Coroutine[Any, Any, Any | None]
    a plain field                error [multisync-field], typed as its value
    a field of an untyped library  Coroutine[Any, Any, Any] (django-taggit's managers)
    anything else                error [multisync-relation]
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Final

from mypy.maptype import map_instance_to_supertype
from mypy.nodes import MemberExpr, TypeInfo, Var
from mypy.plugins.common import add_attribute_to_class
from mypy.types import (
    AnyType,
    Instance,
    Type,
    TypeOfAny,
    get_proper_type,
)

from multisync.mypy import _checker
from multisync.mypy import _fullnames as names
from multisync.mypy.errorcodes import MULTISYNC_FIELD, MULTISYNC_RELATION

if TYPE_CHECKING:
    from mypy.plugin import AttributeContext, CheckerPluginInterface, ClassDefContext

__all__ = ["add_namespace", "relation_type"]

# What awaiting `obj.a.<name>` gives, by the kind of `<name>`.
_ONE: Final = "one"  # the related object (or None)
_MANY: Final = "many"  # a list of related objects
_FIELD: Final = "field"  # a plain field's value
_NONE: Final = "none"  # not a relation or a field

# Checked in order: GenericForeignKey is a Field, GenericRelation a ForeignObject.
_KINDS: Final = (
    (names.GENERIC_FOREIGN_KEY, _ONE),
    (names.GENERIC_RELATION, _MANY),
    (names.MANY_TO_MANY_FIELD, _MANY),
    (names.REVERSE_MANY_TO_ONE, _MANY),  # and ManyToManyDescriptor, a subclass
    (names.FOREIGN_OBJECT, _ONE),
    (names.REVERSE_ONE_TO_ONE, _ONE),
    (names.FIELD, _FIELD),
)


def add_namespace(ctx: ClassDefContext) -> None:
    """Give Django's `Model` its `a` (the runtime installs the same in `ready()`)."""
    info = ctx.cls.info
    existing = info.names.get("a")
    if existing is not None and existing.plugin_generated:
        return  # the hook runs again when mypy defers the class
    symbol = ctx.api.lookup_fully_qualified_or_none(names.ASYNC_RELATIONS_ACCESSOR)
    if symbol is None or not isinstance(symbol.node, TypeInfo):
        return
    add_attribute_to_class(ctx.api, ctx.cls, "a", Instance(symbol.node, []), is_classvar=True)


def relation_type(ctx: AttributeContext) -> Type:
    """The type of `obj.a.<name>`: a coroutine of what awaiting it gives."""
    model = _model_of(ctx.type)
    if model is None or not isinstance(ctx.context, MemberExpr):
        return ctx.default_attr_type  # a TypeVar or Any: stay permissive
    name = ctx.context.name
    if _declared_as_any(model.type, name):  # from an untyped library: django-taggit's
        return _checker.coroutine_of(ctx.api, AnyType(TypeOfAny.special_form))
    if _not_inferred_yet(model.type, name):
        # A field assigned below this use (django-stubs 5.2 types fields only then):
        # reading it makes mypy defer the function and check it again once it knows.
        _checker.member_type(ctx.api, name, model, ctx.context)
        return AnyType(TypeOfAny.special_form)
    kind = _kind(model.type, name)
    if kind == _NONE:
        _report_unknown(ctx, model.type, name)
        return AnyType(TypeOfAny.from_error)
    value = _checker.member_type(ctx.api, name, model, ctx.context)
    if kind == _FIELD:
        _report_field(ctx, model.type, name)
    elif kind == _MANY:
        value = _list_of_related(ctx.api, value)
    return _checker.coroutine_of(ctx.api, value)


def _model_of(namespace: Type) -> Instance | None:
    proper = get_proper_type(namespace)
    if not isinstance(proper, Instance) or not proper.args:
        return None
    model = get_proper_type(proper.args[0])
    if isinstance(model, Instance) and model.type.has_base(names.MODEL):
        return model
    return None


def _kind(model: TypeInfo, name: str) -> str:
    declared = _declared_type(model, name)
    if declared is None:
        if name == "pk" or _is_foreign_key_column(model, name):
            return _FIELD
        return _NONE
    for fullname, kind in _KINDS:
        if declared.type.has_base(fullname):
            return kind
    return _NONE


def _declared_type(model: TypeInfo, name: str) -> Instance | None:
    """The field or descriptor that `model` (or a parent model) declares as `name`."""
    symbol = model.get(name)
    node = symbol.node if symbol is not None else None
    if not isinstance(node, Var) or node.info.fullname == names.MODEL:
        return None
    declared = get_proper_type(node.type)
    return declared if isinstance(declared, Instance) else None


def _declared_as_any(model: TypeInfo, name: str) -> bool:
    """Whether a model declares `name` with a type mypy does not know (an untyped field)."""
    symbol = model.get(name)
    node = symbol.node if symbol is not None else None
    if not isinstance(node, Var) or node.info.fullname == names.MODEL or node.type is None:
        return False
    return isinstance(get_proper_type(node.type), AnyType)


def _is_foreign_key_column(model: TypeInfo, name: str) -> bool:
    """`question_id`, the column behind the `question` foreign key."""
    base = name.removesuffix("_id")
    if base == name:
        return False
    declared = _declared_type(model, base)
    return declared is not None and declared.type.has_base(names.FOREIGN_OBJECT)


def _not_inferred_yet(model: TypeInfo, name: str) -> bool:
    symbol = model.get(name)
    return symbol is not None and isinstance(symbol.node, Var) and symbol.node.type is None


def _list_of_related(api: CheckerPluginInterface, manager: Type) -> Type:
    """`list[Choice]` for a related manager of `Choice`s; `list[Any]` if unknown."""
    proper = get_proper_type(manager)
    item: Type = AnyType(TypeOfAny.special_form)
    if isinstance(proper, Instance):
        base = next((b for b in proper.type.mro if b.fullname == names.BASE_MANAGER), None)
        if base is not None:
            mapped = map_instance_to_supertype(proper, base)
            item = mapped.args[0] if mapped.args else item
    return api.named_generic_type("builtins.list", [item])


def _relation_names(model: TypeInfo) -> list[str]:
    found: set[str] = set()
    for info in model.mro:
        if info.fullname == names.MODEL:
            break
        found.update(name for name in info.names if _kind(model, name) in {_ONE, _MANY})
    return sorted(found)


def _report_unknown(ctx: AttributeContext, model: TypeInfo, name: str) -> None:
    close = difflib.get_close_matches(name, _relation_names(model), n=1)
    hint = f'; maybe "{close[0]}"?' if close else ""
    ctx.api.fail(
        f'"{model.name}.a" has no relation "{name}"{hint}', ctx.context, code=MULTISYNC_RELATION
    )


def _report_field(ctx: AttributeContext, model: TypeInfo, name: str) -> None:
    ctx.api.fail(
        f'"{model.name}.{name}" is a field, not a relation; read it without ".a"',
        ctx.context,
        code=MULTISYNC_FIELD,
    )
