"""The multisync descriptors: one name, two halves.

`@multisync` turns a function into a descriptor that holds a sync half and an async
half:

    f(...)              -> the sync half
    await f.a(...)      -> the async half
    await obj.f_async() -> the async half, installed on the class as `f_async`

Whichever half the user did not write is derived from the other (see `adapters`).

Binding keeps the sync call in C. `obj.m` is a `functools.partial` subclass holding
the sync half and the instance, so `obj.m(...)` calls the user's function with no
Python frame in between: Django's `warnings.warn(..., stacklevel=2)` keeps pointing
at the caller, and a call costs about a third of a `wrapt.FunctionWrapper` call. As
in wrapt, classmethods and staticmethods bind the way the wrapped object would.

A pair registers its name with the override rule (`override`) when its class is
created; the rule then builds pairs for subclasses that write plain functions.
"""

# The descriptor classes and the override registry share lifecycle state (ruff's SLF001
# is off for the core for the same reason).
# pyright: reportPrivateUsage=false

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from types import MethodType
from typing import TYPE_CHECKING, Any, ClassVar, Concatenate, Generic, Self, cast, overload

from multisync.core.adapters import derive_async, derive_sync, is_async_callable
from multisync.core.naming import async_name, variable_name
from multisync.core.override import hook_runs_for, nearest_pair, register
from multisync.core.protocols import P2, R2, AsyncHalf, P, R, T
from multisync.core.traits import NO_TRAITS, Traits
from multisync.core.validation import (
    check_is_async,
    check_is_sync,
    check_same_shape,
    describe,
    kind_name,
    unwrap,
)
from multisync.exceptions import DecoratorMisuseError

__all__ = [
    "BoundMultisync",
    "Multisync",
    "MultisyncClassmethod",
    "MultisyncStaticmethod",
    "create_pair",
    "derive_async_method",
    "replaced_method",
]

AsyncFn = Callable[..., Coroutine[Any, Any, Any]]

if TYPE_CHECKING:

    class _CCall:
        """What type checkers see of `functools.partial`, the runtime base."""

        func: Callable[..., Any]
        args: tuple[Any, ...]

        def __new__(cls, func: Callable[..., Any], /, *args: Any) -> Self: ...

else:
    # A partial subclass is constructed and called in C; see the module docstring.
    _CCall = functools.partial


def _bare_repr(obj: object) -> str:
    """A repr that cannot run user code (a model's `__str__` may query)."""
    return f"<{type(obj).__qualname__} object at {id(obj):#x}>"


