"""A multisync keeps the metadata of what it decorates (DESIGN 1)."""

from __future__ import annotations

import inspect

from multisync import multisync


def written(x: int, *, flag: bool = False) -> int:
    """Return x."""
    return x


async def written_async(x: int, *, flag: bool = False) -> int:
    """Return x, asynchronously."""
    return x


pair = multisync(written)
async_pair = multisync(written_async)


def test_metadata_name_kept() -> None:
    """`__name__` is the decorated function's."""
    assert (pair.__name__, async_pair.__name__) == ("written", "written_async")


def test_metadata_qualname_kept() -> None:
    """`__qualname__` is the decorated function's."""
    assert pair.__qualname__ == "written"


def test_metadata_doc_kept() -> None:
    """`__doc__` is the decorated function's."""
    assert (pair.__doc__, async_pair.__doc__) == ("Return x.", "Return x, asynchronously.")


def test_metadata_module_kept() -> None:
    """`__module__` is the decorated function's."""
    assert pair.__module__ == __name__


def test_metadata_wrapped_is_decorated_function() -> None:
    """`__wrapped__` is the function the user wrote."""
    assert (pair.__wrapped__, async_pair.__wrapped__) == (written, written_async)


def test_metadata_signature_kept() -> None:
    """`inspect.signature` reports the decorated function's parameters."""
    assert inspect.signature(pair) == inspect.signature(written)
    assert inspect.signature(async_pair) == inspect.signature(written_async)


def test_metadata_a_is_coroutine_function_for_both_forms() -> None:
    """`inspect.iscoroutinefunction(f.a)` holds whichever half was written."""
    assert inspect.iscoroutinefunction(pair.a)
    assert inspect.iscoroutinefunction(async_pair.a)


def test_metadata_sync_spelling_is_not_coroutine_function_for_both_forms() -> None:
    """`f` itself is never a coroutine function: calling it runs the sync half."""
    assert not inspect.iscoroutinefunction(pair)
    assert not inspect.iscoroutinefunction(async_pair)


def test_metadata_derived_async_sibling_named_after_method() -> None:
    """The derived async half installed as `m_async` is named `m_async`."""

    class Question:
        @multisync
        def publish(self) -> None: ...

    assert Question.publish_async.__name__ == "publish_async"
    assert Question.publish_async.__qualname__.endswith("Question.publish_async")
