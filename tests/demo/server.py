"""The polls demo, run in a subprocess for the tests, and a small HTTP client for it.

The demo has its own settings (`demo.settings`), while this suite runs under
`tests.settings`; one process cannot hold both. So the tests do what a visitor does:
`demo/run.py` migrates, seeds and serves a temporary database on a free 127.0.0.1
port, and the tests speak HTTP to it. That also tests what `make demo` runs, uvicorn
included. The database is read directly to check what the pages say: an SQLite file
on a read-only connection, or a PostgreSQL database made for the test run.
"""

from __future__ import annotations

import http.client
import importlib.util
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlencode

import pytest

if TYPE_CHECKING:
    from email.message import Message

ROOT = Path(__file__).resolve().parents[2]
RUN_SCRIPT = ROOT / "demo" / "run.py"
STARTUP_TIMEOUT = 30.0
SHUTDOWN_TIMEOUT = 10.0
HTTP_TIMEOUT = 10.0
# The PostgreSQL server of the suite (tests/settings.py), and its maintenance database.
POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"
POSTGRES_PORT = 5432

_FOOTER_COUNT = re.compile(r'id="query-count" data-count="(\d+)"')
_CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def in_ci() -> bool:
    """Whether this run is CI's (`CI=true`), where a missing tool is a failure."""
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def missing(reason: str) -> NoReturn:
    """Skip the test for a missing tool, or fail it under CI, which must run it."""
    if in_ci():
        pytest.fail(f"{reason} (required when CI is set)", pytrace=False)
    pytest.skip(reason)


def postgres_missing_reason() -> str | None:
    """Why the demo cannot run on the suite's PostgreSQL server here, or None if it can."""
    if importlib.util.find_spec("psycopg") is None:
        return "psycopg is not installed (pip install --group test)"
    try:
        socket.create_connection(("127.0.0.1", POSTGRES_PORT), timeout=2).close()
    except OSError:
        return f"nothing listens on 127.0.0.1:{POSTGRES_PORT}"
    return None


def require_postgres() -> None:
    """Skip the test without PostgreSQL, or fail it under CI, which must run it."""
    reason = postgres_missing_reason()
    if reason is not None:
        missing(f"the demo cannot run on PostgreSQL: {reason}")


def create_postgres_database() -> str:
    """A new, empty database on the suite's PostgreSQL server; its URL."""
    import psycopg
    from psycopg import sql

    name = f"multisync_demo_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return f"{POSTGRES_SERVER}/{name}"


def drop_postgres_database(url: str) -> None:
    """Drop a database that `create_postgres_database` made, closing its connections."""
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1]
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as admin:
        admin.execute(drop)


def is_postgres(database: str) -> bool:
    """Whether `database` is a PostgreSQL URL rather than an SQLite file."""
    return database.startswith(("postgres://", "postgresql://"))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Page:
    """One HTTP response of the demo."""

    status: int
    headers: Message
    text: str

    @property
    def query_count(self) -> int:
        """The queries the request ran, from the `X-Query-Count` header."""
        return int(self.headers["X-Query-Count"])

    @property
    def footer_count(self) -> int:
        """The query count the page's footer shows."""
        match = _FOOTER_COUNT.search(self.text)
        assert match is not None, "no query count in the footer"
        return int(match[1])

    @property
    def csrf_token(self) -> str:
        """The CSRF token of the page's first form."""
        match = _CSRF_FIELD.search(self.text)
        assert match is not None, "no CSRF token on the page"
        return match[1]


