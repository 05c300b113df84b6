"""`make demo`: migrate the demo's SQLite database, seed it, and serve it under uvicorn.

Usage: python demo/run.py [--host 127.0.0.1] [--port 8000] [--database PATH]

The database defaults to `demo/db.sqlite3` (git-ignored); delete it to start over.
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
    parser.add_argument("--database", type=Path, help="SQLite file (default: demo/db.sqlite3)")
    return parser.parse_args(argv)


def configure(database: Path | None) -> None:
    """Point Django at the demo's settings (and database), then set it up."""
    # Run by path, Python puts demo/ first on sys.path; the project imports as `demo.*`.
    if sys.path[0] == str(ROOT / "demo"):
        sys.path[0] = str(ROOT)
    elif str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "demo.settings"
    if database is not None:
        os.environ["MULTISYNC_DEMO_DB"] = str(database.resolve())

    import django

    django.setup()


def prepare_database() -> None:
    """Apply the migrations and seed the polls, then close the setup connection."""
    from django.core.management import call_command
    from django.db import connections

    from demo.seed import seed_polls

    call_command("migrate", interactive=False, verbosity=0)
    created = seed_polls()
    if created:
        print(f"Seeded {created} poll{'s' if created != 1 else ''}.")
    connections.close_all()  # requests open their own, one thread each


def serve(host: str, port: int) -> None:
    """Serve the ASGI application until interrupted."""
    import uvicorn

    print(f"The multisync polls demo runs at http://{host}:{port}/ (Ctrl+C stops it)", flush=True)
    # Django's ASGI handler does not speak the lifespan protocol: don't ask.
    uvicorn.run("demo.asgi:application", host=host, port=port, lifespan="off")


def main(argv: list[str] | None = None) -> None:
    """Migrate, seed, print the URL and serve."""
    args = parse_args(argv)
    configure(args.database)
    prepare_database()
    serve(args.host, args.port)


if __name__ == "__main__":
    main()
