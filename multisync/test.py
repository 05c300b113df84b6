"""Query assertions for tests of async Django code.

```py
from multisync.test import assert_num_queries, capture_queries

async with assert_num_queries(1):
    await Question.objects.aget(pk=1)
```

Django's `assertNumQueries` counts the queries of one connection, the one of the thread
that enters it, while async code runs its queries in `sync_to_async` threads. These
count the queries that the code inside the block runs, in whichever thread, on the
database alias given (`"default"` unless `using=` says otherwise). They work in Django
`TestCase` async test methods, in pytest-django tests run by pytest-asyncio or
otherwise, and in sync code too. The pytest fixture `multisync_queries` offers the same.
"""

from multisync.django.testing import (
    AssertNumQueries,
    CapturedQueries,
    QueryAssertions,
    assert_num_queries,
    capture_queries,
)

__all__ = [
    "AssertNumQueries",
    "CapturedQueries",
    "QueryAssertions",
    "assert_num_queries",
    "capture_queries",
]


def _report_as_public(*objects: object) -> None:
    """Make reprs, tracebacks and the API docs say `multisync.test.X`."""
    for public in objects:
        public.__module__ = __name__


_report_as_public(
    AssertNumQueries, CapturedQueries, QueryAssertions, assert_num_queries, capture_queries
)
del _report_as_public
