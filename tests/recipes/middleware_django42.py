"""Recipe: the async side of `profile_middleware` on Django 4.2 (docs/recipes.md)."""

# --8<-- [start:recipe]
from collections.abc import Callable
from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.auth import get_user
from django.http import HttpRequest
from django.utils.decorators import async_only_middleware

from .profiles import profile_of


@async_only_middleware
def profile_middleware(get_response: Callable[[HttpRequest], Any]) -> Callable[[HttpRequest], Any]:
    """Set `request.profile` to the signed-in user's profile, or None."""

    async def async_middleware(request: HttpRequest) -> Any:
        user = await sync_to_async(get_user)(request)  # Django 4.2 has no request.auser()
        request.profile = await profile_of.a(user)  # type: ignore[attr-defined]
        return await get_response(request)

    return async_middleware


# --8<-- [end:recipe]
