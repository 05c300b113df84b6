"""What a multisync name passes on to the pairs that override it in subclasses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Coroutine

__all__ = ["NO_TRAITS", "Traits"]

AsyncFn = Callable[..., "Coroutine[Any, Any, Any]"]


@dataclass(frozen=True)
class Traits:
    """What a multisync name passes on to the pairs that override it in subclasses.

    `extra_async_names` are async spellings beyond `m_async` (Django's `asave`);
    `async_factory` builds an async half from a sync half, for names whose async half
    must do more than run the sync half in a thread (QuerySet methods that return a
    queryset return it evaluated).
    """

    extra_async_names: tuple[str, ...] = ()
    async_factory: (
        Callable[[Callable[..., Any]], Callable[..., Coroutine[Any, Any, Any]]] | None
    ) = None

    def merged_over(self, parent: Traits) -> Traits:
        """These traits, completed by the parent's."""
        extras = tuple(dict.fromkeys((*parent.extra_async_names, *self.extra_async_names)))
        return Traits(extras, self.async_factory or parent.async_factory)


NO_TRAITS = Traits()