class _Pair(_CCall):
    """State and behaviour shared by the three kinds of multisync descriptor.

    The partial's `func` is the sync half, so calling the descriptor itself
    (`f(...)`, `Question.save(question)`) runs the sync half in C.
    """

    __name__: str
    __qualname__: str
    __wrapped__: Callable[..., Any]  # set by `functools.update_wrapper`
    __multisync_pair__: ClassVar[bool] = True  # what `validation.is_pair` looks for
    # Whether the first argument of a call is the instance (not a class, not nothing).
    _binds_instance: ClassVar[bool] = False
    _async_fn: AsyncFn
    _sync_written: bool
    _async_written: bool
    _owner: type | None
    _finished: bool
    _installed: set[str]  # async spellings this pair put on its class (not user-written)
    _name: str
    _traits: Traits

    @classmethod
    def _make(
        cls,
        sync_fn: Callable[..., Any] | None,
        async_fn: AsyncFn | None,
        traits: Traits = NO_TRAITS,
    ) -> Self:
        """Build a pair from raw functions; the missing half is derived."""
        __tracebackhide__ = True
        written = sync_fn if sync_fn is not None else async_fn
        assert written is not None  # noqa: S101  # every caller passes at least one half
        sync_written, async_written = sync_fn is not None, async_fn is not None
        if sync_fn is None:
            assert async_fn is not None  # noqa: S101

            def describe(args: tuple[Any, ...]) -> tuple[str, str]:
                # Runs on the error path only, after `pair` is bound below.
                return pair._describe_sync_call(args)

            sync_fn = derive_sync(async_fn, describe)
        pair = _CCall.__new__(cls, sync_fn)
        if async_fn is None:
            async_fn = pair._derive_async(sync_fn, traits)
        pair._async_fn = async_fn
        pair._sync_written, pair._async_written = sync_written, async_written
        pair._owner = None
        pair._finished = True
        pair._installed = set()
        pair._name = written.__name__
        pair._traits = traits
        functools.update_wrapper(cast("Any", pair), written)
        return pair

    def _derive_async(self, sync_fn: Callable[..., Any], traits: Traits) -> AsyncFn:
        if traits.async_factory is not None:
            return traits.async_factory(sync_fn)

        def replacement(args: tuple[Any, ...]) -> Callable[..., Any] | None:
            return self._replacement_for(args)

        return derive_async(
            sync_fn,
            async_name(sync_fn.__name__),
            async_name(sync_fn.__qualname__),
            replacement if self._binds_instance else None,
        )

    def _wrap(self, fn: Callable[..., Any]) -> Any:
        """Wrap a raw half the way this kind is stored on a class."""
        return fn

    def _sibling(self, sync_obj: object | None, async_obj: object | None) -> _Pair:
        """A pair of what a subclass body wrote, passing on this pair's traits."""
        __tracebackhide__ = True
        return create_pair(sync_obj, async_obj, self._traits)

    # The sync half is this partial's `func`; the async half is `.a`.
    @property
    def a(self) -> AsyncFn:
        """The async half (unbound when read from the class)."""
        return self._async_fn

    @property
    def async_names(self) -> tuple[str, ...]:
        """Every async spelling of this name: `m_async` plus extras such as `asave`."""
        return (async_name(self._name), *self._traits.extra_async_names)

    def __set_name__(self, owner: type, name: str) -> None:
        __tracebackhide__ = True
        if self._owner is not None:  # the same object assigned under a second name
            return
        self._attach(owner, name)
        # Python 3.11 wraps any exception raised here in a RuntimeError. When the
        # override hook is about to run for `owner` (it runs right after this), let it
        # finish the job so a mismatch surfaces as the TypeError it is.
        if hook_runs_for(owner):
            self._finished = False
        else:
            self._finish(owner)

    def _attach(self, owner: type, name: str) -> None:
        """Record where the pair lives and inherit extra spellings from the parent."""
        self._owner, self._name = owner, name
        parent = nearest_pair(owner, name)
        if parent is not None:
            traits = self._traits.merged_over(parent._traits)
            if traits.async_factory is not self._traits.async_factory and not self._async_written:
                self._async_fn = self._derive_async(self.func, traits)
            self._traits = traits
        register(owner, name)

    def _finish(self, owner: type) -> None:
        """Pair with async spellings in the class body and install the missing ones."""
        __tracebackhide__ = True
        self._adopt_body_async_half(owner)
        spelling_value = self._wrap(self._async_fn)
        for spelling in self.async_names:
            if spelling not in vars(owner) or spelling in self._installed:
                setattr(owner, spelling, spelling_value)
                self._installed.add(spelling)
        self._finished = True

    def _refresh(self, owner: type) -> None:
        """Pick up the spellings a parent gained after this pair was built.

        Models are created before the Django layer makes `Model.save` a pair with its
        `asave` spelling; their own pairs learn of `asave` here.
        """
        __tracebackhide__ = True
        traits = self._traits
        self._attach(owner, self._name)
        if self._traits != traits:
            self._finish(owner)

    def _adopt_body_async_half(self, owner: type) -> None:
        """Pair with an `async def m_async` (or `asave`) written in the same class body."""
        __tracebackhide__ = True
        for spelling in self.async_names:
            obj = vars(owner).get(spelling)
            if obj is None or spelling in self._installed or unwrap(obj) is self._async_fn:
                continue
            name = f"{owner.__qualname__}.{self._name}"
            where = f"`{owner.__qualname__}.{spelling}`, the async spelling of `{name}`,"
            if not is_async_callable(obj):
                msg = f"{where} must be an async function, got {describe(obj)}."
                raise DecoratorMisuseError(msg)
            if self._async_written:
                msg = (
                    f"{where} defines a second async half beside "
                    f"`{self._async_fn.__qualname__}`; keep one of them."
                )
                raise DecoratorMisuseError(msg)
            check_same_shape(self._wrap(self.func), obj)
            self._async_fn, self._async_written = unwrap(obj), True

    def _register_async_half(self, fn: object) -> None:
        """Take `fn` as the async half (`@m.async_`), in the class body only."""
        __tracebackhide__ = True
        where = f"@{self.__name__}.async_"
        check_is_async(fn, where=where)
        if self._owner is not None:
            msg = f"{where} must be used in the class body of `{self._display_name()}`."
            raise DecoratorMisuseError(msg)
        if self._async_written:
            msg = (
                f"{where} got {describe(fn)}, but `{self.__qualname__}` already has "
                f"its async half `{self._async_fn.__qualname__}`."
            )
            raise DecoratorMisuseError(msg)
        check_same_shape(self._wrap(self.func), fn)
        self._async_fn, self._async_written = unwrap(fn), True

    def _replacement_for(self, args: tuple[Any, ...]) -> Callable[..., Any] | None:
        return replaced_method(self._owner, self._name, args)

    def _display_name(self) -> str:
        owner = self._owner
        return f"{owner.__qualname__}.{self._name}" if owner else self.__qualname__

    def _describe_sync_call(self, args: tuple[Any, ...]) -> tuple[str, str]:  # noqa: ARG002
        """What the user called, and what to write instead (see SyncCallInEventLoopError)."""
        name = self._display_name()
        return f"{name}()", f"await {name}.a(...)"

    def _bind(self, target: object) -> BoundMultisync[Any, Any]:
        args = (target,) if target is not None else ()
        bound: BoundMultisync[Any, Any] = BoundMultisync(self.func, *args)
        bound._multisync = self
        return bound

    def __repr__(self) -> str:
        return f"<multisync {self._display_name()}>"

    def __reduce__(self) -> str | tuple[Any, ...]:
        # Pickle by reference, like functions and methods.
        if self._owner is not None:
            return getattr, (self._owner, self._name)
        return self.__qualname__


