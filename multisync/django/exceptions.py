"""The Django layer's exception: a relation that is not loaded, touched in async code."""

from __future__ import annotations

from django.core.exceptions import SynchronousOnlyOperation

from multisync.exceptions import MultisyncError

__all__ = ["UnprefetchedRelatedModelAccessError"]


class UnprefetchedRelatedModelAccessError(SynchronousOnlyOperation, MultisyncError):
    """Sync access to an unloaded relation or deferred field inside a running event loop.

    Raised instead of Django's generic `SynchronousOnlyOperation`, which it subclasses,
    before any query is sent. The message names the relation and the fix.

    !!! note "Added in 0.1"
    """

    code = "ms-relation-not-loaded"


# Report the class as `multisync.django.UnprefetchedRelatedModelAccessError`.
UnprefetchedRelatedModelAccessError.__module__ = "multisync.django"
