"""Errors: exact messages, classes users already catch, tracebacks at the user's line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from multisync import (
    DecoratorMisuseError,
    HalvesMismatchError,
    MultisyncError,
    SyncCallInEventLoopError,
    multisync,
)

DOCS = "https://multisync.readthedocs.io/en/latest/errors/"


def visible_frames(excinfo: pytest.ExceptionInfo[BaseException]) -> list[tuple[Path, str]]:
    """The traceback entries a user sees: frames without `__tracebackhide__`."""
    return [(Path(e.path), e.name) for e in excinfo.traceback.filter(excinfo)]


class BoomError(Exception):
    """An exception from user code."""


# --- error classes --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "builtin", "code"),
    [
        (DecoratorMisuseError, TypeError, "ms-decorator-misuse"),
        (HalvesMismatchError, TypeError, "ms-halves-mismatch"),
        (SyncCallInEventLoopError, RuntimeError, "ms-sync-call-in-loop"),
    ],
)
def test_error_class_subclasses_builtin_and_base(
    error: type[MultisyncError], builtin: type[Exception], code: str
) -> None:
    """Each error is a `MultisyncError` and the built-in exception users already catch."""
    assert issubclass(error, MultisyncError)
    assert issubclass(error, builtin)
    assert error.code == code


def test_error_str_ends_with_docs_anchor() -> None:
    """`str(error)` ends with the link to the error's section of the docs."""
    assert str(HalvesMismatchError("Broken.")) == f"Broken. (See {DOCS}#ms-halves-mismatch)"


# --- definition-time errors -----------------------------------------------------------


def test_multisync_on_property_raises_decorator_misuse() -> None:
    """`@multisync` on a property names what it needs and what it got."""
    with pytest.raises(DecoratorMisuseError) as exc:
        multisync(property(lambda _: 1))  # type: ignore[call-overload]
    assert exc.value.args == (
        (
            "@multisync needs a function, an async function, a classmethod or a staticmethod,"
            " got a property object."
        ),
    )


def test_multisync_on_int_names_it_with_an() -> None:
    """`@multisync` on an int says "got an int object"."""
    with pytest.raises(DecoratorMisuseError) as exc:
        multisync(1)  # type: ignore[call-overload]
    assert exc.value.args == (
        (
            "@multisync needs a function, an async function, a classmethod or a staticmethod,"
            " got an int object."
        ),
    )


def test_multisync_on_class_raises_decorator_misuse() -> None:
    """`@multisync` on a class is rejected."""
    with pytest.raises(DecoratorMisuseError) as exc:
        multisync(BoomError)
    assert exc.value.args == (
        (
            "@multisync needs a function, an async function, a classmethod or a staticmethod,"
            " got a type object."
        ),
    )


def test_multisync_twice_raises_decorator_misuse() -> None:
    """Applying `@multisync` to a multisync names the function and says to apply it once."""

    @multisync
    def once() -> None: ...

    with pytest.raises(DecoratorMisuseError) as exc:
        multisync(once)  # a pair is callable: only the runtime refuses it
    assert exc.value.args == (
        (
            "@multisync got `test_multisync_twice_raises_decorator_misuse.<locals>.once`, which is"
            " already a multisync; apply @multisync once."
        ),
    )


def test_async_decorator_on_sync_function_raises_decorator_misuse() -> None:
    """`@f.async_` on a `def` asks for an `async def`."""

    @multisync
    def read() -> None: ...

    def read_async() -> None: ...

    with pytest.raises(DecoratorMisuseError) as exc:
        read.async_(read_async)  # type: ignore[arg-type]
    assert exc.value.args == (
        (
            "@read.async_ needs an async function, got `def test_async_decorator_on_sync_function"
            "_raises_decorator_misuse.<locals>.read_async`; define it with `async def`."
        ),
    )


