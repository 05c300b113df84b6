"""`save`, `delete` and `refresh_from_db` as multisync pairs on every model (DESIGN 2a).

`Model.save` becomes a pair whose async half is also installed as Django's own
`asave` (and `save_async`); likewise `delete`/`adelete` and
`refresh_from_db`/`arefresh_from_db`. The core's override rule then gives every model
class that spells one of these names in its body (a plain `def save`, an
`async def asave`, an `async def save_async`, or a `@multisync` pair) its own pair, so
all three spellings run the effective halves.

The base pairs call Django's original functions directly, not `self.save`: an
`asave`-only override that awaits `super().asave()` reaches the base async half, which
must not dispatch back to the override's derived sync half. The one exception is the
core's rule for a method replaced on its class after the class was built (a test
double), which the async spelling runs as Django's `asave()` would.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

from django.db.models import Model

from multisync.core import (
    MODEL_METHODS,
    Traits,
    apply_override_rule,
    derive_async_method,
    install,
    is_pair,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine, Iterable

__all__ = ["apply_to_models", "install_model_methods"]


def install_model_methods() -> None:
    """Make `Model.save`, `delete` and `refresh_from_db` multisync pairs (idempotent)."""
    for name, twin in MODEL_METHODS.items():
        original = vars(Model)[name]
        if is_pair(original):
            continue
        install(
            Model,
            name,
            original,
            _save_async(original) if name == "save" else None,
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


def _save_async(original_save: Callable[..., None]) -> Callable[..., Coroutine[Any, Any, None]]:
    """The async half of `Model.save`, on every Django version.

    The derived half (a method replaced on the class, by `mock.patch` say, runs
    instead, as in Django's `asave()`), after turning positional arguments into
    keywords with the deprecation warning that Django 5.x's `asave()` gives. Django
    4.2's `asave` forwards them as they are, and 6.x's takes keywords only.
    """
    derived = derive_async_method(Model, "save", original_save)
    parse_positional = getattr(Model, "_parse_save_params", None)  # Django 5.x

    async def save_async(self: Model, *args: Any, **kwargs: Any) -> None:
        if args and parse_positional is not None:
            # RemovedInDjango60Warning, worded for the async spelling as in Django.
            options = {name: kwargs.get(name, default) for name, default in _SAVE_OPTIONS}
            values = parse_positional(self, *args, method_name="asave", **options)
            kwargs = dict(zip(options, values, strict=True))
            args = ()
        await derived(self, *args, **kwargs)

    save_async.__name__ = "save_async"
    save_async.__qualname__ = "Model.save_async"
    save_async.__doc__ = original_save.__doc__
    save_async.__signature__ = inspect.signature(derived)  # type: ignore[attr-defined]
    save_async.alters_data = True  # type: ignore[attr-defined]
    return save_async


# `save()`'s options and their defaults, in the order Django's `_parse_save_params` takes.
_SAVE_OPTIONS = (
    ("force_insert", False),
    ("force_update", False),
    ("using", None),
    ("update_fields", None),
)
