"""The differences between Django 4.2, 5.2 and 6.1 that multisync has to bridge."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, NamedTuple

import django

if TYPE_CHECKING:
    from django.db.models import Model

__all__ = [
    "DJANGO_VERSION",
    "GenericClasses",
    "cache_name",
    "class_attribute",
    "generic_classes",
    "is_pk_set",
]

DJANGO_VERSION = django.VERSION[:2]


def cache_name(field: Any) -> str:
    """The key a field or relation uses in `instance._state.fields_cache`.

    5.1 turned `get_cache_name()` into the `cache_name` property; 6.0 dropped the method.
    """
    name = getattr(field, "cache_name", None)
    return name if isinstance(name, str) else str(field.get_cache_name())


def class_attribute(cls: type[Any], name: str) -> Any:
    """`cls.<name>` as stored in its MRO, without calling `__get__` (None if absent)."""
    for klass in cls.__mro__:
        if name in vars(klass):
            return vars(klass)[name]
    return None


def is_pk_set(instance: Model) -> bool:
    """Whether the instance has a primary key value (5.2 added `_is_pk_set()`)."""
    checker = getattr(instance, "_is_pk_set", None)
    return checker() if checker is not None else instance.pk is not None


class GenericClasses(NamedTuple):
    """The contenttypes classes multisync looks for; None when contenttypes is absent."""

    foreign_key: type[Any] | None
    foreign_key_descriptor: type[Any] | None  # Django 6.1 split it from the field
    relation_descriptor: type[Any] | None
    relation_rel: type[Any] | None  # the reverse side of a GenericRelation


@functools.cache
def generic_classes() -> GenericClasses:
    """Import contenttypes' generic relation classes once the app registry is ready."""
    from django.apps import apps

    if not apps.is_installed("django.contrib.contenttypes"):
        return GenericClasses(None, None, None, None)
    from django.contrib.contenttypes import fields

    return GenericClasses(
        fields.GenericForeignKey,
        getattr(fields, "GenericForeignKeyDescriptor", None),
        fields.ReverseGenericManyToOneDescriptor,
        fields.GenericRel,
    )