def test_async_decorator_when_async_half_written_raises_decorator_misuse() -> None:
    """`@f.async_` on a pair whose async half was written already is rejected."""

    @multisync
    async def read() -> None: ...

    async def read_async() -> None: ...

    with pytest.raises(DecoratorMisuseError) as exc:
        read.async_(read_async)
    where = "test_async_decorator_when_async_half_written_raises_decorator_misuse.<locals>"
    assert exc.value.args == (
        (
            f"@read.async_ got `async def {where}.read_async`, but `{where}.read` already has"
            f" its async half `{where}.read`."
        ),
    )


def test_async_decorator_after_class_creation_raises_decorator_misuse() -> None:
    """`@Cls.m.async_` outside the class body is rejected: the class is already built."""

    class Late:
        @multisync
        def read(self) -> None: ...

    async def read_async(self: Late) -> None: ...

    with pytest.raises(DecoratorMisuseError) as exc:
        Late.read.async_(read_async)
    assert exc.value.args == (
        (
            "@read.async_ must be used in the class body of `test_async_decorator_after_class"
            "_creation_raises_decorator_misuse.<locals>.Late.read`."
        ),
    )


def test_two_argument_form_with_async_first_raises_decorator_misuse() -> None:
    """`multisync(async_fn, async_fn)` says the sync half comes first."""

    async def one() -> None: ...

    with pytest.raises(DecoratorMisuseError) as exc:
        multisync(one, one)
    assert exc.value.args == (
        (
            "multisync(sync_fn, async_fn) needs a sync function first, got `async def test_two"
            "_argument_form_with_async_first_raises_decorator_misuse.<locals>.one`."
        ),
    )


def test_two_argument_form_with_kind_mismatch_raises_decorator_misuse() -> None:
    """A classmethod sync half cannot pair with a plain async function."""

    def make(cls: type) -> None: ...

    async def make_async(cls: type) -> None: ...

    with pytest.raises(DecoratorMisuseError) as exc:
        multisync(classmethod(make), make_async)  # type: ignore[call-overload]
    where = "test_two_argument_form_with_kind_mismatch_raises_decorator_misuse.<locals>"
    assert exc.value.args == (
        (
            f"The halves `def {where}.make` and `async def {where}.make_async` must be the same"
            " kind of callable, but one is a classmethod and the other a function; decorate both"
            " the same way."
        ),
    )


def test_halves_mismatch_names_both_halves_and_their_parameters() -> None:
    """A parameter mismatch names both halves with their signatures."""

    def read(x: int) -> None: ...

    async def aread(x: int, y: int = 0) -> None: ...

    with pytest.raises(HalvesMismatchError) as exc:
        multisync(read, aread)  # mypy unifies the halves; the runtime refuses them
    where = "test_halves_mismatch_names_both_halves_and_their_parameters.<locals>"
    assert exc.value.args == (
        (
            f"The halves `{where}.read` and `{where}.aread` must take the same parameters, but"
            f" `{where}.read(x)` differs from `{where}.aread(x, y=0)`."
        ),
    )


def test_halves_with_same_parameters_but_other_annotations_pair() -> None:
    """Annotations are not parameters: halves that differ only in them pair fine."""

    def read(x: int) -> int:
        return x

    async def aread(x: Any) -> int:
        return x  # type: ignore[no-any-return]

    assert multisync(read, aread)(3) == 3


def test_decorator_misuse_traceback_ends_in_user_file() -> None:
    """The last visible frame of a misuse error is the user's line."""
    with pytest.raises(DecoratorMisuseError) as exc:
        multisync(1)  # type: ignore[call-overload]
    assert visible_frames(exc)[-1] == (
        Path(__file__),
        "test_decorator_misuse_traceback_ends_in_user_file",
    )


def test_halves_mismatch_traceback_ends_in_user_file() -> None:
    """The last visible frame of a mismatch error is the user's class statement."""
    with pytest.raises(HalvesMismatchError) as exc:

        class Broken:
            @multisync
            def read(self) -> None: ...

            @read.async_  # type: ignore[arg-type]
            async def read_async(self, x: int) -> None: ...

    assert visible_frames(exc)[-1][0] == Path(__file__)


