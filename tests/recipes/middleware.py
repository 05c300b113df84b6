"""Recipe: a middleware that sets `request.profile`, under WSGI and ASGI (docs/recipes.md)."""

# --8<-- [start:recipe]
from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction
from django.http import HttpRequest
from django.utils.decorators import sync_and_async_middleware

from .profiles import profile_of


@sync_and_async_middleware
def profile_middleware(get_response: Callable[[HttpRequest], Any]) -> Callable[[HttpRequest], Any]:
    """Set `request.profile` to the signed-in user's profile, or None."""
    if iscoroutinefunction(get_response):  # an ASGI server: the request runs in a loop

        async def async_middleware(request: HttpRequest) -> Any:
            user = await request.auser()  # Django 5.0+
            request.profile = await profile_of.a(user)  # type: ignore[attr-defined]
            return await get_response(request)

        return async_middleware

    def sync_middleware(request: HttpRequest) -> Any:  # a WSGI server
        request.profile = profile_of(request.user)  # type: ignore[attr-defined]
        return get_response(request)

    return sync_middleware


# --8<-- [end:recipe]
