"""System checks for multisync (`python manage.py check`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core import checks

from multisync.django._settings import GUARD_VALUES, read_setting
from multisync.django.relations import AsyncRelationsDescriptor

if TYPE_CHECKING:
    from django.db.models import Model

__all__ = ["check_installed", "check_namespace_name", "check_settings"]


@checks.register(checks.Tags.models)
def check_installed(**kwargs: Any) -> list[checks.CheckMessage]:  # noqa: ARG001  # the checks API
    """multisync.E001: the layer is imported but the app is not installed."""
    if apps.is_installed("multisync"):
        return []
    return [
        checks.Error(
            "'multisync' must be in INSTALLED_APPS.",
            hint='Add "multisync" to INSTALLED_APPS to use multisync.django.',
            id="multisync.E001",
        )
    ]


@checks.register(checks.Tags.models)
def check_namespace_name(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:  # noqa: ARG001  # the checks API
    """multisync.E002: a model defines `a`, which hides the async relation namespace."""
    configs = app_configs if app_configs is not None else apps.get_app_configs()
    errors: list[checks.CheckMessage] = []
    for config in configs:
        for model in config.get_models():
            if isinstance(_class_attribute(model, "a"), AsyncRelationsDescriptor):
                continue
            errors.append(
                checks.Error(
                    f"Model {model.__name__} defines `a`, which hides multisync's async "
                    f"relation namespace (`await {model.__name__.lower()}.a.<relation>`).",
                    hint="Rename the field or attribute called `a`.",
                    obj=model,
                    id="multisync.E002",
                )
            )
    return errors


@checks.register
def check_settings(**kwargs: Any) -> list[checks.CheckMessage]:  # noqa: ARG001  # the checks API
    """multisync.E003: `MULTISYNC["GUARD"]` has an unknown value."""
    value = read_setting("GUARD")
    if value in GUARD_VALUES:
        return []
    return [
        checks.Error(
            f"MULTISYNC['GUARD'] is {value!r}.",
            hint=f"Use one of {', '.join(repr(v) for v in GUARD_VALUES)}.",
            id="multisync.E003",
        )
    ]


def _class_attribute(model: type[Model], name: str) -> Any:
    for klass in model.__mro__:
        if name in vars(klass):
            return vars(klass)[name]
    return None
