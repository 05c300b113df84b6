"""The package root is the API: `__all__` is sorted and complete."""

from __future__ import annotations

from types import ModuleType

import multisync


def public_names(module: ModuleType) -> set[str]:
    """Names a user can import, leaving out submodules."""
    return {
        name
        for name in dir(module)
        if not name.startswith("_") and not isinstance(getattr(module, name), ModuleType)
    }


def test_all_is_sorted() -> None:
    """`multisync.__all__` is in sorted order."""
    assert multisync.__all__ == sorted(multisync.__all__)


def test_all_lists_every_public_name() -> None:
    """`multisync.__all__` lists exactly the public names of the package."""
    assert set(multisync.__all__) == public_names(multisync)


def test_exports_report_package_as_module() -> None:
    """Exported objects say `multisync`, not a private module, in reprs and tracebacks."""
    assert {getattr(multisync, name).__module__ for name in multisync.__all__} == {"multisync"}