# --- SyncCallInEventLoopError ---------------------------------------------------------


@multisync
async def fetch() -> int:
    return 1


class Question:
    @multisync
    async def fetch(self) -> int:
        return 1

    @multisync
    @classmethod
    async def build(cls) -> int:
        return 1


class ChoiceTag(Question):
    pass


async def test_derived_sync_call_in_loop_on_function_says_await_a() -> None:
    """Calling a derived sync half in a loop tells the user to `await f.a(...)`."""
    with pytest.raises(SyncCallInEventLoopError) as exc:
        fetch()
    assert exc.value.args == (
        (
            "`fetch()` cannot run synchronously while an event loop is running in this thread:"
            " its sync half is derived from an async function and would block the loop."
            " Use `await fetch.a(...)` instead."
        ),
    )


async def test_derived_sync_call_in_loop_on_method_names_instance_spelling() -> None:
    """On a method, the message names the instance's class and a variable for it."""
    with pytest.raises(SyncCallInEventLoopError) as exc:
        ChoiceTag().fetch()
    assert exc.value.args[0].startswith("`ChoiceTag.fetch()` cannot run synchronously")
    assert exc.value.args[0].endswith("Use `await choice_tag.fetch.a(...)` instead.")


async def test_derived_sync_call_in_loop_on_classmethod_names_class_spelling() -> None:
    """On a classmethod, the message names `await Cls.m.a(...)`."""
    with pytest.raises(SyncCallInEventLoopError) as exc:
        Question.build()
    assert exc.value.args[0].startswith("`Question.build()` cannot run synchronously")
    assert exc.value.args[0].endswith("Use `await Question.build.a(...)` instead.")


async def test_derived_sync_call_in_loop_traceback_ends_in_user_file() -> None:
    """The last visible frame of the error is the user's call."""
    with pytest.raises(SyncCallInEventLoopError) as exc:
        fetch()
    assert visible_frames(exc)[-1] == (
        Path(__file__),
        "test_derived_sync_call_in_loop_traceback_ends_in_user_file",
    )


def test_derived_sync_call_outside_loop_runs() -> None:
    """Without a running loop, the derived sync half runs (the negative of the above)."""
    assert ChoiceTag().fetch() == 1


async def test_written_sync_half_runs_inside_loop() -> None:
    """A written sync half is the user's own function and runs even inside a loop."""

    @multisync
    def plain() -> int:
        return 2

    assert plain() == 2


# --- exceptions from halves propagate unchanged ---------------------------------------

raised: list[BoomError] = []


@multisync
def fails() -> None:
    error = BoomError("from user code")
    raised.append(error)
    raise error


@multisync
async def fails_async() -> None:
    error = BoomError("from user code")
    raised.append(error)
    raise error


def test_exception_from_written_sync_half_propagates_unchanged() -> None:
    """The user's exception object reaches the caller, raised in the user's function."""
    with pytest.raises(BoomError) as exc:
        fails()
    assert exc.value is raised[-1]
    assert visible_frames(exc)[-1] == (Path(__file__), "fails")


async def test_exception_from_derived_async_half_propagates_unchanged() -> None:
    """Through the thread hop of a derived async half, the same exception arrives."""
    with pytest.raises(BoomError) as exc:
        await fails.a()
    assert exc.value is raised[-1]
    assert visible_frames(exc)[-1] == (Path(__file__), "fails")


async def test_exception_from_written_async_half_propagates_unchanged() -> None:
    """A written async half raises straight into the awaiting code."""
    with pytest.raises(BoomError) as exc:
        await fails_async.a()
    assert exc.value is raised[-1]
    assert visible_frames(exc)[-1] == (Path(__file__), "fails_async")


def test_exception_from_derived_sync_half_propagates_unchanged() -> None:
    """Through `async_to_sync` of a derived sync half, the same exception arrives."""
    with pytest.raises(BoomError) as exc:
        fails_async()
    assert exc.value is raised[-1]
    assert visible_frames(exc)[-1] == (Path(__file__), "fails_async")
