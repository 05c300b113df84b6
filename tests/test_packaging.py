"""The built wheel is the distribution `django-multisync`, importing as `multisync`."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel that `pip wheel .` builds from this checkout."""
    folder = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(folder), "."],
        cwd=ROOT,
        check=True,
    )
    (built,) = folder.glob("*.whl")
    return built


def metadata(wheel: Path) -> dict[str, list[str]]:
    """The wheel's METADATA headers, each with all its values."""
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        message = Parser().parsestr(archive.read(name).decode())
    return {key: message.get_all(key) or [] for key in set(message.keys())}


def test_wheel_name_is_django_multisync(wheel: Path) -> None:
    """The distribution is `django-multisync`: `multisync` on PyPI is another project."""
    assert wheel.name.startswith("django_multisync-")
    assert metadata(wheel)["Name"] == ["django-multisync"]


def test_wheel_declares_the_tested_django_versions(wheel: Path) -> None:
    """Dependencies and classifiers name Django 4.2 to 6.1, as CI tests."""
    headers = metadata(wheel)
    assert "django<6.2,>=4.2" in [r.lower().replace(" ", "") for r in headers["Requires-Dist"]]
    django_classifiers = [
        c for c in headers["Classifier"] if c.startswith("Framework :: Django ::")
    ]
    assert django_classifiers == [
        "Framework :: Django :: 4.2",
        "Framework :: Django :: 5.2",
        "Framework :: Django :: 6.1",
    ]


def test_wheel_installed_imports_as_multisync(wheel: Path, tmp_path: Path) -> None:
    """Installed from the wheel (not this checkout), `import multisync` works."""
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "-t", str(target), wheel],
        check=True,
    )
    result = subprocess.run(
        [sys.executable, "-c", "import multisync; print(multisync.__file__)"],
        env={**os.environ, "PYTHONPATH": str(target)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(result.stdout.strip()).is_relative_to(target)
