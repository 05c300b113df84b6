"""`make demo`: migrate the demo's database, seed it, and serve it under uvicorn.

Usage: python demo/run.py [--host 127.0.0.1] [--port 8000] [--database PATH_OR_URL]
                          [--workers N] [--max-in-flight N]

The database defaults to the SQLite file `demo/db.sqlite3` (git-ignored; delete it to
start over). `--database postgres://USER@HOST:PORT/NAME` runs the demo on PostgreSQL,
with Django's connection pool where the Django version has one (5.1 and later).
Seeding is idempotent, so running the demo again keeps earlier votes.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PORT = 8000


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line options."""
    parser = argparse.ArgumentParser(description="Serve the multisync polls demo.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port to listen on")
    parser.add_argument(
        "--database",
        help="an SQLite file, or postgres://USER@HOST:PORT/NAME (default: demo/db.sqlite3)",
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="uvicorn worker processes (default: 1)"
    )
    parser.add_argument(
        "--max-in-flight",
        type=int,
        help="requests each worker handles at once, the others queue (default: 10; 0: no limit)",
    )
    return parser.parse_args(argv)


def database_target(database: str | None) -> str | None:
    """`--database` as the settings read it: a URL as given, a file as an absolute path."""
    from demo.database import is_postgres_url

    if database is None or is_postgres_url(database):
        return database
    return str(Path(database).resolve())


def configure(database: str | Path | None, max_in_flight: int | None = None) -> None:
    """Point Django at the demo's settings (and database), then set it up.

    The settings come through environment variables, so that every uvicorn worker,
    a process of its own, reads the same ones.
    """
    # Run by path, Python puts demo/ first on sys.path; the project imports as `demo.*`.
    if sys.path[0] == str(ROOT / "demo"):
        sys.path[0] = str(ROOT)
    elif str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "demo.settings"
    target = database_target(None if database is None else str(database))
    if target is not None:
        os.environ["MULTISYNC_DEMO_DB"] = target
    if max_in_flight is not None:
        os.environ["MULTISYNC_DEMO_MAX_IN_FLIGHT"] = str(max_in_flight)

    import django

    django.setup()


def prepare_database() -> None:
    """Apply the migrations and seed the polls, then close the setup connection."""
    from django.core.management import call_command

    from demo.seed import seed_polls

    call_command("migrate", interactive=False, verbosity=0)
    created = seed_polls()
    if created:
        print(f"Seeded {created} poll{'s' if created != 1 else ''}.")
    close_connections()


def close_connections() -> None:
    """Close this process's connections, and its pool if it has one.

    Requests open their own, one thread each, in the worker processes.
    """
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.close()
        if hasattr(connection, "close_pool"):  # PostgreSQL on Django 5.1 and later
            connection.close_pool()


def serve(host: str, port: int, workers: int) -> None:
    """Serve the ASGI application with `workers` processes until interrupted."""
    import uvicorn

    processes = f" in {workers} worker processes" if workers > 1 else ""
    print(
        f"The multisync polls demo runs at http://{host}:{port}/{processes} (Ctrl+C stops it)",
        flush=True,
    )
    # Django's ASGI handler does not speak the lifespan protocol: don't ask.
    uvicorn.run("demo.asgi:application", host=host, port=port, workers=workers, lifespan="off")


def main(argv: list[str] | None = None) -> None:
    """Migrate, seed, print the URL and serve."""
    args = parse_args(argv)
    configure(args.database, args.max_in_flight)
    prepare_database()
    serve(args.host, args.port, args.workers)


if __name__ == "__main__":
    main()
