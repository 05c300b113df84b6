"""The package root is the API: `__all__` is sorted and complete."""

from __future__ import annotations

from types import ModuleType

import multisync
import multisync.django


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
    modules = {name: getattr(multisync, name).__module__ for name in multisync.__all__}
    assert modules.pop("UnprefetchedRelatedModelAccessError") == "multisync.django"
    assert set(modules.values()) == {"multisync"}


def test_django_layer_all_is_sorted_and_complete() -> None:
    """`multisync.django.__all__` is sorted and every name in it imports."""
    assert multisync.django.__all__ == sorted(multisync.django.__all__)
    assert all(getattr(multisync.django, name) for name in multisync.django.__all__)


def test_django_error_is_the_same_class_from_both_packages() -> None:
    """`multisync.UnprefetchedRelatedModelAccessError` is `multisync.django`'s class."""
    error = multisync.UnprefetchedRelatedModelAccessError
    assert error is multisync.django.UnprefetchedRelatedModelAccessError
