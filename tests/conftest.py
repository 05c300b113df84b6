"""Shared pytest configuration.

Coroutine test functions run under `asgiref.sync.async_to_sync`, exactly as Django's
`TestCase` runs `async def` test methods: the event loop gets its own thread, and
thread-sensitive `sync_to_async` work comes back to the main thread, so database
queries made through `.a()` share the test's connection and transaction.
"""

from __future__ import annotations

import inspect

import pytest
from asgiref.sync import async_to_sync


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run `async def` tests to completion with `async_to_sync`."""
    test = pyfuncitem.obj
    if not inspect.iscoroutinefunction(test):
        return None
    kwargs = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    async_to_sync(test)(**kwargs)
    return True
