"""Settings for `manage.py check` on a project that forgot to install multisync."""

SECRET_KEY = "multisync-tests"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "tests.uninstalled"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
