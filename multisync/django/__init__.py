"""The Django layer of multisync: the only part of the package that imports Django.

Install it with `INSTALLED_APPS = [..., "multisync"]`. The models and managers are
imported lazily, so that importing this package does not need the app registry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from multisync.django.exceptions import UnprefetchedRelatedModelAccessError

if TYPE_CHECKING:
    from multisync.django.models import MultisyncModel
    from multisync.django.query import MultisyncManager, MultisyncQuerySet
    from multisync.django.relations import AsyncRelations
    from multisync.django.transactions import atomic

__all__ = [
    "AsyncRelations",
    "MultisyncManager",
    "MultisyncModel",
    "MultisyncQuerySet",
    "UnprefetchedRelatedModelAccessError",
    "atomic",
]

_LAZY = {
    "AsyncRelations": "multisync.django.relations",
    "MultisyncManager": "multisync.django.query",
    "MultisyncModel": "multisync.django.models",
    "MultisyncQuerySet": "multisync.django.query",
    "atomic": "multisync.django.transactions",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    msg = f"module 'multisync.django' has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted(__all__)
