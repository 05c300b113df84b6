"""The extension hook of the YAML cases: a small Django project around each case.

Every case runs mypy in a fresh directory with the documented configuration
(`mypy.ini`). django-stubs sets Django up there, so the hook writes the settings
module that configuration names, installing `myapp`; a case defines `myapp/models.py`
in its `files:` (an empty app is written when it does not). All cases share the same
settings, so mypy's cache of Django's stubs serves them all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pytest_mypy_plugins.collect import File

if TYPE_CHECKING:
    from pytest_mypy_plugins.item import YamlTestItem

SETTINGS = """\
SECRET_KEY = "multisync-typing"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "multisync",
    "myapp",
]
"""

APP_FILES = ("myapp/__init__.py", "myapp/models.py")


def django_app(item: YamlTestItem) -> None:
    """Add the settings module and, unless the case has its own, an empty `myapp`."""
    written = {file.path for file in item.files}
    item.files.append(File(path="typing_settings.py", content=SETTINGS))
    item.files.extend(File(path=path, content="") for path in APP_FILES if path not in written)
