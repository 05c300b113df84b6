"""Fixtures for the demo tests: one demo server for the session.

The demo runs on a new SQLite file, or on a new PostgreSQL database when
`MULTISYNC_TEST_DB=postgres` (as for the rest of the suite). The load test
(`test_load.py`) starts servers of its own, on both databases.
"""

from __future__ import annotations

import importlib.util
import os
from typing import TYPE_CHECKING

import pytest

from tests.demo.server import (
    DemoServer,
    create_postgres_database,
    drop_postgres_database,
    missing,
    require_postgres,
    start_demo,
)

if TYPE_CHECKING:
    from collections.abc import Iterator


def require_uvicorn() -> None:
    """Skip the test without uvicorn, or fail it under CI."""
    if importlib.util.find_spec("uvicorn") is None:
        missing("uvicorn is not installed (pip install --group demo)")


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A new PostgreSQL database for the demo (its URL), dropped after the session."""
    require_postgres()
    url = create_postgres_database()
    yield url
    drop_postgres_database(url)


@pytest.fixture(scope="session")
def demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DemoServer]:
    """The polls demo, served by `demo/run.py` on a free port and a fresh database.

    Shared by every demo test: tests that vote compare counts before and after.
    """
    require_uvicorn()
    database = None
    if os.environ.get("MULTISYNC_TEST_DB") == "postgres":
        database = request.getfixturevalue("postgres_database")
    server = start_demo(tmp_path_factory.mktemp("demo"), database)
    yield server
    server.stop()
