"""The `MULTISYNC` setting, read once and refreshed when tests override it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.signals import setting_changed

__all__ = ["GUARD_VALUES", "guard_enabled", "read_setting"]

GUARD_VALUES = ("on", "off")
_DEFAULTS: dict[str, Any] = {"GUARD": "on", "PEERS": True}
_cache: dict[str, Any] = {}


def read_setting(key: str) -> Any:
    """One key of `settings.MULTISYNC`, with its default."""
    if key not in _cache:
        _cache[key] = getattr(settings, "MULTISYNC", {}).get(key, _DEFAULTS[key])
    return _cache[key]


def guard_enabled() -> bool:
    """Whether unloaded relations raise `UnprefetchedRelatedModelAccessError`."""
    return bool(read_setting("GUARD") != "off")


def _clear_cache(*, setting: str, **kwargs: Any) -> None:  # noqa: ARG001  # signal signature
    if setting == "MULTISYNC":
        _cache.clear()


setting_changed.connect(_clear_cache)
