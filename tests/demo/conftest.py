"""Fixtures for the demo tests: one demo server for the session."""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING

import pytest

from tests.demo.server import DemoServer, missing, start_demo

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    """The polls demo, served by `demo/run.py` on a free port and a fresh database.

    Shared by every demo test: tests that vote compare counts before and after.
    """
    if importlib.util.find_spec("uvicorn") is None:
        missing("uvicorn is not installed (pip install --group demo)")
    server = start_demo(tmp_path_factory.mktemp("demo"))
    yield server
    server.stop()
