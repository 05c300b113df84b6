"""The `@multisync` primitive: one name, two halves.

`@multisync` turns a function into a descriptor that holds a sync half and an async
half:

    f(...)              -> the sync half
    await f.a(...)      -> the async half
    await obj.f_async() -> the async half, installed on the class as `f_async`

Whichever half the user did not write is derived from the other (see `_adapters`).

Binding keeps the sync call in C. `obj.m` is a `functools.partial` subclass holding
the sync half and the instance, so `obj.m(...)` calls the user's function with no
Python frame in between: Django's `warnings.warn(..., stacklevel=2)` keeps pointing
at the caller, and a call costs about a third of a `wrapt.FunctionWrapper` call. As
in wrapt, classmethods and staticmethods bind the way the wrapped object would.

The override rule (never skip an override) is applied when subclasses are created.
The first class that owns a multisync name gets an `__init_subclass__` hook. For each
subclass and each multisync name, the hook finds the nearest class in the MRO whose
own body spells the name (`m`, `m_async`, or an extra async spelling such as Django's
`asave`). If that class wrote plain functions, the hook builds a pair from them and
installs it on the subclass. A pair only ever calls its own class's halves, never
`getattr(self, ...)`, which is why `super()` chains across spellings terminate.
"""

# The descriptor classes and the functions beside them form one unit that shares state
# (ruff's SLF001 is off here for the same reason).
# pyright: reportPrivateUsage=false

from __future__ import annotations

import functools
import inspect
import re
import weakref
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from types import MethodType
from typing import TYPE_CHECKING, Any, ClassVar, Concatenate, Generic, Self, cast, overload

from multisync._adapters import derive_async, derive_sync, is_async_callable
from multisync._typing import P2, R2, AsyncHalf, P, R, T
from multisync.exceptions import DecoratorMisuseError, HalvesMismatchError

__all__ = [
    "BoundMultisync",
    "Multisync",
    "MultisyncClassmethod",
    "MultisyncStaticmethod",
    "Traits",
    "apply_override_rule",
    "install",
    "multisync",
]

AsyncFn = Callable[..., Coroutine[Any, Any, Any]]


@dataclass(frozen=True)
class Traits:
    """What a multisync name passes on to the pairs that override it in subclasses.

    `extra_async_names` are async spellings beyond `m_async` (Django's `asave`);
    `async_factory` builds an async half from a sync half, for names whose async half
    must do more than run the sync half in a thread (QuerySet methods that return a
    queryset return it evaluated).
    """

    extra_async_names: tuple[str, ...] = ()
    async_factory: Callable[[Callable[..., Any]], AsyncFn] | None = None

    def merged_over(self, parent: Traits) -> Traits:
        """These traits, completed by the parent's."""
        extras = tuple(dict.fromkeys((*parent.extra_async_names, *self.extra_async_names)))
        return Traits(extras, self.async_factory or parent.async_factory)


_NO_TRAITS = Traits()

if TYPE_CHECKING:

    class _CCall:
        """What type checkers see of `functools.partial`, the runtime base."""

        func: Callable[..., Any]
        args: tuple[Any, ...]

        def __new__(cls, func: Callable[..., Any], /, *args: Any) -> Self: ...

else:
    # A partial subclass is constructed and called in C; see the module docstring.
    _CCall = functools.partial


# --- inspecting what the user wrote -------------------------------------------------


def _unwrap(obj: object) -> Any:
    """The function inside a classmethod/staticmethod, or `obj` itself."""
    if isinstance(obj, (classmethod, staticmethod)):
        wrapper = cast("classmethod[Any, ..., Any] | staticmethod[..., Any]", obj)
        return wrapper.__func__
    return obj


def _kind_name(obj: object) -> str:
    if isinstance(obj, classmethod):
        return "classmethod"
    return "staticmethod" if isinstance(obj, staticmethod) else "function"


def _describe(obj: object) -> str:
    """Name what the user wrote: `def Question.save`, `async def Question.save_async`."""
    fn = _unwrap(obj)
    qualname = getattr(fn, "__qualname__", None)
    if not isinstance(qualname, str):
        return f"a {type(obj).__name__} object"
    return f"`{'async def' if is_async_callable(fn) else 'def'} {qualname}`"


def _check_half(obj: object, *, where: str) -> None:
    """Reject what cannot be a half: multisyncs, classes, properties, non-callables."""
    __tracebackhide__ = True
    fn = _unwrap(obj)
    if isinstance(fn, _Pair):
        msg = (
            f"{where} got `{fn.__qualname__}`, which is already a multisync; apply @multisync once."
        )
        raise DecoratorMisuseError(msg)
    if isinstance(fn, type) or not callable(fn):
        msg = (
            f"{where} needs a function, an async function, a classmethod or a "
            f"staticmethod, got a {type(obj).__name__} object."
        )
        raise DecoratorMisuseError(msg)


