"""multisync's API on Django REST framework's `authtoken.Token`, which overrides `save`.

Run with the settings of DRF's own `tests/conftest.py` (loaded as a plugin) and
"multisync" installed (scripts/compat.py).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db

# What `Token.save` generates when the token has no key: 20 random bytes, in hex.
GENERATED_KEY = re.compile(r"[0-9a-f]{40}")


@pytest.fixture
def ada() -> User:
    """A user with no token yet."""
    return User.objects.create_user("ada")


async def awaited(instance: Any, name: str) -> Any:
    """`await instance.a.<name>`, inside an event loop."""
    return await getattr(instance.a, name)


def test_awaited_token_user_is_the_user(ada: User) -> None:
    """`await token.a.user` gives the token's user, and sync `token.user` then runs no query."""
    token = Token.objects.get(pk=Token.objects.create(user=ada).pk)
    user = async_to_sync(awaited)(token, "user")
    assert (type(user), user.pk, user.username) == (User, ada.pk, "ada")
    with CaptureQueriesContext(connection) as queries:
        assert token.user is user
    assert len(queries) == 0


def test_save_a_runs_the_token_save_override(ada: User) -> None:
    """`await token.save.a()` runs `Token.save`, which generates the key and inserts the row."""
    token = Token(user=ada)
    async_to_sync(token.save.a)()
    assert GENERATED_KEY.fullmatch(token.key)
    assert Token.objects.get(user=ada).key == token.key


def test_save_async_runs_the_token_save_override(ada: User) -> None:
    """`await token.save_async()` runs `Token.save` too."""
    token = Token(user=ada)
    async_to_sync(token.save_async)()
    assert GENERATED_KEY.fullmatch(token.key)
    assert Token.objects.get(user=ada).key == token.key
