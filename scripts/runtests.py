"""Run the test suite once per database that is reachable on 127.0.0.1.

SQLite always runs, with the whole suite. PostgreSQL and MariaDB run the
database tests (`tests/django`, `tests/tooling`) when their port answers. Under CI
(`CI=true`) a database that cannot be tested is an error, not a skip: CI must prove
all three.

Usage: scripts/runtests.py [pytest arguments...]
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (name, port, driver module, test paths beyond the default)
DATABASES = [
    ("sqlite", None, "sqlite3", []),
    ("postgres", 5432, "psycopg", ["tests/django", "tests/tooling"]),
    ("mariadb", 3306, "MySQLdb", ["tests/django", "tests/tooling"]),
]


def reachable(port: int) -> bool:
    """Tell whether something listens on 127.0.0.1:port."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True
    except OSError:
        return False


def why_not_testable(port: int | None, driver: str) -> str | None:
    """Why a database cannot be tested here, or None if it can."""
    if port is not None and not reachable(port):
        return f"nothing listens on 127.0.0.1:{port}"
    if importlib.util.find_spec(driver) is None:
        return f"its driver `{driver}` is not installed"
    return None


def main(pytest_args: list[str]) -> int:
    """Run pytest per database and return a non-zero code if any run failed."""
    in_ci = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
    failures: list[str] = []
    for name, port, driver, paths in DATABASES:
        reason = why_not_testable(port, driver)
        if reason is not None:
            print(f"== {name}: not tested, {reason}", flush=True)
            if in_ci:
                failures.append(f"{name} ({reason})")
            continue
        selected = pytest_args or [p for p in paths if (ROOT / p).exists()]
        if paths and not selected:
            print(f"== {name}: no database tests in this checkout", flush=True)
            continue
        print(f"== {name}: pytest {' '.join(selected)}", flush=True)
        env = {**os.environ, "MULTISYNC_TEST_DB": name}
        code = subprocess.call([sys.executable, "-m", "pytest", *selected], cwd=ROOT, env=env)
        if code not in {0, 5}:  # 5: no tests collected for a pytest_args filter
            failures.append(name)
    if failures:
        print(f"== failed: {', '.join(failures)}", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
