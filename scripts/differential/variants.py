"""The kinds of instance each model is compared on, each able to build fresh copies.

Every comparison needs equivalent instances that nothing has touched yet: one set for
the sync read, one per lone await, one for the batched await. A `Variant` builds a new
set on each call, by loading the same rows again (or deep-copying a prepared unsaved
set), then applying the same in-memory edits.

- `saved`: rows loaded from the database, all fields loaded.
- `deferred`: the same rows with every deferrable concrete field deferred.
- `unsaved`: `Model()`, never saved.
- `detached`: `Model(pk=<a saved row's key>)`, built by hand: never loaded, so its
  `_state.db` is unset (as `as_of()` instances' is too).
- `edited`: saved rows whose text fields (their parents' too) are changed in memory and
  not saved, which sync access to a parent link, say, reads from the instance.
- `in-memory`: modelcluster models whose child relations and parental M2M fields are
  set in memory (unsaved children), as a wagtail page editor leaves them.
- `as-of`: simple-history's `Model.history.as_of(moment)` instances.

The `saved` and `deferred` variants also build their rows through a
`MultisyncQuerySet`, which records them as peers of each other.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from multisync.django import MultisyncQuerySet

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

    from django.db.models import Model, QuerySet

INSTANCES = 3  # rows per variant: the batch and the peers are these instances together
UNSAVED_INSTANCES = 2


@dataclass(frozen=True)
class Variant:
    """A way to build fresh instances of one model (and, maybe, fresh peers)."""

    name: str
    build: Callable[[], list[Model]]
    build_peers: Callable[[], list[Model]] | None = None


def variants_for(
    model: type[Model], history_moment: dt.datetime
) -> tuple[list[Variant], dict[str, str]]:
    """The variants `model` supports, and why the others were left out."""
    variants: list[Variant] = []
    skipped: dict[str, str] = {}
    makers: tuple[Callable[[type[Model], dt.datetime], Variant | None], ...] = (
        _saved,
        _deferred,
        _unsaved,
        _detached,
        _edited,
        _in_memory,
        _as_of,
    )
    for maker in makers:
        label = maker.__name__.strip("_").replace("_", "-")
        try:
            variant = maker(model, history_moment)
            if variant is not None:
                _check(variant, model)
                variants.append(variant)
        except Exception as error:  # noqa: BLE001  # a variant the model cannot have
            skipped[label] = f"{type(error).__name__}: {error}"[:200]
    return variants, skipped


def _check(variant: Variant, model: type[Model]) -> None:
    """Build once: there must be instances, all of `model` itself."""
    instances = variant.build()
    if not instances:
        msg = "no instances"
        raise LookupError(msg)
    if any(type(instance) is not model for instance in instances):
        msg = f"built {sorted({type(i).__name__ for i in instances})}, not {model.__name__}"
        raise TypeError(msg)


# --- the variants -----------------------------------------------------------------------


def rows(model: type[Model]) -> QuerySet[Any]:
    """`model`'s rows as plain instances of `model` (polymorphic ones not downcast)."""
    queryset = model._base_manager.using("default").all()  # noqa: SLF001
    if hasattr(queryset, "non_polymorphic"):
        queryset = queryset.non_polymorphic()
    return queryset.order_by("pk")


def _first_keys(model: type[Model]) -> list[Any]:
    return list(rows(model).values_list("pk", flat=True)[:INSTANCES])


def _saved(model: type[Model], _moment: dt.datetime) -> Variant | None:
    keys = _first_keys(model)
    if not keys:
        return None
    return Variant(
        "saved",
        lambda: list(rows(model).filter(pk__in=keys)),
        lambda: list(_peer_rows(model).filter(pk__in=keys)),
    )


def _deferrable(model: type[Model]) -> list[str]:
    """Every concrete field that `.defer()` accepts: all but the primary keys."""
    return [
        model_field.name
        for model_field in model._meta.concrete_fields  # noqa: SLF001
        if not model_field.primary_key
    ]


def _deferred(model: type[Model], _moment: dt.datetime) -> Variant | None:
    keys, deferrable = _first_keys(model), _deferrable(model)
    if not keys or not deferrable:
        return None
    return Variant(
        "deferred",
        lambda: list(rows(model).filter(pk__in=keys).defer(*deferrable)),
        lambda: list(_peer_rows(model).filter(pk__in=keys).defer(*deferrable)),
    )


def _peer_rows(model: type[Model]) -> QuerySet[Any]:
    """The same rows through a `MultisyncQuerySet`, which makes them each other's peers."""
    return MultisyncQuerySet(model=model, using="default").order_by("pk")


def _unsaved(model: type[Model], _moment: dt.datetime) -> Variant:
    prepared = [model() for _ in range(UNSAVED_INSTANCES)]
    return Variant("unsaved", lambda: copy.deepcopy(prepared))


def _detached(model: type[Model], _moment: dt.datetime) -> Variant | None:
    keys = _first_keys(model)
    if not keys:
        return None
    prepared = [model(pk=key) for key in keys]  # defaults such as `now()` run once
    return Variant("detached", lambda: copy.deepcopy(prepared))


def _edited(model: type[Model], _moment: dt.datetime) -> Variant | None:
    keys = _first_keys(model)
    text_fields = [
        model_field.attname
        for model_field in model._meta.concrete_fields  # noqa: SLF001
        if not model_field.primary_key
        and not model_field.choices
        and model_field.get_internal_type() in _TEXT_TYPES
    ]
    if not keys or not text_fields:
        return None

    def build() -> list[Model]:
        instances = list(rows(model).filter(pk__in=keys))
        for instance in instances:
            for attname in text_fields:
                setattr(instance, attname, EDITED_TEXT)
        return instances

    return Variant("edited", build)


EDITED_TEXT = "edited in memory"
_TEXT_TYPES = frozenset({"CharField", "TextField"})


def _in_memory(model: type[Model], _moment: dt.datetime) -> Variant | None:
    from modelcluster.models import (
        ClusterableModel,
        get_all_child_m2m_relations,
        get_all_child_relations,
    )

    keys = _first_keys(model)
    if not keys or not issubclass(model, ClusterableModel):
        return None
    children = get_all_child_relations(model)
    m2m_fields = get_all_child_m2m_relations(model)
    if not children and not m2m_fields:
        return None

    def build() -> list[Model]:
        instances = list(rows(model).filter(pk__in=keys))
        for instance in instances:
            for relation in children:
                child = _unsaved_child(relation.related_model)
                setattr(instance, relation.get_accessor_name(), [child])
            for m2m in m2m_fields:
                chosen = list(m2m.related_model._base_manager.order_by("-pk")[:1])  # noqa: SLF001
                setattr(instance, m2m.name, chosen)
        return instances

    return Variant("in-memory", build)


def _unsaved_child(model: type[Model]) -> Model:
    """A child for an in-memory relation: its text fields say "memory"."""
    child = model()
    for model_field in model._meta.concrete_fields:  # noqa: SLF001
        if model_field.get_internal_type() in _TEXT_TYPES:
            setattr(child, model_field.attname, "memory")
    return child


def _as_of(model: type[Model], moment: dt.datetime) -> Variant | None:
    manager_name = getattr(model._meta, "simple_history_manager_attribute", None)  # noqa: SLF001
    if manager_name is None:
        return None
    history = getattr(model, manager_name)

    def build() -> list[Model]:
        return sorted(history.as_of(moment), key=lambda instance: instance.pk)[:INSTANCES]

    return Variant("as-of", build)
