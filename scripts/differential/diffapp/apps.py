"""The harness's own app."""

from django.apps import AppConfig


class DiffappConfig(AppConfig):
    """Models that put each third-party relation kind, and each known trap, in one place."""

    name = "diffapp"
    default_auto_field = "django.db.models.BigAutoField"