def _check_is_async(obj: object, *, where: str) -> None:
    __tracebackhide__ = True
    _check_half(obj, where=where)
    if not is_async_callable(obj):
        msg = f"{where} needs an async function, got {_describe(obj)}; define it with `async def`."
        raise DecoratorMisuseError(msg)


def _check_is_sync(obj: object, *, where: str) -> None:
    __tracebackhide__ = True
    _check_half(obj, where=where)
    if is_async_callable(obj):
        msg = f"{where} needs a sync function first, got {_describe(obj)}."
        raise DecoratorMisuseError(msg)


def _parameters(fn: Callable[..., Any]) -> inspect.Signature | None:
    """The parameters of `fn` without annotations, or None if it has no signature."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    params = [p.replace(annotation=inspect.Parameter.empty) for p in sig.parameters.values()]
    return sig.replace(parameters=params, return_annotation=inspect.Signature.empty)


def _check_same_shape(sync_obj: object, async_obj: object) -> None:
    """Both halves must be the same kind of callable and take the same parameters."""
    __tracebackhide__ = True
    sync_kind, async_kind = _kind_name(sync_obj), _kind_name(async_obj)
    if sync_kind != async_kind:
        msg = (
            f"The halves {_describe(sync_obj)} and {_describe(async_obj)} must be the "
            f"same kind of callable, but one is a {sync_kind} and the other a "
            f"{async_kind}; decorate both the same way."
        )
        raise DecoratorMisuseError(msg)
    sync_fn, async_fn = _unwrap(sync_obj), _unwrap(async_obj)
    sync_sig, async_sig = _parameters(sync_fn), _parameters(async_fn)
    if sync_sig is None or async_sig is None or sync_sig == async_sig:
        return
    sync_name, async_name = sync_fn.__qualname__, async_fn.__qualname__
    msg = (
        f"The halves `{sync_name}` and `{async_name}` must take the same parameters, "
        f"but `{sync_name}{sync_sig}` differs from `{async_name}{async_sig}`."
    )
    raise HalvesMismatchError(msg)


def _snake_case(name: str) -> str:
    """`ChoiceTag` -> `choice_tag`: the variable name a user gives an instance."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def _bare_repr(obj: object) -> str:
    """A repr that cannot run user code (a model's `__str__` may query)."""
    return f"<{type(obj).__qualname__} object at {id(obj):#x}>"


# --- the descriptors ----------------------------------------------------------------


