"""The public modules' names: `__all__` sorted and complete, objects named for their module.

The package root is the API; `multisync.django`, `multisync.test` and
`multisync.django.commands` are the public modules beside it, and `multisync.core` is
the API the layers above the core use.
"""

from __future__ import annotations

import re
from types import ModuleType

import pytest
from django.core.management import get_commands

import multisync
import multisync.core
import multisync.django
import multisync.django.commands
import multisync.test
from multisync.django.commands import shell
from multisync.management.commands import ashell

PUBLIC = [multisync, multisync.django, multisync.test, multisync.django.commands]
# `multisync.core`'s objects keep their own modules' names: only its `__all__` is checked.
EXPORTING = [*PUBLIC, multisync.core]

# Names `multisync.core` binds for its own code, not for the layers above it.
NOT_EXPORTED = {"multisync.core": {"annotations", "TYPE_CHECKING", "Any", "cast", "create_pair"}}

# Where a module's exports say they live, when that is not the module itself.
ELSEWHERE = {"multisync": {"UnprefetchedRelatedModelAccessError": "multisync.django"}}


def module_name(module: ModuleType) -> str:
    """The test id of a module: its dotted name."""
    return module.__name__


every_exporting_module = pytest.mark.parametrize("module", EXPORTING, ids=module_name)


def public_names(module: ModuleType) -> set[str]:
    """Names a user can import from the module, leaving out submodules."""
    return {
        name
        for name in dir(module)
        if not name.startswith("_") and not isinstance(getattr(module, name), ModuleType)
    }


def ruff_order(name: str) -> tuple[int, list[str | int]]:
    """Where ruff's RUF022 puts a name in `__all__`: constants, classes, then the rest.

    Within each group the order is natural (`x9` before `x10`); for names without
    constants or digits it is `sorted()`'s order.
    """
    if len(name) > 1 and name.isupper():
        group = 0
    elif name[:1].isupper():
        group = 1
    else:
        group = 2
    return group, [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def test_ruff_order_puts_constants_then_classes_then_the_rest() -> None:
    """The sort key agrees with `ruff check --select RUF022 --fix` on a mixed list."""
    written = ["b2", "b10", "T", "AB", "A_B", "Ab", "a", "Z", "_x", "X1", "XY2", "Xy10", "Xy9"]
    by_ruff = ["AB", "A_B", "X1", "XY2", "Ab", "T", "Xy9", "Xy10", "Z", "_x", "a", "b2", "b10"]
    assert sorted(written, key=ruff_order) == by_ruff


@every_exporting_module
def test_all_is_sorted(module: ModuleType) -> None:
    """`__all__` is in the order ruff keeps it in (`sorted()`'s, constants first)."""
    assert module.__all__ == sorted(module.__all__, key=ruff_order)


@every_exporting_module
def test_all_lists_every_public_name(module: ModuleType) -> None:
    """`__all__` lists exactly the public names of the module."""
    not_exported = NOT_EXPORTED.get(module.__name__, set())
    assert set(module.__all__) == public_names(module) - not_exported
    assert not_exported <= public_names(module)


@every_exporting_module
def test_all_names_import(module: ModuleType) -> None:
    """Every name in `__all__` imports, the lazily loaded ones included."""
    assert module.__all__
    assert all(getattr(module, name) for name in module.__all__)


@pytest.mark.parametrize("module", [multisync, multisync.test], ids=module_name)
def test_exports_report_public_module(module: ModuleType) -> None:
    """Exported objects say the public module, not a private one, in reprs and tracebacks."""
    expected = dict.fromkeys(module.__all__, module.__name__) | ELSEWHERE.get(module.__name__, {})
    assert {name: getattr(module, name).__module__ for name in module.__all__} == expected


def test_django_error_is_the_same_class_from_both_packages() -> None:
    """`multisync.UnprefetchedRelatedModelAccessError` is `multisync.django`'s class."""
    error = multisync.UnprefetchedRelatedModelAccessError
    assert error is multisync.django.UnprefetchedRelatedModelAccessError


def test_commands_package_exports_async_base_command() -> None:
    """`multisync.django.commands` exports exactly `AsyncBaseCommand`."""
    assert multisync.django.commands.__all__ == ["AsyncBaseCommand"]


def test_ashell_is_found_by_django_in_the_multisync_app() -> None:
    """Django finds `ashell` in the `multisync` app, a shim over the shell module."""
    assert get_commands()["ashell"] == "multisync"
    assert ashell.Command is shell.Command
