"""The recipes of docs/recipes.md, whose code the page includes from tests/recipes/.

Requests go through Django's test clients with the session and authentication
middleware, sessions kept in signed cookies (the suite installs no sessions app), and
the test app's `Profile`, a one-to-one to `auth.User` with `related_name="profile"`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import django
import pytest
from django.contrib.auth.decorators import user_passes_test
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.test import AsyncClient, AsyncRequestFactory, Client

from multisync import UnprefetchedRelatedModelAccessError
from tests.testapp.models import Profile

if TYPE_CHECKING:
    from pytest_django.fixtures import Settings

pytestmark = pytest.mark.django_db

AUTH_MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
needs_auser = pytest.mark.skipif(
    django.VERSION < (5, 0), reason="request.auser() is new in Django 5.0"
)


@pytest.fixture(autouse=True)
def recipe_settings(settings: Settings) -> Settings:
    """The recipes' URLs, and the middleware that signs users in."""
    settings.ROOT_URLCONF = "tests.recipes.urls"
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    settings.MIDDLEWARE = [*AUTH_MIDDLEWARE, "tests.recipes.middleware.profile_middleware"]
    return settings


@pytest.fixture
def ada() -> User:
    """A user whose profile has a bio."""
    user = User.objects.create(username="ada")
    Profile.objects.create(user=user, bio="Analyst")
    return user


@pytest.fixture
def grace() -> User:
    """A user with a profile but no bio."""
    user = User.objects.create(username="grace")
    Profile.objects.create(user=user)
    return user


@pytest.fixture
def linus() -> User:
    """A user without a profile."""
    return User.objects.create(username="linus")


# --- user_passes_test with an async test function ---------------------------------------

needs_async_user_passes_test = pytest.mark.skipif(
    django.VERSION < (5, 1), reason="user_passes_test() wraps async views from Django 5.1 on"
)


@pytest.fixture
def ada_client(ada: User) -> AsyncClient:
    """An async client signed in as ada."""
    client = AsyncClient()
    client.force_login(ada)
    return client


@pytest.fixture
def grace_client(grace: User) -> AsyncClient:
    """An async client signed in as grace."""
    client = AsyncClient()
    client.force_login(grace)
    return client


@pytest.fixture
def linus_client(linus: User) -> AsyncClient:
    """An async client signed in as linus."""
    client = AsyncClient()
    client.force_login(linus)
    return client


@needs_async_user_passes_test
async def test_user_passes_test_async_check_lets_in_user_with_bio(
    ada_client: AsyncClient,
) -> None:
    """The async test function reads `await user.a.profile` and lets a user with a bio in."""
    response = await ada_client.get("/members/")
    assert (response.status_code, response.content) == (200, b"Welcome, ada.")


@needs_async_user_passes_test
async def test_user_passes_test_async_check_redirects_user_without_bio(
    grace_client: AsyncClient,
) -> None:
    """A user whose profile has no bio is sent to the login page."""
    response = await grace_client.get("/members/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/members/")


@needs_async_user_passes_test
async def test_user_passes_test_async_check_redirects_user_without_profile(
    linus_client: AsyncClient,
) -> None:
    """A missing reverse one-to-one is a failed check, not an error."""
    response = await linus_client.get("/members/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/members/")


@needs_async_user_passes_test
async def test_user_passes_test_async_check_redirects_anonymous_user(db: None) -> None:
    """An anonymous user fails the check before any relation is read."""
    response = await AsyncClient().get("/members/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/members/")


@needs_async_user_passes_test
async def test_user_passes_test_sync_relation_access_raises(ada: User) -> None:
    """The page's counter-example: sync `user.profile` in the async check raises the guard."""

    async def has_bio(user: User) -> bool:
        return user.profile.bio != ""

    async def members(request: HttpRequest) -> HttpResponse:
        return HttpResponse("Welcome.")

    async def unloaded_ada() -> User:
        return await User.objects.aget(username="ada")

    request = AsyncRequestFactory().get("/members/")
    request.auser = unloaded_ada
    view = user_passes_test(has_bio)(members)  # type: ignore[arg-type]  # an async test
    with pytest.raises(UnprefetchedRelatedModelAccessError) as excinfo:
        await view(request)
    assert str(excinfo.value).startswith("`User.profile` is not loaded")


# --- the profile middleware -------------------------------------------------------------


@needs_auser
async def test_profile_middleware_async_sets_profile(ada_client: AsyncClient) -> None:
    """Under ASGI the middleware awaits the profile and an async view reads it."""
    response = await ada_client.get("/profile/")
    assert response.content == b"Analyst"


@needs_auser
async def test_profile_middleware_async_without_profile_sets_none(
    linus_client: AsyncClient,
) -> None:
    """A user without a profile gets `request.profile = None`."""
    response = await linus_client.get("/profile/")
    assert response.content == b"no profile"


@needs_auser
async def test_profile_middleware_async_anonymous_sets_none(db: None) -> None:
    """An anonymous request gets `request.profile = None`."""
    response = await AsyncClient().get("/profile/")
    assert response.content == b"no profile"


def test_profile_middleware_sync_sets_profile(ada: User) -> None:
    """Under WSGI the same middleware reads `request.user.profile` in its sync branch."""
    client = Client()
    client.force_login(ada)
    assert client.get("/profile/sync/").content == b"Analyst"


def test_profile_middleware_sync_for_async_view_sets_profile(ada: User) -> None:
    """Under WSGI an async view reads the profile that the sync branch loaded."""
    client = Client()
    client.force_login(ada)
    assert client.get("/profile/").content == b"Analyst"


def test_profile_middleware_sync_without_profile_sets_none(linus: User) -> None:
    """The sync branch gives None for a user without a profile, as the async one does."""
    client = Client()
    client.force_login(linus)
    assert client.get("/profile/sync/").content == b"no profile"


@pytest.fixture
def django42_middleware(recipe_settings: Settings) -> None:
    """The middleware spelled for Django 4.2, instead of the one for 5.0 and later."""
    middleware = "tests.recipes.middleware_django42.profile_middleware"
    recipe_settings.MIDDLEWARE = [*AUTH_MIDDLEWARE, middleware]


async def test_profile_middleware_django42_sets_profile(
    django42_middleware: None, ada_client: AsyncClient
) -> None:
    """The Django 4.2 spelling loads the user in a thread, then awaits the profile."""
    response = await ada_client.get("/profile/")
    assert response.content == b"Analyst"


async def test_profile_middleware_django42_anonymous_sets_none(
    django42_middleware: None,
) -> None:
    """The Django 4.2 spelling gives None for an anonymous request."""
    response = await AsyncClient().get("/profile/")
    assert response.content == b"no profile"
