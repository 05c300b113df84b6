"""The polls demo, run in a subprocess for the tests, and a small HTTP client for it.

The demo has its own settings (`demo.settings`), while this suite runs under
`tests.settings`; one process cannot hold both. So the tests do what a visitor does:
`demo/run.py` migrates, seeds and serves a temporary SQLite database on a free
127.0.0.1 port, and the tests speak HTTP to it. That also tests what `make demo`
runs, uvicorn included. The database file is read directly (read-only) to check
what the pages say.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
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
STARTUP_TIMEOUT = 20.0
SHUTDOWN_TIMEOUT = 10.0
HTTP_TIMEOUT = 10.0

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
    """A running `demo/run.py`, its address and its database file."""

    port: int
    database: Path
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
        """One value read from the demo's database, on a read-only connection."""
        uri = f"file:{self.database}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True, timeout=20)) as db:
            row = db.execute(sql, params).fetchone()
        assert row is not None, f"no row for {sql} {params}"
        return row[0]

    def question_id(self, text: str) -> int:
        """The primary key of the question with this text."""
        return int(self.scalar("SELECT id FROM polls_question WHERE question_text = ?", text))

    def choice_id(self, question_id: int, text: str) -> int:
        """The primary key of a question's choice with this text."""
        sql = "SELECT id FROM polls_choice WHERE question_id = ? AND choice_text = ?"
        return int(self.scalar(sql, question_id, text))

    def votes(self, choice_id: int) -> int:
        """The votes of a choice, as stored."""
        return int(self.scalar("SELECT votes FROM polls_choice WHERE id = ?", choice_id))

    def stop(self) -> None:
        """Stop the server as Ctrl+C would, and wait for it."""
        self.process.terminate()
        try:
            self.process.wait(timeout=SHUTDOWN_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


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


def start_demo(workdir: Path) -> DemoServer:
    """Run `demo/run.py` on a free port and a new database; return once it answers."""
    port = free_port()
    database = workdir / "demo.sqlite3"
    log = workdir / "demo.log"
    command = [sys.executable, str(RUN_SCRIPT), "--port", str(port), "--database", str(database)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
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
