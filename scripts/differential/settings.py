"""Settings of the differential project: every third-party app at once, plus multisync.

Minimal on purpose: what each app documents as required for its models to migrate and
load (apps, middleware, a few settings), and nothing for serving pages. The database
is an SQLite file in the temporary folder that `harness.py` passes in
`DIFFERENTIAL_DB`.
"""

from __future__ import annotations

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent

SECRET_KEY = "differential-harness"  # noqa: S105  # a throwaway database, never served
DEBUG = False
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
ROOT_URLCONF = "urls"
SITE_ID = 1

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sites",
    "django.contrib.staticfiles",
    # wagtail, as its project template lists it (modelcluster and taggit come with it)
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # django CMS
    "cms",
    "menus",
    "treebeard",
    "sekizai",
    # the others
    "simple_history",
    "reversion",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "polymorphic",
    "rest_framework",
    "rest_framework.authtoken",
    "multisync",
    "diffapp",
]

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "cms.middleware.user.CurrentUserMiddleware",
    "cms.middleware.page.CurrentPageMiddleware",
    "cms.middleware.toolbar.ToolbarMiddleware",
    "cms.middleware.language.LanguageCookieMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [HERE / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sekizai.context_processors.sekizai",
                "cms.context_processors.cms_settings",
            ],
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("DIFFERENTIAL_DB", str(HERE / "differential.sqlite3")),
    },
}

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English")]
STATIC_URL = "/static/"
MEDIA_ROOT = os.environ.get("DIFFERENTIAL_MEDIA", str(HERE / "media"))
MEDIA_URL = "/media/"

WAGTAIL_SITE_NAME = "differential"
WAGTAILADMIN_BASE_URL = "http://127.0.0.1"
CMS_CONFIRM_VERSION4 = True
CMS_TEMPLATES = [("differential/cms_page.html", "Page")]


class _NoMigrations(dict[str, None]):
    """Every app counts as unmigrated: `migrate --run-syncdb` creates the tables at once.

    Running the migrations of wagtail and django CMS takes half a minute on SQLite, and
    what they add beyond tables (wagtail's root page, site and collection) the harness
    creates itself.
    """

    def __contains__(self, app_label: object) -> bool:
        return True

    def __getitem__(self, app_label: str) -> None:
        return None


MIGRATION_MODULES = _NoMigrations()
