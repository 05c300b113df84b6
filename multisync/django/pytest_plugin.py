"""The pytest plugin of multisync: the `multisync_queries` fixture.

pytest loads it through the `pytest11` entry point that installing multisync
registers, or with `-p multisync.django.pytest_plugin`. Importing it loads neither
Django's ORM nor the settings: test runs that never use the fixture pay nothing for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from multisync.django.testing import QueryAssertions

__all__ = ["multisync_queries"]


@pytest.fixture
def multisync_queries() -> QueryAssertions:
    """Query assertions that count across thread hops, for sync and async tests.

    ```py
    @pytest.mark.django_db
    async def test_results(multisync_queries):
        async with multisync_queries.expect(2):
            await results_view()
    ```

    The test still needs database access (`@pytest.mark.django_db`), as Django's
    assertion does.
    """
    from multisync.django.testing import QueryAssertions

    return QueryAssertions()
