"""multisync: one name, two halves.

`@multisync` pairs a sync and an async implementation under one name:
`obj.save()` runs the sync half, `await obj.save.a()` and `await obj.save_async()`
the async half. The Django integration lives in `multisync.django`; this package
root imports neither Django nor mypy.
"""

import typing

from multisync.core import (
    BoundMultisync,
    Multisync,
    MultisyncClassmethod,
    MultisyncStaticmethod,
    multisync,
)
from multisync.exceptions import (
    DecoratorMisuseError,
    HalvesMismatchError,
    MultisyncError,
    SyncCallInEventLoopError,
)

__all__ = [
    "BoundMultisync",
    "DecoratorMisuseError",
    "HalvesMismatchError",
    "Multisync",
    "MultisyncClassmethod",
    "MultisyncError",
    "MultisyncStaticmethod",
    "SyncCallInEventLoopError",
    "UnprefetchedRelatedModelAccessError",  # pyright: ignore[reportUnsupportedDunderAll]  # lazy
    "multisync",
]

__version__ = "0.1.0"

# Report the public objects as `multisync.X` in reprs and tracebacks.
for _name in __all__:
    if _name in globals():
        globals()[_name].__module__ = __name__
del _name  # pyright: ignore[reportPossiblyUnboundVariable]  # __all__ is not empty


def __getattr__(name: str) -> typing.Any:
    # The Django error is importable from here too, without importing Django for
    # everyone else: it loads on first use. Typed `Any`: naming its class here would
    # make type checkers import Django with the core (and mypy meet a cycle through
    # `Model`); `from multisync.django import ...` gives the precise type.
    if name == "UnprefetchedRelatedModelAccessError":
        from multisync.django.exceptions import UnprefetchedRelatedModelAccessError

        return UnprefetchedRelatedModelAccessError
    msg = f"module 'multisync' has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
