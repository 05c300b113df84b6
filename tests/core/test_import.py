"""`import multisync` stays Django-free and mypy-free (DESIGN 1)."""

from __future__ import annotations

import subprocess
import sys


def test_import_multisync_loads_neither_django_nor_mypy() -> None:
    """A fresh interpreter that imports multisync has not imported Django or mypy."""
    code = (
        "import sys, multisync\n"
        "leaked = sorted(m for m in sys.modules if m.split('.')[0] in {'django', 'mypy'})\n"
        "print(leaked)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_import_multisync_without_django_settings_succeeds() -> None:
    """Importing multisync needs no DJANGO_SETTINGS_MODULE."""
    result = subprocess.run(
        [sys.executable, "-c", "import multisync; print(multisync.multisync.__module__)"],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": ""},
    )
    assert result.stdout.strip() == "multisync"
