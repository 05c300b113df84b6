"""Views that show what `profile_middleware` left on the request, async and sync."""

from django.http import HttpRequest, HttpResponse


async def profile_bio(request: HttpRequest) -> HttpResponse:
    """The bio of the profile that the middleware set, from an async view."""
    profile = request.profile  # type: ignore[attr-defined]  # set by the middleware
    return HttpResponse("no profile" if profile is None else profile.bio)


def profile_bio_sync(request: HttpRequest) -> HttpResponse:
    """The same, from a sync view."""
    profile = request.profile  # type: ignore[attr-defined]  # set by the middleware
    return HttpResponse("no profile" if profile is None else profile.bio)
