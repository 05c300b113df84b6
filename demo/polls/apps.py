"""The polls app configuration."""

from __future__ import annotations

from django.apps import AppConfig


class PollsConfig(AppConfig):
    """Polls: questions, choices and votes."""

    name = "demo.polls"
    label = "polls"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Set up every SQLite connection as `demo.database.tune_sqlite` says."""
        from demo.database import watch_sqlite_connections

        watch_sqlite_connections()
