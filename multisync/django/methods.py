"""`save`, `delete` and `refresh_from_db` as multisync pairs on every model (DESIGN 2a).

`Model.save` becomes a pair whose async half is also installed as Django's own
`asave` (and `save_async`); likewise `delete`/`adelete` and
`refresh_from_db`/`arefresh_from_db`. The core's override rule then gives every model
class that spells one of these names in its body (a plain `def save`, an
`async def asave`, an `async def save_async`, or a `@multisync` pair) its own pair, so
all three spellings run the effective halves.

The base pairs call Django's original functions directly, never `self.save`: an
`asave`-only override that awaits `super().asave()` reaches the base async half, which
must not dispatch back to the override's derived sync half.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from asgiref.sync import sync_to_async
from django.db.models import Model

from multisync.core import MODEL_METHODS, Traits, apply_override_rule, install, is_pair

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine, Iterable

__all__ = ["DJANGO_ASYNC_TWINS", "MODEL_METHODS", "apply_to_models", "install_model_methods"]


# Django's own `asave`, `adelete` and `arefresh_from_db`, as they were before install:
# the benchmarks compare against them.
DJANGO_ASYNC_TWINS: dict[str, Callable[..., Coroutine[Any, Any, Any]]] = {}


def install_model_methods() -> None:
    """Make `Model.save`, `delete` and `refresh_from_db` multisync pairs (idempotent)."""
    for name, twin in MODEL_METHODS.items():
        original = vars(Model)[name]
        if is_pair(original):
            continue
        DJANGO_ASYNC_TWINS[twin] = vars(Model)[twin]
        install(
            Model,
            name,
            original,
            _save_async_for_django5(original) if name == "save" else None,
            Traits(extra_async_names=(twin,)),
        )


def apply_to_models(models: Iterable[type[Model]]) -> None:
    """Apply the override rule to models that existed before `Model.save` was a pair.

    Models created later get it from the hook the core installs on `Model`.
    """
    for model in models:
        for klass in reversed(model.__mro__):
            if klass is not Model and issubclass(klass, Model):
                apply_override_rule(klass)


def _save_async_for_django5(
    original_save: Callable[..., None],
) -> Callable[..., Coroutine[Any, Any, None]] | None:
    """On Django 5.x, an async `save` half that deprecates positional arguments as `asave()` does.

    Elsewhere the derived half is exact: Django 4.2's `asave` forwards everything and
    6.x takes keywords only.
    """
    if not hasattr(Model, "_parse_save_params"):
        return None
    save_in_thread = sync_to_async(original_save)

    async def save_async(
        self: Model,
        *args: Any,
        force_insert: Any = False,
        force_update: bool = False,
        using: str | None = None,
        update_fields: Iterable[str] | None = None,
    ) -> None:
        if args:  # RemovedInDjango60Warning, worded for the async spelling as in Django.
            force_insert, force_update, using, update_fields = self._parse_save_params(  # type: ignore[attr-defined]
                *args,
                method_name="asave",
                force_insert=force_insert,
                force_update=force_update,
                using=using,
                update_fields=update_fields,
            )
        options = {
            "force_insert": force_insert,
            "force_update": force_update,
            "using": using,
            "update_fields": update_fields,
        }
        if not is_pair(getattr(type(self), "save", None)):
            # `save` was replaced on the class after it was built (a test double):
            # Django's asave() would run it, so this does too.
            return await sync_to_async(self.save)(**options)
        return await save_in_thread(self, **options)

    save_async.__qualname__ = "Model.save_async"
    save_async.__doc__ = original_save.__doc__
    save_async.alters_data = True  # type: ignore[attr-defined]
    return save_async
