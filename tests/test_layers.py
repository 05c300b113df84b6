"""The package's layers and data path, measured by `scripts/layers.py`."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "layers.py"


def load_script() -> ModuleType:
    """`scripts/layers.py` as a module (scripts are run by path, not imported)."""
    spec = importlib.util.spec_from_file_location("layers", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_layers_cycles_finds_a_circle() -> None:
    """The circle finder reports a circle, once, along its modules."""
    layers = load_script()
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert layers.cycles(graph) == [["a", "b", "c", "a"]]


def test_layers_cycles_passes_a_tree() -> None:
    """A graph without circles has none."""
    layers = load_script()
    assert layers.cycles({"a": {"b", "c"}, "b": {"c"}, "c": set()}) == []


def test_layers_package_has_no_circle_and_keeps_its_layers() -> None:
    """The real package: no import circle, no layer broken, frames within budget."""
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--frames"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert ", 0 circles" in result.stdout
    assert "BROKEN" not in result.stdout
