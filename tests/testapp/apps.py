"""App configuration of the test app."""

from django.apps import AppConfig


class TestAppConfig(AppConfig):
    """Polls, as in Django's tutorial."""

    name = "tests.testapp"
    label = "testapp"
    default_auto_field = "django.db.models.BigAutoField"
