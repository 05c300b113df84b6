"""Settings for the API checks on django-polymorphic models, which its sdist lacks.

django-polymorphic's sdists carry no test suite, so the checks use a small app of ours
(`multisync_compat.polls`). The pytest plugin appends `"multisync"`, as for the others.
"""

SECRET_KEY = "compat checks, not a secret"  # noqa: S105
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "polymorphic",
    "multisync_compat.polls",
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