class Multisync(_Pair, Generic[P, R]):
    """A function or method with a sync half and an async half.

    `@multisync` returns one of these. `f(...)` runs the sync half and
    `await f.a(...)` the async half. On a class, `obj.m` binds like a method and
    the async half is also installed as `m_async`.

    !!! note "Added in 0.1"
    """

    _binds_instance = True

    if TYPE_CHECKING:

        def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
            """Run the sync half."""
            ...

        @property
        def a(self) -> AsyncHalf[P, R]:
            """The async half."""
            ...

    # Both checkers hand `@multisync` the function under `@classmethod` or
    # `@staticmethod` (not the classmethod object), so these overloads tell the three
    # apart by the first parameter. Read on the class, a method (first parameter `T`)
    # stays the pair; a classmethod (first parameter `type[T]`) binds to the class,
    # read on the class or on an instance; read on an instance, a method binds; and
    # anything else (a staticmethod, whose first parameter accepts neither) stays the
    # pair. Pyright checks these `self` types; mypy erases them when it picks an
    # overload, so under mypy `multisync.mypy` retypes classmethods and staticmethods.
    @overload
    def __get__(
        self: Multisync[Concatenate[T, P2], R2], instance: None, owner: type[T], /
    ) -> Multisync[Concatenate[T, P2], R2]: ...
    @overload
    def __get__(
        self: Multisync[Concatenate[type[T], P2], R2], instance: T | None, owner: type[T], /
    ) -> BoundMultisync[P2, R2]: ...
    @overload
    def __get__(
        self: Multisync[Concatenate[T, P2], R2], instance: T, owner: type[Any] | None = None, /
    ) -> BoundMultisync[P2, R2]: ...
    @overload
    def __get__(self, instance: object, owner: type[Any] | None = None, /) -> Self: ...
    def __get__(self, instance: object, owner: type[Any] | None = None, /) -> Any:
        if instance is None:
            return self
        # Inlined `_bind`: this line is the hot path of every `obj.m(...)`.
        bound: BoundMultisync[Any, Any] = BoundMultisync(self.func, instance)
        bound._multisync = self
        return bound

    def async_(
        self, fn: Callable[P, Coroutine[Any, Any, R]], /
    ) -> Callable[P, Coroutine[Any, Any, R]]:
        """Register `fn` as the async half; bind it to the name `<name>_async`.

        ```python
        class Question(models.Model):
            @multisync
            def publish(self) -> None: ...

            @publish.async_
            async def publish_async(self) -> None: ...
        ```
        """
        __tracebackhide__ = True
        self._register_async_half(fn)
        return fn

    def _describe_sync_call(self, args: tuple[Any, ...]) -> tuple[str, str]:
        owner = self._owner
        if owner is None:
            return f"{self.__qualname__}()", f"await {self.__qualname__}.a(...)"
        receiver = args[0] if args and isinstance(args[0], owner) else None
        cls_name = type(receiver).__qualname__ if receiver is not None else owner.__qualname__
        variable = variable_name(cls_name.rpartition(".")[2])
        return f"{cls_name}.{self._name}()", f"await {variable}.{self._name}.a(...)"


