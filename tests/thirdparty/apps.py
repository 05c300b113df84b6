"""App configuration of the third-party relations app."""

from django.apps import AppConfig


class ThirdPartyConfig(AppConfig):
    """Models with django-taggit managers and a model that shadows `pk`."""

    name = "tests.thirdparty"
    label = "thirdparty"
    default_auto_field = "django.db.models.BigAutoField"
