"""Differential test: `await obj.a.<name>` against sync `obj.<name>`, on third-party models.

The rule it checks: `await obj.a.<name>` gives (or raises) what sync `obj.<name>`
gives (listed through `.all()` for a manager), and leaves the same caches on `obj`,
whether awaited alone, batched in one `asyncio.gather`, or loaded through a peer.
It checks it on every model of a project that installs wagtail (with
django-modelcluster), django CMS, django-simple-history, django-reversion,
django-allauth, django-taggit, django-polymorphic and Django REST framework, plus the
harness's own app of known traps (`scripts/differential/`).

This script only prepares: on first use it creates `.venv-differential` from the
running interpreter and installs the pinned `REQUIREMENTS` and this repository
(editable, so later runs test the working tree as it is). A stamp in the virtual
environment records what was installed; when `REQUIREMENTS`, the interpreter or
`pyproject.toml` change, it installs again. Then it runs the worker,
`scripts/differential/harness.py`, inside that environment, which prints a table per
app, every difference, and writes a JSON report (`.cache/differential/report.json`).
The exit status is the worker's: 1 when anything differs.

Usage: python scripts/differential.py [--report PATH] [--verbose]
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv-differential"
STAMP = VENV / "differential-installed.txt"
WORKER = ROOT / "scripts" / "differential" / "harness.py"

# Releases that support Django 5.2, pinned so that a difference means a change in
# multisync (or in this list), never a new upstream release.
REQUIREMENTS = (
    "Django==5.2.19",
    "wagtail==8.0.1",
    "django-modelcluster==6.5",  # wagtail's, pinned as well: its in-memory relations
    "django-treebeard==5.3.1",  # wagtail's and django CMS's page trees
    "django-cms==5.1.3",
    "packaging==26.4",  # django CMS imports it without declaring it
    "django-simple-history==3.13.0",
    "django-reversion==6.4.0",
    "django-allauth==65.22.1",
    "django-taggit==6.1.0",
    "django-polymorphic==4.11.7",
    "djangorestframework==3.18.3",
)


def main() -> int:
    """Make sure the environment is installed, then run the worker in it."""
    started = time.monotonic()
    python = installed_environment()
    print(f"environment ready in {time.monotonic() - started:.0f} s: {VENV.name}", flush=True)
    completed = subprocess.run([str(python), str(WORKER), *sys.argv[1:]], check=False)
    print(f"total {time.monotonic() - started:.0f} s")
    return completed.returncode


def installed_environment() -> Path:
    """The environment's interpreter, after creating or updating the environment."""
    python = VENV / "bin" / "python"
    wanted = _stamp_text()
    if python.exists() and STAMP.exists() and STAMP.read_text() == wanted:
        return python
    if not python.exists():
        print(f"creating {VENV.name} with {sys.executable}", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    print("installing the pinned requirements (about half a minute)", flush=True)
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "--editable", str(ROOT), *REQUIREMENTS], check=True)
    STAMP.write_text(wanted)
    return python


def _stamp_text() -> str:
    """What the environment must have been installed from to be reused as it is."""
    project = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    return "\n".join((sys.version, f"pyproject.toml {project}", *REQUIREMENTS)) + "\n"


if __name__ == "__main__":
    sys.exit(main())
