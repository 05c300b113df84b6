"""The override rule: a subclass that overrides either half is never skipped (DESIGN 1)."""

from __future__ import annotations

import sys
import threading
from typing import Any

import pytest

from multisync import DecoratorMisuseError, HalvesMismatchError, Multisync, multisync
from multisync.core import Traits, apply_override_rule, install


class Base:
    """Records which halves ran, in order."""

    def __init__(self) -> None:
        self.log: list[str] = []

    @multisync
    def save(self) -> None:
        self.log.append("Base.save")

    @save.async_
    async def save_async(self) -> None:
        self.log.append("Base.save_async")


class SyncOverride(Base):
    def save(self) -> None:
        self.log.append("SyncOverride.save")
        super().save()


class AsyncOverride(Base):
    async def save_async(self) -> None:
        self.log.append("AsyncOverride.save_async")
        await super().save.a()


class AsyncDefOverride(Base):
    async def save(self) -> None:  # type: ignore[override]
        self.log.append("AsyncDefOverride.save")
        await super().save.a()


class BothOverride(Base):
    def save(self) -> None:
        self.log.append("BothOverride.save")
        super().save()

    async def save_async(self) -> None:
        self.log.append("BothOverride.save_async")
        await super().save_async()


class Inheritor(SyncOverride):
    """Overrides nothing: the nearest definition is SyncOverride's."""


class AsyncOnTopOfSync(SyncOverride):
    async def save_async(self) -> None:
        self.log.append("AsyncOnTopOfSync.save_async")
        await super().save.a()


class Mixin:
    def save(self) -> None:
        self.log.append("Mixin.save")  # type: ignore[attr-defined]
        super().save()  # type: ignore[misc]


class Mixed(Mixin, Base):  # type: ignore[misc]  # the runtime makes Mixin.save a pair here
    """The nearest definition of `save` is the plain mixin's, before Base in the MRO."""


# --- sync-only override ---------------------------------------------------------------


def test_sync_override_sync_call_runs_override() -> None:
    """A plain `def m` override runs for `obj.m()`."""
    obj = SyncOverride()
    obj.save()
    assert obj.log == ["SyncOverride.save", "Base.save"]


async def test_sync_override_a_runs_override() -> None:
    """A plain `def m` override runs for `await obj.m.a()`, via its derived async half."""
    obj = SyncOverride()
    await obj.save.a()
    assert obj.log == ["SyncOverride.save", "Base.save"]


async def test_sync_override_async_spelling_runs_override() -> None:
    """A plain `def m` override runs for `await obj.m_async()`."""
    obj = SyncOverride()
    await obj.save_async()
    assert obj.log == ["SyncOverride.save", "Base.save"]


def test_sync_override_becomes_a_multisync() -> None:
    """The plain override is wrapped in the subclass's own pair."""
    assert isinstance(vars(SyncOverride)["save"], Multisync)


# --- async-only override --------------------------------------------------------------


def test_async_override_sync_call_runs_override() -> None:
    """An `async def m_async` override runs for `obj.m()`, via its derived sync half."""
    obj = AsyncOverride()
    obj.save()
    assert obj.log == ["AsyncOverride.save_async", "Base.save_async"]


async def test_async_override_a_runs_override() -> None:
    """An `async def m_async` override runs for `await obj.m.a()`."""
    obj = AsyncOverride()
    await obj.save.a()
    assert obj.log == ["AsyncOverride.save_async", "Base.save_async"]


async def test_async_override_async_spelling_runs_override() -> None:
    """An `async def m_async` override runs for `await obj.m_async()`."""
    obj = AsyncOverride()
    await obj.save_async()
    assert obj.log == ["AsyncOverride.save_async", "Base.save_async"]


def test_async_def_under_sync_name_counts_as_async_half() -> None:
    """`async def m` in a subclass is the async half; `obj.m()` is derived from it."""
    obj = AsyncDefOverride()
    obj.save()  # type: ignore[unused-coroutine]  # mypy sees the async def; it runs synced
    assert obj.log == ["AsyncDefOverride.save", "Base.save_async"]


