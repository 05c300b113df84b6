"""Type variables and the Django-free types shared by the core, Django layer and plugin.

The mypy plugin (`multisync.mypy`) gives Django's `Model` its `a` namespace and its
`save_async` spellings while mypy is still analysing Django's own stubs, using the
classes below. So this module must never import Django, nor anything that does: mypy
would then meet an import cycle that runs through `Model` itself.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, Protocol, Self, TypeVar, overload

if TYPE_CHECKING:
    from collections.abc import Coroutine

__all__ = [
    "P2",
    "R2",
    "AsyncHalf",
    "AsyncRelations",
    "AsyncRelationsAccessor",
    "M",
    "P",
    "R",
    "T",
]

P = ParamSpec("P")
P2 = ParamSpec("P2")
R = TypeVar("R")
R2 = TypeVar("R2")
T = TypeVar("T")
# The model of an `AsyncRelations` namespace. Unbound here: bounding it by `Model`
# would import Django.
M = TypeVar("M")
_R_co = TypeVar("_R_co", covariant=True)


class AsyncHalf(Protocol[P, _R_co]):
    """The async half of a multisync: what `f.a`, `obj.m.a` and `obj.m_async` are.

    Calling it takes the sync half's parameters and returns a coroutine of the sync
    half's result: `await obj.save.a()` is `None` where `obj.save()` is.

    !!! note "Added in 0.1"
    """

    __name__: str
    __qualname__: str

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> Coroutine[Any, Any, _R_co]:
        """Start the async half: a coroutine of the sync half's result."""
        ...


class AsyncRelations(Generic[M]):
    """What `obj.a` gives: `await obj.a.<name>` loads a relation or field.

    One subclass per model carries a property per relation and field, built the first
    time `obj.a` is used on an instance of that model. Unknown names raise an
    `AttributeError` naming the model and the close matches.

    With the `multisync.mypy` plugin, mypy types each relation (`await choice.a.question`
    is a `Question`) and reports unknown names; other checkers see every name as
    `Coroutine[Any, Any, Any]`.

    !!! note "Added in 0.1"
    """

    __slots__ = ("_instance",)
    _instance: M

    if TYPE_CHECKING:
        # Permissive for checkers without the multisync mypy plugin (pyright); with it,
        # mypy asks the plugin about every name read here.
        def __getattr__(self, name: str) -> Coroutine[Any, Any, Any]: ...

    else:

        def __getattr__(self, name: str) -> Any:
            model = type(self._instance)
            names = sorted(type(self).__dict__["_names"])
            close = difflib.get_close_matches(name, names, n=3)
            hint = (
                f" Did you mean {', '.join(f'`{c}`' for c in close)}?"
                if close
                else f" It has: {', '.join(f'`{n}`' for n in names)}."
            )
            msg = f"`{model.__name__}.a` has no relation or field named `{name}`.{hint}"
            raise AttributeError(msg, name=name, obj=self)

    def __dir__(self) -> list[str]:
        return sorted(type(self).__dict__["_names"])

    def __repr__(self) -> str:
        instance = self._instance
        return f"<async relations of <{type(instance).__qualname__} object at {id(instance):#x}>>"


class AsyncRelationsAccessor(Protocol):
    """The type of `Model.a`: on an instance it gives that instance's `AsyncRelations`.

    !!! note "Added in 0.1"
    """

    @overload
    def __get__(self, instance: None, owner: type[Any], /) -> Self: ...
    @overload
    def __get__(self, instance: T, owner: type[Any] | None = None, /) -> AsyncRelations[T]: ...
