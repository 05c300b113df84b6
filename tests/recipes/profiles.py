"""Recipe: the user's profile, as a pair with a sync and an async half (docs/recipes.md)."""

# --8<-- [start:recipe]
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.exceptions import ObjectDoesNotExist

from multisync import multisync

from .models import Profile


@multisync
def profile_of(user: AbstractBaseUser | AnonymousUser) -> Profile | None:
    """The user's profile; None when not signed in, or when the user has none."""
    if not isinstance(user, User):
        return None
    try:
        return user.profile
    except ObjectDoesNotExist:
        return None


@profile_of.async_
async def profile_of_async(user: AbstractBaseUser | AnonymousUser) -> Profile | None:
    if not isinstance(user, User):
        return None
    try:
        return await user.a.profile
    except ObjectDoesNotExist:
        return None


# --8<-- [end:recipe]