# --- both halves ----------------------------------------------------------------------


def test_both_override_sync_call_runs_sync_override() -> None:
    """With both halves overridden plainly, `obj.m()` runs the sync one."""
    obj = BothOverride()
    obj.save()
    assert obj.log == ["BothOverride.save", "Base.save"]


async def test_both_override_a_runs_async_override() -> None:
    """With both halves overridden plainly, `await obj.m.a()` runs the async one."""
    obj = BothOverride()
    await obj.save.a()
    assert obj.log == ["BothOverride.save_async", "Base.save_async"]


def test_both_override_with_different_parameters_raises_at_class_definition() -> None:
    """Plain halves that take different parameters fail when the class is defined."""
    with pytest.raises(HalvesMismatchError) as exc:

        class Broken(Base):
            def save(self) -> None: ...

            async def save_async(self, force: bool) -> None: ...  # type: ignore[override]

    assert str(exc.value).startswith(
        "The halves `test_both_override_with_different_parameters_raises_at_class_definition"
        ".<locals>.Broken.save` and `test_both_override_with_different_parameters_raises_at_"
        "class_definition.<locals>.Broken.save_async` must take the same parameters"
    )


# --- nearest definition wins ----------------------------------------------------------


def test_inheritor_uses_nearest_sync_override() -> None:
    """A class that overrides nothing uses its nearest ancestor's halves."""
    obj = Inheritor()
    obj.save()
    assert obj.log == ["SyncOverride.save", "Base.save"]


def test_async_on_top_of_sync_override_sync_call_runs_async_override() -> None:
    """The nearest class defines only the async half: `obj.m()` is derived from it."""
    obj = AsyncOnTopOfSync()
    obj.save()
    assert obj.log == ["AsyncOnTopOfSync.save_async", "SyncOverride.save", "Base.save"]


async def test_async_on_top_of_sync_override_a_runs_async_override() -> None:
    """The nearest class defines only the async half: `.a()` runs it."""
    obj = AsyncOnTopOfSync()
    await obj.save.a()
    assert obj.log == ["AsyncOnTopOfSync.save_async", "SyncOverride.save", "Base.save"]


async def test_plain_mixin_before_base_is_honoured_by_a() -> None:
    """A plain mixin earlier in the MRO is the nearest definition, for every spelling."""
    obj = Mixed()
    await obj.save.a()  # type: ignore[attr-defined]  # a pair at runtime only (see Mixed)
    await obj.save_async()
    assert obj.log == ["Mixin.save", "Base.save"] * 2


# --- recursion and threads ------------------------------------------------------------


def test_async_override_awaiting_super_from_sync_call_terminates() -> None:
    """`obj.m()` on an async-only override that awaits `super()` does not recurse."""
    obj = AsyncOverride()
    obj.save()
    assert len(obj.log) == 2


async def test_sync_override_derived_async_half_runs_off_loop_thread() -> None:
    """The derived async half of a plain override runs in a worker thread."""
    threads: list[threading.Thread] = []

    class Recording(Base):
        def save(self) -> None:
            threads.append(threading.current_thread())

    await Recording().save.a()
    assert threads != [threading.current_thread()]


# --- class creation details -----------------------------------------------------------


def test_subclass_init_subclass_kwargs_still_reach_user_hook() -> None:
    """Keyword arguments of a class statement still reach a user `__init_subclass__`."""
    received: list[dict[str, Any]] = []

    class Hooked(Base):
        def __init_subclass__(cls, **kwargs: Any) -> None:
            received.append(kwargs)
            super().__init_subclass__()

    class Child(Hooked, flavour="plain"):
        def save(self) -> None: ...

    assert received == [{"flavour": "plain"}]
    assert isinstance(vars(Child)["save"], Multisync)


def test_user_init_subclass_without_super_still_gets_the_rule() -> None:
    """A user `__init_subclass__` that forgets `super()` cannot switch the rule off."""

    class Forgetful(Base):
        def __init_subclass__(cls) -> None:
            pass

    class Child(Forgetful):
        def save(self) -> None: ...

    assert isinstance(vars(Child)["save"], Multisync)


