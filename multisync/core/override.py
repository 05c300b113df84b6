"""The override rule: a subclass that overrides either half is never silently skipped.

The first class that owns a multisync name gets an `__init_subclass__` hook. For each
subclass and each multisync name, the hook finds the nearest class in the MRO whose
own body spells the name (`m`, `m_async`, or an extra async spelling such as Django's
`asave`). If that class wrote plain functions, the hook builds a pair from them and
installs it on the subclass. A pair only ever calls its own class's halves, which is
why `super()` chains across spellings terminate.

This module keeps the registry of which class owns which name. It knows pairs only
through `PairLike`, so the descriptors can register themselves here without a cycle.
"""

# The registry and the pairs it drives share their lifecycle state (ruff's SLF001 is off
# for the core for the same reason).
# pyright: reportPrivateUsage=false

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any, Protocol, cast

from multisync.core.adapters import is_async_callable
from multisync.core.validation import is_pair, unwrap
from multisync.exceptions import DecoratorMisuseError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from multisync.core.traits import Traits

__all__ = ["PairLike", "apply_override_rule", "hook_runs_for", "nearest_pair", "register"]


class PairLike(Protocol):
    """What the override rule needs of a multisync descriptor (see `descriptors`)."""

    func: Callable[..., Any]
    _async_fn: Callable[..., Any]
    _owner: type | None
    _finished: bool
    _sync_written: bool
    _async_written: bool
    _traits: Traits

    @property
    def async_names(self) -> tuple[str, ...]:
        """Every async spelling of the name: `m_async` plus extras such as `asave`."""
        ...

    def _wrap(self, fn: Callable[..., Any]) -> Any: ...
    def _attach(self, owner: type, name: str) -> None: ...
    def _finish(self, owner: type) -> None: ...
    def _refresh(self, owner: type) -> None: ...
    def _sibling(self, sync_obj: object | None, async_obj: object | None) -> PairLike: ...


# Multisync names defined by each class, in definition order.
_NAMES: weakref.WeakKeyDictionary[type, list[str]] = weakref.WeakKeyDictionary()


def register(owner: type, name: str) -> None:
    """Record that `owner` defines the multisync `name`; its subclasses get the rule."""
    names = _NAMES.setdefault(owner, [])
    if name not in names:
        names.append(name)
    _ensure_override_hook(owner)


def nearest_pair(cls: type, name: str) -> PairLike | None:
    """The pair that `cls` inherits for `name` from a registered ancestor."""
    for klass in cls.__mro__[1:]:
        if name in _NAMES.get(klass, ()):
            pair = vars(klass)[name]
            return cast("PairLike", pair) if is_pair(pair) else None
    return None


def _names_in_mro(cls: type) -> Iterator[str]:
    seen: set[str] = set()
    for klass in cls.__mro__[1:]:
        for name in _NAMES.get(klass, ()):
            if name not in seen:
                seen.add(name)
                yield name


def _is_hook(method: object) -> bool:
    return getattr(getattr(method, "__func__", None), "_multisync_hook", False) is True


def hook_runs_for(owner: type) -> bool:
    """Tell whether `type.__new__` is about to call our hook for `owner`."""
    return _is_hook(super(cast("Any", owner), owner).__init_subclass__)


def _ensure_override_hook(owner: type) -> None:
    if _is_hook(owner.__init_subclass__):
        return  # inherited from a class that already has it
    original = vars(owner).get("__init_subclass__")

    def __init_subclass__(cls: type, /, **kwargs: Any) -> None:  # noqa: N807
        __tracebackhide__ = True
        apply_override_rule(cls)
        if original is not None:
            original.__get__(None, cls)(**kwargs)
        else:
            super(cast("Any", owner), cls).__init_subclass__(**kwargs)

    __init_subclass__._multisync_hook = True  # type: ignore[attr-defined]  # pyright: ignore[reportFunctionMemberAccess]
    owner.__init_subclass__ = classmethod(__init_subclass__)  # type: ignore[assignment]  # pyright: ignore[reportAttributeAccessIssue]


def apply_override_rule(cls: type) -> None:
    """Give `cls` a pair for every multisync name whose nearest definition is plain.

    Runs automatically for every subclass of a class that owns a multisync; the
    Django layer also calls it for models created before `Model.save` became one.
    """
    __tracebackhide__ = True
    for name in _names_in_mro(cls):
        template = nearest_pair(cls, name)
        if template is None:
            continue
        spellings = (name, *template.async_names)
        definer = next((k for k in cls.__mro__ if any(s in vars(k) for s in spellings)), None)
        if definer is None:
            continue
        current = vars(definer).get(name)
        if is_pair(current) and cast("PairLike", current)._owner is definer:
            cast("PairLike", current)._refresh(definer)
            continue
        pair = _pair_from_body(definer, name, template)
        setattr(cls, name, pair)
        pair._attach(cls, name)
        pair._finish(cls)
    for pair in _unfinished_pairs(cls):
        pair._finish(cls)
    if "__init_subclass__" in vars(cls):
        # A user hook that forgets `super().__init_subclass__()` must not switch the
        # rule off for the classes below it.
        _ensure_override_hook(cls)


def _unfinished_pairs(cls: type) -> list[PairLike]:
    pairs = [cast("PairLike", value) for value in vars(cls).values() if is_pair(value)]
    return [pair for pair in pairs if pair._owner is cls and not pair._finished]


def _pair_from_body(definer: type, name: str, template: PairLike) -> PairLike:
    """Build the pair that the plain functions in `definer`'s body spell."""
    __tracebackhide__ = True
    body = vars(definer)
    written = body.get(name)
    if is_pair(written):  # a pair copied from another class
        copied = cast("PairLike", written)
        return template._sibling(
            copied._wrap(copied.func) if copied._sync_written else None,
            copied._wrap(copied._async_fn) if copied._async_written else None,
        )
    halves = [(s, body[s]) for s in template.async_names if s in body]
    if written is not None and is_async_callable(written):
        halves.insert(0, (name, written))
        written = None
    first_spelling, async_half = halves[0] if halves else (name, None)
    for spelling, other in halves[1:]:
        if unwrap(other) is not unwrap(async_half):
            msg = (
                f"`{definer.__qualname__}` defines two async halves for `{name}`: "
                f"`{first_spelling}` and `{spelling}`; keep one of them, the other "
                "spellings run it."
            )
            raise DecoratorMisuseError(msg)
    return template._sibling(written, async_half)
