"""The `multisync` Django app: `INSTALLED_APPS = [..., "multisync"]`.

`ready()` turns the layer on for every model, third-party ones included: model methods
become pairs (`methods`), every model gets `obj.a` (`relations`), and every related
descriptor is guarded (`guards`). Models created later (tests, `isolate_apps`) are
covered through `class_prepared`; historical models built by migrations are left alone.
"""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig, apps
from django.db.migrations.state import StateApps
from django.db.models import Model
from django.db.models.signals import class_prepared

from multisync.django.guards import guard_model
from multisync.django.methods import apply_to_models, install_model_methods
from multisync.django.relations import forget_relations, install_namespace

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
        from multisync.django import checks  # noqa: F401  # registers the checks

        activate()


def activate() -> None:
    """Turn multisync on for every registered model and every model created later.

    Idempotent. `MultisyncConfig.ready()` calls it; a settings module may call it too,
    to run test suites that replace `INSTALLED_APPS`.
    """
    install_model_methods()
    install_namespace()
    if apps.models_ready:  # inside ready() calls, `apps.ready` is still False
        prepare_models(apps.get_models(include_auto_created=True, include_swapped=True))
    class_prepared.connect(_on_class_prepared, dispatch_uid="multisync")


def prepare_models(models: list[type[Model]]) -> None:
    """Apply the override rule and the guard to models that already exist."""
    apply_to_models(models)
    for model in models:
        guard_model(model)


def _on_class_prepared(sender: type[Model], **kwargs: Any) -> None:  # noqa: ARG001  # signal signature
    registry = sender._meta.apps
    if isinstance(registry, StateApps) or sender.__module__ == "__fake__":
        return  # a historical model, rendered from migrations
    # Reverse accessors appear when the model is registered, not yet now.
    registry.lazy_model_operation(
        _prepare_late_model, (sender._meta.app_label, sender._meta.model_name)
    )


def _prepare_late_model(model: type[Model]) -> None:
    guard_model(model)
    for field in model._meta.get_fields(include_hidden=True):
        target = getattr(field, "related_model", None)
        if isinstance(target, type) and issubclass(target, Model):
            guard_model(target)  # it may have gained a reverse accessor
            forget_relations(target)
