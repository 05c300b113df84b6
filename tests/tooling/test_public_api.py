"""The public paths of the tooling: `multisync.test`, `multisync.django.commands`, `ashell`."""

from __future__ import annotations

from types import ModuleType

from django.core.management import get_commands

import multisync.django.commands
import multisync.test
from multisync.django.commands import shell
from multisync.management.commands import ashell


def public_names(module: ModuleType) -> set[str]:
    """Names a user can import from the module, leaving out submodules."""
    return {
        name
        for name in dir(module)
        if not name.startswith("_") and not isinstance(getattr(module, name), ModuleType)
    }


def test_multisync_test_all_is_sorted_and_complete() -> None:
    """`multisync.test.__all__` is sorted and lists every public name."""
    assert multisync.test.__all__ == sorted(multisync.test.__all__)
    assert set(multisync.test.__all__) == public_names(multisync.test)


def test_multisync_test_exports_report_public_module() -> None:
    """The objects of `multisync.test` say `multisync.test` in reprs and tracebacks."""
    modules = {getattr(multisync.test, name).__module__ for name in multisync.test.__all__}
    assert modules == {"multisync.test"}


def test_commands_package_exports_async_base_command() -> None:
    """`multisync.django.commands` exports exactly `AsyncBaseCommand`."""
    assert multisync.django.commands.__all__ == ["AsyncBaseCommand"]


def test_ashell_is_found_by_django_in_the_multisync_app() -> None:
    """Django finds `ashell` in the `multisync` app, a shim over the shell module."""
    assert get_commands()["ashell"] == "multisync"
    assert ashell.Command is shell.Command