class _Pair(_CCall):
    """State and behaviour shared by the three kinds of multisync descriptor.

    The partial's `func` is the sync half, so calling the descriptor itself
    (`f(...)`, `Question.save(question)`) runs the sync half in C.
    """

    __name__: str
    __qualname__: str
    __wrapped__: Callable[..., Any]  # set by `functools.update_wrapper`
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
        traits: Traits = _NO_TRAITS,
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
            f"{sync_fn.__name__}_async",
            f"{sync_fn.__qualname__}_async",
            replacement if self._binds_instance else None,
        )

    def _wrap(self, fn: Callable[..., Any]) -> Any:
        """Wrap a raw half the way this kind is stored on a class."""
        return fn

    # The sync half is this partial's `func`; the async half is `.a`.
    @property
    def a(self) -> AsyncFn:
        """The async half (unbound when read from the class)."""
        return self._async_fn

    @property
    def async_names(self) -> tuple[str, ...]:
        """Every async spelling of this name: `m_async` plus extras such as `asave`."""
        return (f"{self._name}_async", *self._traits.extra_async_names)

    def __set_name__(self, owner: type, name: str) -> None:
        __tracebackhide__ = True
        if self._owner is not None:  # the same object assigned under a second name
            return
        self._attach(owner, name)
        # Python 3.11 wraps any exception raised here in a RuntimeError. When the
        # override hook is about to run for `owner` (it runs right after this), let it
        # finish the job so a mismatch surfaces as the TypeError it is.
        if _hook_runs_for(owner):
            self._finished = False
        else:
            self._finish(owner)

    def _attach(self, owner: type, name: str) -> None:
        """Record where the pair lives and inherit extra spellings from the parent."""
        self._owner, self._name = owner, name
        parent = _nearest_pair(owner, name)
        if parent is not None:
            traits = self._traits.merged_over(parent._traits)
            if traits.async_factory is not self._traits.async_factory and not self._async_written:
                self._async_fn = self._derive_async(self.func, traits)
            self._traits = traits
        _register(owner, name)

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
            if obj is None or spelling in self._installed or _unwrap(obj) is self._async_fn:
                continue
            name = f"{owner.__qualname__}.{self._name}"
            where = f"`{owner.__qualname__}.{spelling}`, the async spelling of `{name}`,"
            if not is_async_callable(obj):
                msg = f"{where} must be an async function, got {_describe(obj)}."
                raise DecoratorMisuseError(msg)
            if self._async_written:
                msg = (
                    f"{where} defines a second async half beside "
                    f"`{self._async_fn.__qualname__}`; keep one of them."
                )
                raise DecoratorMisuseError(msg)
            _check_same_shape(self._wrap(self.func), obj)
            self._async_fn, self._async_written = _unwrap(obj), True

    def _register_async_half(self, fn: object) -> None:
        """Take `fn` as the async half (`@m.async_`), in the class body only."""
        __tracebackhide__ = True
        where = f"@{self.__name__}.async_"
        _check_is_async(fn, where=where)
        if self._owner is not None:
            msg = f"{where} must be used in the class body of `{self._display_name()}`."
            raise DecoratorMisuseError(msg)
        if self._async_written:
            msg = (
                f"{where} got {_describe(fn)}, but `{self.__qualname__}` already has "
                f"its async half `{self._async_fn.__qualname__}`."
            )
            raise DecoratorMisuseError(msg)
        _check_same_shape(self._wrap(self.func), fn)
        self._async_fn, self._async_written = _unwrap(fn), True

    def _replacement_for(self, args: tuple[Any, ...]) -> Callable[..., Any] | None:
        """The sync spelling that replaced this pair on the instance's class, if any.

        A class attribute replaced after the class was built (`mock.patch.object(
        Question, "save")`) is what `obj.m()` runs now; the derived async half runs it
        too, as Django's `asave()` runs whatever `self.save` is.
        """
        owner = self._owner
        receiver: object = args[0] if args else None
        if receiver is None or owner is None or not isinstance(receiver, owner):
            return None
        current: object = getattr(type(receiver), self._name, None)
        if current is None or isinstance(current, _Pair):
            return None
        return cast("Callable[..., Any]", getattr(args[0], self._name))

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

        def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R: ...

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
        variable = _snake_case(cls_name.rpartition(".")[2])
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

        def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R: ...

        @property
        def a(self) -> AsyncHalf[P, R]:
            """The async half, bound."""
            ...

    else:

        @property
        def a(self) -> AsyncFn:
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


# --- the override rule --------------------------------------------------------------

# Multisync names defined by each class, in definition order.
_NAMES: weakref.WeakKeyDictionary[type, list[str]] = weakref.WeakKeyDictionary()


def _register(owner: type, name: str) -> None:
    names = _NAMES.setdefault(owner, [])
    if name not in names:
        names.append(name)
    _ensure_override_hook(owner)


def _nearest_pair(cls: type, name: str) -> _Pair | None:
    """The pair that `cls` inherits for `name` from a registered ancestor."""
    for klass in cls.__mro__[1:]:
        if name in _NAMES.get(klass, ()):
            pair = vars(klass)[name]
            return pair if isinstance(pair, _Pair) else None
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


def _hook_runs_for(owner: type) -> bool:
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
        template = _nearest_pair(cls, name)
        if template is None:
            continue
        spellings = (name, *template.async_names)
        definer = next((k for k in cls.__mro__ if any(s in vars(k) for s in spellings)), None)
        if definer is None:
            continue
        current = vars(definer).get(name)
        if isinstance(current, _Pair) and current._owner is definer:
            current._refresh(definer)
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


def _unfinished_pairs(cls: type) -> list[_Pair]:
    return [
        value
        for value in vars(cls).values()
        if isinstance(value, _Pair) and value._owner is cls and not value._finished
    ]


def _pair_from_body(definer: type, name: str, template: _Pair) -> _Pair:
    """Build the pair that the plain functions in `definer`'s body spell."""
    __tracebackhide__ = True
    body = vars(definer)
    written = body.get(name)
    if isinstance(written, _Pair):  # a pair copied from another class
        return _create(
            written._wrap(written.func) if written._sync_written else None,
            written._wrap(written._async_fn) if written._async_written else None,
            template._traits,
        )
    halves = [(s, body[s]) for s in template.async_names if s in body]
    if written is not None and is_async_callable(written):
        halves.insert(0, (name, written))
        written = None
    first_spelling, async_half = halves[0] if halves else (name, None)
    for spelling, other in halves[1:]:
        if _unwrap(other) is not _unwrap(async_half):
            msg = (
                f"`{definer.__qualname__}` defines two async halves for `{name}`: "
                f"`{first_spelling}` and `{spelling}`; keep one of them, the other "
                "spellings run it."
            )
            raise DecoratorMisuseError(msg)
    return _create(written, async_half, template._traits)


