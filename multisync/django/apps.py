"""The `multisync` Django app: `INSTALLED_APPS = [..., "multisync"]`.

`ready()` turns the layer on for every model, third-party ones included: model methods
become pairs (`methods`), every model gets `obj.a` (`relations`), and every related
descriptor is guarded (`guards`). Models created later (test modules, `isolate_apps`,
apps installed by `override_settings`) are covered through `class_prepared`, each step
deferred until Django has registered the models it reads; historical models built by
migrations are left alone.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from django.apps import AppConfig, apps
from django.db.migrations.state import StateApps
from django.db.models.fields.related import lazy_related_operation
from django.db.models.signals import class_prepared
from django.db.models.utils import make_model_tuple

from multisync.django.guards import guard_model
from multisync.django.hints import install_hints
from multisync.django.methods import apply_to_models, install_model_methods
from multisync.django.relations import forget_relations, install_namespace

if TYPE_CHECKING:
    from django.db.models import Model

__all__ = ["MultisyncConfig", "activate"]


class MultisyncConfig(AppConfig):
    """The app configuration that activates multisync.

    !!! note "Added in 0.1"
    """

    name = "multisync"
    label = "multisync"
    verbose_name = "multisync"

    def ready(self) -> None:
        """Activate multisync for every model and register its system checks."""
        from multisync.django.checks import register_checks

        register_checks()
        activate()


def activate() -> None:
    """Turn multisync on for every registered model and every model created later.

    Idempotent. `MultisyncConfig.ready()` calls it; a settings module may call it too,
    to run test suites that replace `INSTALLED_APPS`.
    """
    install_model_methods()
    install_namespace()
    install_hints()
    if apps.models_ready:  # inside ready() calls, `apps.ready` is still False
        prepare_models(apps.get_models(include_auto_created=True, include_swapped=True))
    class_prepared.connect(_on_class_prepared, dispatch_uid="multisync")


def prepare_models(models: list[type[Model]]) -> None:
    """Apply the override rule and the guard to models that already exist."""
    apply_to_models(models)
    for model in models:
        guard_model(model)


def _on_class_prepared(sender: type[Model], **kwargs: Any) -> None:  # noqa: ARG001  # signal signature
    """Schedule the layer for a model created after start-up.

    Nothing runs now: the model is half-built (an auto-created through model is prepared
    inside its owner's class body), its registry may be populating, and other
    `class_prepared` receivers may still replace its methods. Django's own lazy
    operations run each step once the models it needs are registered, after the
    relation fields Django resolves the same way.
    """
    registry = sender._meta.apps
    if isinstance(registry, StateApps) or sender.__module__ == "__fake__":
        return  # a historical model, rendered from migrations
    # `sender` itself, not the model the operation is given: a model registered again
    # under the same name would hand over the class it replaces.
    registry.lazy_model_operation(
        functools.partial(_prepare_late_model, sender), make_model_tuple(sender)
    )
    for field in _relation_fields(sender):
        # Django gives `target` its reverse accessor when this relation resolves, in an
        # operation queued before this one on the same models.
        lazy_related_operation(_prepare_reverse_side, sender, field.remote_field.model)


def _relation_fields(model: type[Model]) -> list[Any]:
    """The model's own relation fields, read without the (maybe unready) registry."""
    opts = model._meta
    fields = [*opts.local_fields, *opts.local_many_to_many, *opts.private_fields]
    return [f for f in fields if getattr(getattr(f, "remote_field", None), "model", None)]


def _prepare_late_model(model: type[Model], _registered: type[Model]) -> None:
    apply_to_models([model])  # after every receiver: it may have wrapped a method
    guard_model(model)


def _prepare_reverse_side(_model: type[Model], target: type[Model]) -> None:
    guard_model(target)  # it has gained a reverse accessor
    forget_relations(target)  # and its `obj.a` a name