class MultisyncClassmethod(_Pair, Generic[P, R]):
    """A multisync classmethod: `@multisync` above `@classmethod`.

    !!! note "Added in 0.1"
    """

    def _wrap(self, fn: Callable[..., Any]) -> Any:
        return classmethod(fn)

    def __get__(self, instance: object, owner: type[Any] | None = None, /) -> BoundMultisync[P, R]:
        return self._bind(owner if owner is not None else type(instance))

    # mypy hands a decorator the function under `@classmethod`; `multisync(classmethod(f))`
    # hands it the classmethod object.
    @overload
    def async_(
        self, fn: classmethod[Any, P, Coroutine[Any, Any, R]], /
    ) -> classmethod[Any, P, Coroutine[Any, Any, R]]: ...
    @overload
    def async_(
        self, fn: Callable[Concatenate[Any, P], Coroutine[Any, Any, R]], /
    ) -> Callable[Concatenate[Any, P], Coroutine[Any, Any, R]]: ...
    def async_(self, fn: Any, /) -> Any:
        """Register the async half, itself decorated with `@classmethod`."""
        __tracebackhide__ = True
        self._register_async_half(fn)
        return fn


class MultisyncStaticmethod(_Pair, Generic[P, R]):
    """A multisync staticmethod: `@multisync` above `@staticmethod`.

    !!! note "Added in 0.1"
    """

    def _wrap(self, fn: Callable[..., Any]) -> Any:
        return staticmethod(fn)

    def __get__(self, instance: object, owner: type[Any] | None = None, /) -> BoundMultisync[P, R]:
        return self._bind(None)

    @overload
    def async_(
        self, fn: staticmethod[P, Coroutine[Any, Any, R]], /
    ) -> staticmethod[P, Coroutine[Any, Any, R]]: ...
    @overload
    def async_(
        self, fn: Callable[P, Coroutine[Any, Any, R]], /
    ) -> Callable[P, Coroutine[Any, Any, R]]: ...
    def async_(self, fn: Any, /) -> Any:
        """Register the async half, itself decorated with `@staticmethod`."""
        __tracebackhide__ = True
        self._register_async_half(fn)
        return fn


class BoundMultisync(_CCall, Generic[P, R]):
    """A multisync bound to its instance (or class): what `obj.m` gives.

    `obj.m(...)` runs the sync half; `obj.m.a` is the async half bound to the same
    instance, a real coroutine function.

    !!! note "Added in 0.1"
    """

    __slots__ = ("_multisync",)
    _multisync: _Pair

    if TYPE_CHECKING:

        def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
            """Run the sync half."""
            ...

        @property
        def a(self) -> AsyncHalf[P, R]:
            """The async half, bound."""
            ...

    else:

        @property
        def a(self) -> AsyncFn:
            """The async half, bound to the same instance (or class)."""
            args = self.args
            if args:
                return MethodType(self._multisync._async_fn, args[0])
            return self._multisync._async_fn

    @property
    def __self__(self) -> object:
        """The instance (or class) the pair is bound to."""
        return self.args[0] if self.args else None

    @property
    def __func__(self) -> _Pair:
        """The unbound multisync descriptor."""
        return self._multisync

    def __getattr__(self, name: str) -> Any:
        # Forward function attributes (`alters_data`, `__name__`, ...) as bound methods
        # do, so Django templates still refuse to call `question.save`. Not
        # `__wrapped__`: inspect.signature would then report the unbound signature.
        if name == "_multisync" or (
            name.startswith("__") and name not in {"__name__", "__qualname__"}
        ):
            raise AttributeError(name)
        return getattr(self._multisync, name)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BoundMultisync):
            return NotImplemented
        return (
            self._multisync is other._multisync
            and len(self.args) == len(other.args)
            and all(a is b for a, b in zip(self.args, other.args, strict=True))
        )

    def __hash__(self) -> int:
        return hash((id(self._multisync), *map(id, self.args)))

    def __repr__(self) -> str:
        target = f" of {_bare_repr(self.args[0])}" if self.args else ""
        return f"<bound multisync {self._multisync._display_name()}{target}>"

    def __reduce__(self) -> tuple[Any, ...]:
        pair = self._multisync
        target = self.args[0] if self.args else pair._owner
        return getattr, (target, pair._name)