# --- construction -------------------------------------------------------------------

_CLASS_FOR_KIND: dict[str, type[_Pair]] = {
    "function": Multisync,
    "classmethod": MultisyncClassmethod,
    "staticmethod": MultisyncStaticmethod,
}


def _create(
    sync_obj: object | None, async_obj: object | None, traits: Traits = _NO_TRAITS
) -> _Pair:
    __tracebackhide__ = True
    if sync_obj is not None:
        _check_is_sync(sync_obj, where="@multisync")
    if async_obj is not None:
        _check_is_async(async_obj, where="@multisync")
    if sync_obj is not None and async_obj is not None:
        _check_same_shape(sync_obj, async_obj)
    cls = _CLASS_FOR_KIND[_kind_name(sync_obj if sync_obj is not None else async_obj)]
    return cls._make(
        _unwrap(sync_obj) if sync_obj is not None else None,
        _unwrap(async_obj) if async_obj is not None else None,
        traits,
    )


def install(
    owner: type,
    name: str,
    sync_fn: Callable[..., Any] | None,
    async_fn: AsyncFn | None,
    traits: Traits = _NO_TRAITS,
) -> _Pair:
    """Install a pair on an existing class, replacing every spelling it had.

    For integrations (the Django layer uses it on `Model.save`): unlike a class body,
    the existing `m_async`/extra spellings are overwritten, not adopted.
    """
    __tracebackhide__ = True
    pair = _create(sync_fn, async_fn, traits)
    setattr(owner, name, pair)
    pair._attach(owner, name)
    for spelling in pair.async_names:
        setattr(owner, spelling, pair._wrap(pair._async_fn))
        pair._installed.add(spelling)
    return pair


# classmethod and staticmethod objects are callable too, so mypy sees these overloads
# overlap the function ones; they come first, so they win for those objects.
@overload
def multisync(fn: classmethod[Any, P, Coroutine[Any, Any, R]], /) -> MultisyncClassmethod[P, R]: ...
@overload
def multisync(fn: classmethod[Any, P, R], /) -> MultisyncClassmethod[P, R]: ...
@overload
def multisync(fn: staticmethod[P, Coroutine[Any, Any, R]], /) -> MultisyncStaticmethod[P, R]: ...  # type: ignore[overload-overlap]  # pyright: ignore[reportOverlappingOverload]
@overload
def multisync(fn: staticmethod[P, R], /) -> MultisyncStaticmethod[P, R]: ...  # type: ignore[overload-overlap]
@overload
def multisync(fn: Callable[P, Coroutine[Any, Any, R]], /) -> Multisync[P, R]: ...
@overload
def multisync(fn: Callable[P, R], /) -> Multisync[P, R]: ...
@overload
def multisync(
    sync_fn: Callable[P, R], async_fn: Callable[P, Coroutine[Any, Any, R]], /
) -> Multisync[P, R]: ...
def multisync(fn: Any, async_fn: Any = None, /) -> Any:
    """Pair a sync and an async implementation under one name.

    Written on a `def`, the async half runs it in asgiref's thread-sensitive
    executor; written on an `async def`, the sync half runs it with
    `async_to_sync`. `@f.async_` adds a hand-written async half, and
    `multisync(sync_fn, async_fn)` pairs two existing functions.

    ```python
    from multisync import multisync

    @multisync
    def total(numbers: list[int]) -> int:
        return sum(numbers)

    total([1, 2])               # 3, the sync half
    await total.a([1, 2])       # 3, the async half
    ```

    Put `@multisync` above `@classmethod` or `@staticmethod`.

    Raises:
        DecoratorMisuseError: `fn` is not a function, coroutine function,
            classmethod or staticmethod, or the two halves are of different kinds.
        HalvesMismatchError: the two halves take different parameters.

    !!! note "Added in 0.1"
    """
    __tracebackhide__ = True
    if async_fn is None:
        _check_half(fn, where="@multisync")
        return _create(None, fn) if is_async_callable(fn) else _create(fn, None)
    _check_is_sync(fn, where="multisync(sync_fn, async_fn)")
    _check_is_async(async_fn, where="multisync(sync_fn, async_fn)")
    return _create(fn, async_fn)
