"""The core: the `@multisync` primitive, in pure Python (no Django, no mypy).

Its modules, from the bottom up:

    protocols    the types checkers see (`AsyncHalf`, `AsyncRelations`)
    naming       the names multisync gives (`m_async`, `choice_tag`, model methods)
    adapters     deriving a missing half (`sync_to_async`, `async_to_sync`)
    validation   checking what the user wrote
    traits       what a name passes on to the pairs that override it
    override     the override rule and its registry of names
    descriptors  the pair descriptors (`Multisync`, `BoundMultisync`, ...)
    decorator    `@multisync` and `install`

This package's namespace is the API that the layers above it (`multisync.django`,
`multisync.mypy`) use: they import these names and nothing private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from multisync.core.adapters import in_event_loop
from multisync.core.decorator import install, multisync
from multisync.core.descriptors import (
    BoundMultisync,
    Multisync,
    MultisyncClassmethod,
    MultisyncStaticmethod,
    create_pair,
    derive_async_method,
)
from multisync.core.naming import ASYNC_SUFFIX, MODEL_METHODS, async_name, variable_name
from multisync.core.override import apply_override_rule
from multisync.core.protocols import AsyncHalf, AsyncRelations, AsyncRelationsAccessor, T
from multisync.core.traits import Traits
from multisync.core.validation import is_pair

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine

__all__ = [
    "ASYNC_SUFFIX",
    "MODEL_METHODS",
    "AsyncHalf",
    "AsyncRelations",
    "AsyncRelationsAccessor",
    "BoundMultisync",
    "Multisync",
    "MultisyncClassmethod",
    "MultisyncStaticmethod",
    "T",
    "Traits",
    "apply_override_rule",
    "async_name",
    "build_pair",
    "derive_async_method",
    "in_event_loop",
    "install",
    "is_pair",
    "multisync",
    "sync_half",
    "traits_of",
    "variable_name",
]


def build_pair(
    sync_fn: Callable[..., Any] | None,
    async_fn: Callable[..., Coroutine[Any, Any, Any]] | None,
    traits: Traits,
) -> Multisync[..., Any]:
    """A pair of plain functions whose overrides in subclasses inherit `traits`.

    Put it in a class body (or `install` it); the half not given is derived.
    """
    __tracebackhide__ = True
    pair = create_pair(sync_fn, async_fn, traits)
    assert isinstance(pair, Multisync)  # noqa: S101  # plain functions make a Multisync
    return cast("Multisync[..., Any]", pair)


def sync_half(pair: object) -> Callable[..., Any]:
    """The sync half of a pair, as the user wrote or as it was derived."""
    assert is_pair(pair)  # noqa: S101
    return pair.func  # type: ignore[attr-defined, no-any-return]  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType, reportUnknownVariableType]


def traits_of(pair: object) -> Traits:
    """The traits a pair passes on to its overrides."""
    assert is_pair(pair)  # noqa: S101
    return pair._traits  # type: ignore[attr-defined, no-any-return]  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType, reportUnknownVariableType]
