"""Recipe: an async test function for `user_passes_test` (Django 5.1+), in docs/recipes.md."""

# --8<-- [start:recipe]
from django.contrib.auth.decorators import user_passes_test
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponse


async def has_bio(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Let in the signed-in users whose profile has a bio."""
    if not isinstance(user, User):  # not signed in
        return False
    try:
        profile = await user.a.profile  # the reverse one-to-one, loaded without blocking
    except ObjectDoesNotExist:  # no profile yet
        return False
    return profile.bio != ""


@user_passes_test(has_bio)  # type: ignore[arg-type]  # django-stubs: a test returns a bool
async def members(request: HttpRequest) -> HttpResponse:
    user = await request.auser()
    return HttpResponse(f"Welcome, {user.get_username()}.")


# --8<-- [end:recipe]
