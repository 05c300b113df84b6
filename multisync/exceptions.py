"""Exceptions raised by the multisync core.

Each class subclasses the built-in exception that users already catch for the same
kind of mistake (`TypeError` for a wrong definition, `RuntimeError` for a call that
cannot run here), plus `MultisyncError` so that all of them can be caught at once.
Every class carries a short `code`, and its message ends with a link to the section
of the errors page that explains the cause and the fix.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "DecoratorMisuseError",
    "HalvesMismatchError",
    "MultisyncError",
    "SyncCallInEventLoopError",
]

ERRORS_URL = "https://multisync.readthedocs.io/en/latest/errors/"


class MultisyncError(Exception):
    """Base class of every error that multisync raises.

    !!! note "Added in 0.1"
    """

    code: ClassVar[str] = "ms-error"

    def __str__(self) -> str:
        return f"{super().__str__()} (See {ERRORS_URL}#{self.code})"


class DecoratorMisuseError(MultisyncError, TypeError):
    """`@multisync` or `@f.async_` was applied to something it cannot pair.

    !!! note "Added in 0.1"
    """

    code = "ms-decorator-misuse"


class HalvesMismatchError(MultisyncError, TypeError):
    """The sync and async halves of one multisync name take different parameters.

    !!! note "Added in 0.1"
    """

    code = "ms-halves-mismatch"


class SyncCallInEventLoopError(MultisyncError, RuntimeError):
    """A sync half derived from an async half was called while an event loop runs.

    !!! note "Added in 0.1"
    """

    code = "ms-sync-call-in-loop"
