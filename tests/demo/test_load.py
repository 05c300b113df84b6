"""1,000 votes at once, on SQLite and on PostgreSQL: every one counted, none a 500.

Each database gets a demo of its own, served by two uvicorn workers as
`make demo ARGS="--workers 2"` serves it, on a new database. A thousand visitors
load the form (50 at a time), then all of them vote at the same moment
(`tests/demo/load.py`). On PostgreSQL the connections stay within what the demo
allows: `--max-in-flight` per worker, also the size of each worker's pool.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import pytest

from tests.demo.load import demo_database, logged_errors, vote_burst
from tests.demo.server import require_postgres, start_demo

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from tests.demo.server import DemoServer

VOTES = 1000
WORKERS = 2
MAX_IN_FLIGHT = 10
# Connections the demo may hold at once. Without a pool (Django 4.2), a connection's
# server process lingers in pg_stat_activity for a moment after it closes, next to
# its successor, so a sample may count a few more.
CONNECTION_BUDGET = WORKERS * MAX_IN_FLIGHT
LINGERING = CONNECTION_BUDGET // 2


@pytest.fixture(params=["sqlite", "postgres"])
def loaded_demo(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DemoServer]:
    """The demo on a new database of each kind, with two workers."""
    if request.param == "postgres":
        require_postgres()
    options = ("--workers", str(WORKERS), "--max-in-flight", str(MAX_IN_FLIGHT))
    with demo_database(request.param, tmp_path) as database:
        server = start_demo(tmp_path, database, options=options)
        try:
            yield server
        finally:
            server.stop()


async def test_vote_burst_counts_every_vote_without_a_server_error(
    loaded_demo: DemoServer,
) -> None:
    """1,000 browser-like votes sent at once are all answered 302 and all counted."""
    burst = await vote_burst(loaded_demo, VOTES)

    assert burst.form_statuses == Counter({200: VOTES}), burst.summary()
    assert burst.statuses == Counter({302: VOTES}), burst.summary()
    assert burst.counted == VOTES, burst.summary()
    assert not logged_errors(loaded_demo.log.read_text(errors="replace"))
    if burst.peak_connections is not None:
        assert burst.peak_connections <= CONNECTION_BUDGET + LINGERING, burst.summary()