def test_sync_function_under_async_spelling_raises_at_class_definition() -> None:
    """A class body whose `m_async` is a sync function is rejected when defined."""
    with pytest.raises(DecoratorMisuseError) as exc:

        class Wrong(Base):
            @multisync
            def save(self) -> None: ...

            def save_async(self) -> None: ...  # type: ignore[override]

    prefix = "test_sync_function_under_async_spelling_raises_at_class_definition.<locals>.Wrong"
    assert str(exc.value).startswith(
        f"`{prefix}.save_async`, the async spelling of `{prefix}.save`, must be an async"
        f" function, got `def {prefix}.save_async`."
    )


def test_root_class_misuse_still_stops_class_definition() -> None:
    """Without a multisync ancestor the error comes from `__set_name__`.

    Python 3.11 wraps errors raised there in a RuntimeError, with ours as the cause.
    """
    expected = RuntimeError if sys.version_info < (3, 12) else DecoratorMisuseError
    with pytest.raises(expected) as exc:

        class Wrong:
            @multisync
            def save(self) -> None: ...

            def save_async(self) -> None: ...

    error = exc.value.__cause__ if expected is RuntimeError else exc.value
    assert isinstance(error, DecoratorMisuseError)
    assert "must be an async function" in str(error)


def test_two_async_spellings_in_one_body_raise() -> None:
    """Two different async halves for one name in one class body are rejected."""

    class Root:
        def save(self) -> None: ...

    install(Root, "save", vars(Root)["save"], None, Traits(("asave",)))

    with pytest.raises(DecoratorMisuseError) as exc:

        class Twice(Root):
            async def save_async(self) -> None: ...

            async def asave(self) -> None: ...

    assert str(exc.value).startswith(
        "`test_two_async_spellings_in_one_body_raise.<locals>.Twice` defines two async halves"
        " for `save`: `save_async` and `asave`; keep one of them, the other spellings run it."
    )


async def test_extra_async_spelling_runs_the_effective_async_half() -> None:
    """An extra spelling (Django's `asave`) runs the same halves as `m_async`."""

    class Root:
        def __init__(self) -> None:
            self.log: list[str] = []

        def save(self) -> None:
            self.log.append("Root.save")

    install(Root, "save", vars(Root)["save"], None, Traits(("asave",)))

    class Child(Root):
        async def asave(self) -> None:
            self.log.append("Child.asave")

    obj = Child()
    # `install()` made `Root.save` a pair at runtime, which no checker sees.
    await obj.save.a()  # type: ignore[attr-defined]
    await obj.save_async()  # type: ignore[attr-defined]
    await obj.asave()
    assert obj.log == ["Child.asave"] * 3


# --- replaced after class creation (test doubles) -------------------------------------


async def test_sync_spelling_replaced_on_class_is_run_by_derived_async_half() -> None:
    """After `Cls.m` is replaced by a plain callable, the derived async half runs it too."""

    class Patched(SyncOverride):
        pass

    calls: list[object] = []
    Patched.save = lambda self: calls.append(self)  # type: ignore[method-assign]  # noqa: PLW0108
    obj = Patched()
    await obj.save_async()
    await SyncOverride.save.a(obj)
    assert calls == [obj, obj]


async def test_sync_spelling_not_replaced_runs_own_half() -> None:
    """Without a replacement, the derived async half runs its own sync half."""
    obj = SyncOverride()
    await obj.save_async()
    assert obj.log == ["SyncOverride.save", "Base.save"]


async def test_pair_built_before_parent_spelling_learns_it_on_reapply() -> None:
    """A pair defined before its parent gained an extra spelling picks it up when re-applied."""

    class Root:
        def save(self) -> str:
            return "Root.save"

    class Child(Root):
        @multisync
        def save(self) -> str:
            return "Child.save"

        @save.async_
        async def save_async(self) -> str:
            return "Child.save_async"

    install(Root, "save", vars(Root)["save"], None, Traits(("asave",)))
    apply_override_rule(Child)
    assert await Child().asave() == "Child.save_async"  # type: ignore[attr-defined]
