"""Under a mypy it does not support, `multisync.mypy` gives mypy one line to report.

The line is an error on the `plugins` line of mypy's configuration, never an internal
error: the plugin refuses the release when mypy imports it, which mypy reports as a
configuration error (an exception from `plugin()` would be an internal error).
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pathlib import Path

pytest.importorskip("mypy_django_plugin", reason="the typing tools are not installed")

# mypy's command line, under a mypy that says it is the release in argv[1].
RUN_MYPY_AS = (
    "import sys\n"
    "import mypy.version\n"
    "mypy.version.__version__ = sys.argv.pop(1)\n"
    "from mypy.__main__ import console_entry\n"
    "console_entry()\n"
)

CONFIG = """\
[mypy]
strict = True
plugins = mypy_django_plugin.main, multisync.mypy

[mypy.plugins.django-stubs]
django_settings_module = typing_settings
"""

SETTINGS = """\
SECRET_KEY = "multisync-typing"
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "multisync"]
"""


def refusal(version: str) -> str:
    """What the plugin says under mypy `version`."""
    return (
        f"multisync.mypy supports mypy 1.19 to 2.4, not {version}: install a supported "
        "mypy, or remove multisync.mypy from mypy's plugins"
    )


@pytest.mark.parametrize("version", ["1.19.0", "1.19.1", "1.20.2", "2.0.0", "2.4.1", "2.4.1+dev"])
def test_mypy_version_supported_accepted(version: str) -> None:
    """The check passes every release from 1.19 to 2.4."""
    from multisync.mypy import _check_mypy_version

    _check_mypy_version(version)


@pytest.mark.parametrize("version", ["1.18.2", "2.5.0", "2.10.0", "3.0.0", "2.5rc1", "master"])
def test_mypy_version_unsupported_refused_with_message(version: str) -> None:
    """Outside 1.19 to 2.4, the check raises ImportError with the line mypy shows."""
    from multisync.mypy import _check_mypy_version

    with pytest.raises(ImportError) as exc:
        _check_mypy_version(version)
    assert exc.value.args == (refusal(version),)


def test_mypy_version_unsupported_reported_as_one_config_error(tmp_path: Path) -> None:
    """Run as 1.18.2, mypy reports one error on its `plugins` line, and no traceback."""
    (tmp_path / "mypy.ini").write_text(CONFIG)
    (tmp_path / "typing_settings.py").write_text(SETTINGS)
    (tmp_path / "main.py").write_text("answer: int = 42\n")
    environment = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO")}
    result = subprocess.run(
        [sys.executable, "-c", RUN_MYPY_AS, "1.18.2", "--no-incremental", "main.py"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stderr == (
        f'mypy.ini:3: error: Error importing plugin "multisync.mypy": {refusal("1.18.2")}  [misc]\n'
    )
    assert result.stdout == "Found 1 error in 1 file (errors prevented further checking)\n"
    assert result.returncode == 2
