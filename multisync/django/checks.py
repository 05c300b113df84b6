"""System checks for multisync (`python manage.py check`).

multisync.E001 is reported by the models and managers that use the layer
(`MultisyncModel.check()`, `MultisyncManager.check()`), so that it fires exactly when
the app is missing; the app's `ready()` registers the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core import checks

from multisync.core import variable_name
from multisync.django._compat import class_attribute
from multisync.django._settings import GUARD_VALUES, read_setting
from multisync.django.relations import AsyncRelationsDescriptor

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.db.models import Model

__all__ = [
    "check_namespace_name",
    "check_settings",
    "installed_errors",
    "namespace_errors",
    "register_checks",
]


def register_checks() -> None:
    """Register multisync.E002 to E004; the app's `ready()` calls it."""
    checks.register(check_namespace_name, checks.Tags.models)
    checks.register(check_settings)


def installed_errors(model: type[Model]) -> list[checks.CheckMessage]:
    """multisync.E001: `model` uses multisync.django, but the app is not installed."""
    if apps.is_installed("multisync"):
        return []
    return [
        checks.Error(
            "'multisync' must be in INSTALLED_APPS.",
            hint='Add "multisync" to INSTALLED_APPS to use multisync.django.',
            obj=model,
            id="multisync.E001",
        )
    ]


def check_namespace_name(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:  # noqa: ARG001  # the checks API
    """multisync.E002: a model defines `a`, which hides the async relation namespace."""
    configs = app_configs if app_configs is not None else apps.get_app_configs()
    return namespace_errors(model for config in configs for model in config.get_models())


def namespace_errors(models: Iterable[type[Model]]) -> list[checks.CheckMessage]:
    """multisync.E002 for each model whose own `a` hides `obj.a`."""
    return [
        checks.Error(
            f"Model {model.__name__} defines `a`, which hides multisync's async relation "
            f"namespace (`await {variable_name(model.__name__)}.a.<relation>`).",
            hint="Rename the field or attribute called `a`.",
            obj=model,
            id="multisync.E002",
        )
        for model in models
        if not isinstance(class_attribute(model, "a"), AsyncRelationsDescriptor)
    ]


def check_settings(**kwargs: Any) -> list[checks.CheckMessage]:  # noqa: ARG001  # the checks API
    """multisync.E003/E004: `MULTISYNC["GUARD"]` or `MULTISYNC["PEERS"]` is unknown."""
    errors: list[checks.CheckMessage] = []
    guard = read_setting("GUARD")
    if guard not in GUARD_VALUES:
        errors.append(
            checks.Error(
                f"MULTISYNC['GUARD'] is {guard!r}.",
                hint=f"Use one of {', '.join(repr(v) for v in GUARD_VALUES)}.",
                id="multisync.E003",
            )
        )
    peers = read_setting("PEERS")
    if not isinstance(peers, bool):
        errors.append(
            checks.Error(
                f"MULTISYNC['PEERS'] is {peers!r}.",
                hint="Use True or False.",
                id="multisync.E004",
            )
        )
    return errors