class _InstanceDoc:
    """`__doc__` of a bound pair is its function's docstring, as for bound methods."""

    def __init__(self, class_doc: str | None) -> None:
        self.class_doc = class_doc

    def __get__(self, instance: BoundMultisync[Any, Any] | None, owner: type) -> str | None:
        if instance is None:
            return self.class_doc
        return instance._multisync.__doc__


BoundMultisync.__doc__ = _InstanceDoc(BoundMultisync.__doc__)  # type: ignore[assignment]  # pyright: ignore[reportAttributeAccessIssue]


if TYPE_CHECKING:
    import builtins

    # Only the mypy plugin uses this class (and `function` is final for everyone else).

    class MultisyncFunction(builtins.function, BoundMultisync[..., Any]):  # type: ignore[misc]  # pyright: ignore[reportGeneralTypeIssues]
        """What mypy sees behind a plain method that the override rule makes a pair.

        Only the mypy plugin uses this class: it makes it the fallback type of methods
        such as `Model.save` and of plain overrides of a multisync method, so that
        `obj.save.a` resolves (mypy looks up attributes of a callable on its
        fallback) and the override counts as a `BoundMultisync`. The plugin types
        `a` from the method's own signature.
        """

        # A Var, not a method: mypy calls attribute hooks for Vars only.
        a: AsyncHalf[..., Any]  # pyright: ignore[reportIncompatibleMethodOverride]


# --- a method replaced on its class ---------------------------------------------------


def replaced_method(
    owner: type | None, name: str, args: tuple[Any, ...]
) -> Callable[..., Any] | None:
    """The sync spelling that replaced the pair `owner.<name>` on the instance's class.

    A class attribute replaced after the class was built (`mock.patch.object(
    Question, "save")`) is what `obj.m()` runs now; a derived async half runs it too,
    as Django's `asave()` runs whatever `self.save` is. None when nothing replaced it.
    """
    receiver: object = args[0] if args else None
    if receiver is None or owner is None or not isinstance(receiver, owner):
        return None
    current: object = getattr(type(receiver), name, None)
    if current is None or isinstance(current, _Pair):
        return None
    return cast("Callable[..., Any]", getattr(receiver, name))


def derive_async_method(owner: type, name: str, sync_fn: Callable[..., Any]) -> AsyncFn:
    """The async half that the pair `owner.<name>` would derive from `sync_fn`.

    For an integration whose async half wraps the derived one (the Django layer's
    `save`): it runs a method that replaced the pair on its class, as pairs do.
    """
    return derive_async(
        sync_fn,
        async_name(sync_fn.__name__),
        async_name(sync_fn.__qualname__),
        functools.partial(replaced_method, owner, name),
    )


# --- construction -------------------------------------------------------------------

_CLASS_FOR_KIND: dict[str, type[_Pair]] = {
    "function": Multisync,
    "classmethod": MultisyncClassmethod,
    "staticmethod": MultisyncStaticmethod,
}


def create_pair(
    sync_obj: object | None, async_obj: object | None, traits: Traits = NO_TRAITS
) -> _Pair:
    """Check the halves the user wrote and build the pair of their kind."""
    __tracebackhide__ = True
    if sync_obj is not None:
        check_is_sync(sync_obj, where="@multisync")
    if async_obj is not None:
        check_is_async(async_obj, where="@multisync")
    if sync_obj is not None and async_obj is not None:
        check_same_shape(sync_obj, async_obj)
    cls = _CLASS_FOR_KIND[kind_name(sync_obj if sync_obj is not None else async_obj)]
    return cls._make(
        unwrap(sync_obj) if sync_obj is not None else None,
        unwrap(async_obj) if async_obj is not None else None,
        traits,
    )
