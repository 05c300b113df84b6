"""`atomic`, as both mypy (with the plugins) and pyright type it.

Its decorators give back the function they decorate, sync or async, with its signature;
the object it returns is a context manager for `with` and for `async with`.
"""

from __future__ import annotations

from typing import assert_type

from multisync.django import atomic
from multisync.django.transactions import Atomic


@atomic
def count_sync(text: str) -> int:
    return len(text)


@atomic(using="default", durable=True)
async def count_async(text: str) -> int:
    return len(text)


async def check_atomic() -> None:
    assert_type(atomic(), Atomic)
    assert_type(atomic(using="default", savepoint=False), Atomic)
    assert_type(count_sync("?"), int)
    assert_type(await count_async("?"), int)
    with atomic():
        pass
    async with atomic():
        pass
