"""A burst of votes on the demo, as many browsers would send them; also a command.

Each visitor loads the poll's form (a GET that sets the CSRF cookie), then every
visitor submits at once: one connection each, all opened before the first POST
goes out. `vote_burst` reports the statuses, how long the POSTs took, how many
votes the database gained and, on PostgreSQL, the peak number of connections.

The figures of docs/production.md come from this module run as a command, which
starts the demo on a new database, sends one burst and prints what it saw:

    .venv/bin/python -m tests.demo.load --database sqlite --workers 2 --votes 1000
    .venv/bin/python -m tests.demo.load --database postgres --env MULTISYNC_DEMO_POOL=0

Every request goes to 127.0.0.1, and each is bounded by `client.REQUEST_TIMEOUT`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import re
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tests.demo.client import get, send_at_once, send_bounded
from tests.demo.server import (
    create_postgres_database,
    drop_postgres_database,
    is_postgres,
    start_demo,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    import psycopg

    from tests.demo.server import DemoServer

QUESTION = "Which spelling of an async save reads best?"
ANSWER = "await obj.save.a()"
# Forms are loaded a few at a time, as visitors arrive; only the votes come at once.
FORM_CONCURRENCY = 50
SAMPLE_INTERVAL = 0.02
SETTLE_SECONDS = 2.0
# The last line of a logged traceback, such as `django.db.utils.OperationalError: ...`.
_ERROR_LINE = re.compile(r"^[\w.]+(?:Error|Exception|Timeout): .*$", re.MULTILINE)


def tally(statuses: Counter[int]) -> str:
    """Statuses and how often each came, such as `998 x 302, 2 x 500`."""
    return ", ".join(f"{count} x {status}" for status, count in sorted(statuses.items()))


@dataclass
class VoteBurst:
    """What one burst of votes did: the forms' statuses, then the votes'."""

    form_statuses: Counter[int]
    statuses: Counter[int]
    seconds: float
    counted: int
    peak_connections: int | None = None
    connections_left_open: int | None = None

    @property
    def votes(self) -> int:
        """The votes sent: one per form that loaded."""
        return self.statuses.total()

    @property
    def per_second(self) -> float:
        """Votes answered per second, from the first POST to the last response."""
        return self.votes / self.seconds

    def summary(self) -> str:
        """One line for a terminal or a test failure."""
        line = (
            f"forms: {tally(self.form_statuses)}; {self.votes} votes in {self.seconds:.2f} s "
            f"({self.per_second:.0f}/s): {tally(self.statuses)}; {self.counted} counted"
        )
        if self.peak_connections is not None:
            line += (
                f"; PostgreSQL: {self.peak_connections} connections at most, "
                f"{self.connections_left_open} still open {SETTLE_SECONDS:.0f} s later"
            )
        return line


async def vote_burst(server: DemoServer, votes: int) -> VoteBurst:
    """Load `votes` forms, then send all the votes at once; see the module docstring.

    On PostgreSQL, the connections are watched from the first form to the last vote.
    """
    question_id = server.question_id(QUESTION)
    choice_id = server.choice_id(question_id, ANSWER)
    before = server.votes(choice_id)
    path = f"/polls/{question_id}/vote/"
    async with watch_connections(server.database) as connections:
        pages = await send_bounded(
            server.port, [get(f"/polls/{question_id}/")] * votes, FORM_CONCURRENCY
        )
        forms = [page.form() for page in pages if page.status == 200]
        started = time.perf_counter()
        responses = await send_at_once(
            server.port, [form.post(path, {"choice": str(choice_id)}) for form in forms]
        )
        seconds = time.perf_counter() - started
    burst = VoteBurst(
        Counter(page.status for page in pages),
        Counter(response.status for response in responses),
        seconds,
        server.votes(choice_id) - before,
    )
    if connections is not None:
        burst.peak_connections = connections.peak
        burst.connections_left_open = connections.left_open
    return burst


@dataclass
class ConnectionWatch:
    """The demo's PostgreSQL connections under load, and just after it."""

    peak: int = 0
    left_open: int = 0


@contextlib.asynccontextmanager
async def watch_connections(database: str) -> AsyncIterator[ConnectionWatch | None]:
    """On PostgreSQL, sample the demo's connections (pg_stat_activity) while inside.

    `peak` is the most connections seen at once; `left_open`, how many are still
    open `SETTLE_SECONDS` after. On SQLite, yields None.
    """
    if not is_postgres(database):
        yield None
        return
    import psycopg

    watch = ConnectionWatch()
    async with await psycopg.AsyncConnection.connect(database, autocommit=True) as db:
        sampler = asyncio.create_task(sample_peak(db, watch))
        try:
            yield watch
        finally:
            sampler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sampler
        await asyncio.sleep(SETTLE_SECONDS)
        watch.left_open = await client_connections(db)


async def client_connections(db: psycopg.AsyncConnection[tuple[int]]) -> int:
    """The client connections to the current database, but `db` itself."""
    await db.execute("SELECT pg_stat_clear_snapshot()")  # no statistics cached from before
    cursor = await db.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
    )
    row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


async def sample_peak(db: psycopg.AsyncConnection[tuple[int]], watch: ConnectionWatch) -> None:
    """Keep `watch.peak` at the most client connections seen at once."""
    while True:
        watch.peak = max(watch.peak, await client_connections(db))
        await asyncio.sleep(SAMPLE_INTERVAL)


@contextlib.contextmanager
def demo_database(kind: str, workdir: Path) -> Iterator[str]:
    """A new database for the demo: an SQLite file in `workdir`, or a PostgreSQL one."""
    if kind == "sqlite":
        yield str(workdir / "demo.sqlite3")
        return
    url = create_postgres_database()
    try:
        yield url
    finally:
        drop_postgres_database(url)


def logged_errors(log: str) -> Counter[str]:
    """The exceptions in the demo's log (`ErrorClass: message` lines), counted."""
    return Counter(match[0] for match in _ERROR_LINE.finditer(log))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line options."""
    parser = argparse.ArgumentParser(description="Send a burst of votes to a new demo.")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--votes", type=int, default=1000)
    parser.add_argument("--max-in-flight", help="demo/run.py's option (default: its own)")
    parser.add_argument(
        "--env", action="append", default=[], metavar="NAME=VALUE", help="for the demo"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Start the demo on a new database, send one burst of votes, print the figures."""
    args = parse_args(argv)
    options: tuple[str, ...] = ("--workers", str(args.workers))
    if args.max_in_flight is not None:
        options += ("--max-in-flight", args.max_in_flight)
    env = dict(setting.split("=", 1) for setting in args.env)
    with (
        tempfile.TemporaryDirectory() as workdir,
        demo_database(args.database, Path(workdir)) as database,
    ):
        server = start_demo(Path(workdir), database, options=options, env=env)
        try:
            burst = asyncio.run(vote_burst(server, args.votes))
        finally:
            server.stop()
        errors = logged_errors(server.log.read_text(errors="replace"))
    print(f"{args.database}, {args.workers} workers: {burst.summary()}")  # noqa: T201  # the figures
    for error, count in errors.most_common():
        print(f"  {count} x {error}")  # noqa: T201


if __name__ == "__main__":
    main()