@dataclass
class DemoServer:
    """A running `demo/run.py`, its address and its database (a file or a URL)."""

    port: int
    database: str
    process: subprocess.Popen[bytes] = field(repr=False)
    log: Path

    @property
    def url(self) -> str:
        """The demo's home page."""
        return f"http://127.0.0.1:{self.port}/"

    def request(
        self, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None
    ) -> Page:
        """Send one request and read the whole response."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=HTTP_TIMEOUT)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return Page(response.status, response.headers, response.read().decode())
        finally:
            connection.close()

    def get(self, path: str) -> Page:
        """GET a page."""
        return self.request("GET", path)

    def csrf(self, form_page: str) -> tuple[str, str]:
        """A CSRF cookie and the form token that goes with it, from a page with a form."""
        page = self.get(form_page)
        cookie = page.headers["Set-Cookie"].split(";", 1)[0]
        return cookie, page.csrf_token

    def post_form(self, path: str, form: dict[str, str], csrf: tuple[str, str] | None) -> Page:
        """POST a form, with a CSRF cookie and token when `csrf` is given."""
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if csrf is not None:
            cookie, token = csrf
            headers["Cookie"] = cookie
            form = {"csrfmiddlewaretoken": token, **form}
        return self.request("POST", path, body=urlencode(form), headers=headers)

    def scalar(self, sql: str, *params: Any) -> Any:
        """One value read from the demo's database; `sql` takes `%s` placeholders."""
        row = read_row(self.database, sql, params)
        assert row is not None, f"no row for {sql} {params}"
        return row[0]

    def question_id(self, text: str) -> int:
        """The primary key of the question with this text."""
        return int(self.scalar("SELECT id FROM polls_question WHERE question_text = %s", text))

    def choice_id(self, question_id: int, text: str) -> int:
        """The primary key of a question's choice with this text."""
        sql = "SELECT id FROM polls_choice WHERE question_id = %s AND choice_text = %s"
        return int(self.scalar(sql, question_id, text))

    def votes(self, choice_id: int) -> int:
        """The votes of a choice, as stored."""
        return int(self.scalar("SELECT votes FROM polls_choice WHERE id = %s", choice_id))

    def count(self, table: str, where: str, *params: Any) -> int:
        """How many rows of `table` match `where`."""
        return int(self.scalar(f"SELECT count(*) FROM {table} WHERE {where}", *params))  # noqa: S608  # the tests' own SQL

    def stop(self) -> None:
        """Stop the server as Ctrl+C would, and wait for it."""
        self.process.terminate()
        try:
            self.process.wait(timeout=SHUTDOWN_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def read_row(database: str, sql: str, params: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """The first row of a query on the demo's database (SQLite: read-only)."""
    if is_postgres(database):
        import psycopg

        with psycopg.connect(database) as db:
            return db.execute(sql.encode(), params).fetchone()
    uri = f"file:{database}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True, timeout=20)) as db:
        row: tuple[Any, ...] | None = db.execute(sql.replace("%s", "?"), params).fetchone()
        return row


# Runs in a fresh interpreter: argv is (repository root, database, code to run).
_IN_DEMO = (
    "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]);"
    "from demo.run import configure, prepare_database;"
    "configure(Path(sys.argv[2])); prepare_database(); exec(sys.argv[3])"
)


def run_in_demo(database: Path, code: str = "") -> str:
    """Run `code` in a fresh interpreter set up as `demo/run.py` does; return its output.

    The database is migrated and seeded first, exactly as `make demo` does it.
    """
    command = [sys.executable, "-c", _IN_DEMO, str(ROOT), str(database), code]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


def start_demo(
    workdir: Path,
    database: str | None = None,
    *,
    options: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
) -> DemoServer:
    """Run `demo/run.py` on a free port; return once it answers.

    The database is a new SQLite file in `workdir` unless `database` names one (or a
    PostgreSQL URL); `options` go to `demo/run.py`, `env` to its environment.
    """
    port = free_port()
    database = database or str(workdir / "demo.sqlite3")
    log = workdir / f"demo-{port}.log"
    command = [sys.executable, str(RUN_SCRIPT), "--port", str(port), "--database", database]
    command += options
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    server = DemoServer(port, database, process, log)
    try:
        wait_until_serving(server)
    except BaseException:
        server.stop()
        raise
    return server


def wait_until_serving(server: DemoServer) -> None:
    """Poll the home page until it answers; fail with the server's log if it never does."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        try:
            server.get("/")
        except OSError:
            time.sleep(0.1)
        else:
            return
    output = server.log.read_text(errors="replace")
    pytest.fail(f"the demo did not start on port {server.port}:\n{output}", pytrace=False)
