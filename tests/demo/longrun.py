"""A long-running script's database connection across idle pauses, on PostgreSQL.

The figures of docs/production.md on long-running scripts come from this command. It
makes a new database on the suite's PostgreSQL server whose sessions end after
`--idle-timeout` seconds without a query (PostgreSQL's `idle_session_timeout`, which
stands for a server restart, a pooler or a firewall dropping idle connections), sets
the demo up on it, and runs `--rounds` rounds of one query and a pause:

    .venv/bin/python -m tests.demo.longrun
    .venv/bin/python -m tests.demo.longrun --close-old-connections

`--env NAME=VALUE` sets the demo's settings (demo/settings.py), such as
`MULTISYNC_DEMO_POOL=0` or `MULTISYNC_DEMO_CONN_MAX_AGE=600`.
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import dataclass

from tests.demo.server import create_postgres_database, drop_postgres_database

ROUNDS = 4


@dataclass
class Round:
    """One round: how long its query took, or the error it raised."""

    milliseconds: float
    error: str | None

    def __str__(self) -> str:
        if self.error is None:
            return f"ok in {self.milliseconds:.1f} ms"
        return self.error


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line options."""
    parser = argparse.ArgumentParser(description="Query, idle, repeat, on PostgreSQL.")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--pause", type=float, default=4.0, help="seconds between rounds")
    parser.add_argument("--idle-timeout", type=float, default=3.0, help="server-side, seconds")
    parser.add_argument("--close-old-connections", action="store_true")
    parser.add_argument(
        "--env", action="append", default=[], metavar="NAME=VALUE", help="for the demo"
    )
    return parser.parse_args(argv)


def end_idle_sessions_after(url: str, seconds: float) -> None:
    """Make the server end sessions of the database at `url` idle for `seconds`."""
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1]
    timeout = f"{round(seconds * 1000)}ms"
    statement = sql.SQL("ALTER DATABASE {} SET idle_session_timeout = {}").format(
        sql.Identifier(name), sql.Literal(timeout)
    )
    with psycopg.connect(url, autocommit=True) as db:
        db.execute(statement)


def run_round(closing_old_connections: bool) -> Round:
    """One query, as a script's unit of work, after `close_old_connections()` if asked."""
    from django.db import DatabaseError, close_old_connections

    from demo.polls.models import Question

    if closing_old_connections:
        close_old_connections()
    started = time.perf_counter()
    try:
        Question.objects.count()
    except DatabaseError as error:
        first_line = str(error).strip().splitlines()[0]
        return Round(0.0, f"{type(error).__name__}: {first_line}")
    return Round(1000 * (time.perf_counter() - started), None)


def main(argv: list[str] | None = None) -> None:
    """Set the demo up on a new database, then run the rounds and print them."""
    args = parse_args(argv)
    os.environ.update(setting.split("=", 1) for setting in args.env)
    url = create_postgres_database()
    try:
        end_idle_sessions_after(url, args.idle_timeout)
        from demo.run import close_connections, configure, prepare_database

        configure(url)
        prepare_database()
        for number in range(1, args.rounds + 1):
            if number > 1:
                time.sleep(args.pause)
            print(f"round {number}: {run_round(args.close_old_connections)}")  # noqa: T201  # the figures
        close_connections()
    finally:
        drop_postgres_database(url)


if __name__ == "__main__":
    main()
