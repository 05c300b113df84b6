"""How the typing tests run: YAML cases (pytest-mypy-plugins) and checker runs.

pytest-mypy-plugins runs the `mypy` found on `PATH` in a subprocess; putting this
interpreter's scripts first makes that the pinned mypy of this environment, with
django-stubs and multisync installed next to it. The default options point the
plugin at the cases' configuration and extension hook, and give the cases' templates
their variables (`cases.py`), so a plain `pytest tests/typing` needs no flags.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pytest

HERE = Path(__file__).resolve().parent

os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"


def pytest_configure(config: pytest.Config) -> None:
    """Default the pytest-mypy-plugins options to this folder's configuration."""
    options = config.option
    if getattr(options, "mypy_ini_file", None) is None:
        options.mypy_ini_file = str(HERE / "mypy.ini")
    if getattr(options, "mypy_extension_hook", None) is None:
        options.mypy_extension_hook = "tests.typing.cases.django_app"
    if importlib.util.find_spec("pytest_mypy_plugins") is not None:
        from tests.typing.cases import set_template_variables

        set_template_variables(config)
