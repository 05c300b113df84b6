"""Every spelling on functions, methods, classmethods and staticmethods (DESIGN 1)."""

from __future__ import annotations

import inspect
import pickle

from multisync import BoundMultisync, Multisync, multisync


@multisync
def shout(word: str) -> str:
    """Upper-case a word."""
    return word.upper()


@shout.async_
async def shout_async(word: str) -> str:
    return word.upper() + "!"


class Question:
    """A tiny stand-in for a model: the core tests never import Django."""

    def __init__(self, text: str) -> None:
        self.text = text

    @multisync
    def describe(self, suffix: str = "") -> str:
        """Describe the question."""
        return f"sync {self.text}{suffix}"

    @describe.async_
    async def describe_async(self, suffix: str = "") -> str:
        return f"async {self.text}{suffix}"

    @multisync
    def derived(self) -> str:
        return f"sync {self.text}"

    @multisync
    @classmethod
    def create(cls, text: str) -> Question:
        return cls(text)

    @multisync
    @staticmethod
    def clean(text: str) -> str:
        return text.strip()


class Poll(Question):
    """A subclass that overrides nothing."""


# --- module functions ---------------------------------------------------------------


def test_function_call_runs_sync_half() -> None:
    """`f(...)` on a module function runs the sync half."""
    assert shout("hi") == "HI"


async def test_function_a_runs_async_half() -> None:
    """`await f.a(...)` on a module function runs the async half."""
    assert await shout.a("hi") == "HI!"


async def test_function_async_name_is_the_async_half() -> None:
    """`@f.async_` leaves the async half under its own module-level name."""
    assert await shout_async("hi") == "HI!"


def test_function_pickles_by_reference() -> None:
    """A module-level multisync pickles by its qualified name, like a function."""
    assert pickle.loads(pickle.dumps(shout)) is shout


# --- instance methods ---------------------------------------------------------------


def test_method_call_runs_sync_half() -> None:
    """`obj.m(...)` runs the sync half bound to `obj`."""
    assert Question("q").describe("?") == "sync q?"


async def test_method_a_runs_async_half() -> None:
    """`await obj.m.a(...)` runs the async half bound to `obj`."""
    assert await Question("q").describe.a("?") == "async q?"


async def test_method_async_spelling_runs_async_half() -> None:
    """`await obj.m_async(...)` runs the async half bound to `obj`."""
    assert await Question("q").describe_async("?") == "async q?"


async def test_method_async_sibling_exists_when_only_sync_half_written() -> None:
    """A class gets `m_async` even when only `def m` was written."""
    assert await Question("q").derived_async() == "sync q"


def test_method_async_sibling_is_the_async_half() -> None:
    """The installed `m_async` is the same function as `Cls.m.a`."""
    assert Question.derived_async is Question.derived.a


def test_method_async_sibling_not_installed_over_class_body_name() -> None:
    """When the class body defines `m_async` itself, that definition stays."""
    assert vars(Question)["describe_async"] is Question.describe.a
    assert Question.describe_async.__qualname__ == "Question.describe_async"


def test_method_class_access_returns_descriptor() -> None:
    """`Cls.m` is the multisync descriptor itself."""
    assert isinstance(Question.describe, Multisync)


def test_method_class_call_with_instance_runs_sync_half() -> None:
    """`Cls.m(obj, ...)` runs the sync half on `obj`."""
    assert Question.describe(Question("q"), "!") == "sync q!"


async def test_method_class_a_with_instance_runs_async_half() -> None:
    """`await Cls.m.a(obj, ...)` runs the async half on `obj`."""
    assert await Question.describe.a(Question("q"), "!") == "async q!"


async def test_method_class_async_spelling_with_instance_runs_async_half() -> None:
    """`await Cls.m_async(obj, ...)` runs the async half on `obj`."""
    assert await Question.describe_async(Question("q"), "!") == "async q!"


def test_method_inherited_by_subclass_binds_subclass_instance() -> None:
    """A subclass that overrides nothing binds the inherited pair to its instances."""
    assert Poll("p").describe() == "sync p"


async def test_method_inherited_async_spelling_binds_subclass_instance() -> None:
    """A subclass that overrides nothing inherits `m_async` too."""
    assert await Poll("p").describe_async() == "async p"


# --- classmethods -------------------------------------------------------------------


def test_classmethod_call_on_class_binds_class() -> None:
    """`Cls.m(...)` on a multisync classmethod passes the class."""
    assert type(Poll.create("x")) is Poll


def test_classmethod_call_on_instance_binds_its_class() -> None:
    """`obj.m(...)` on a multisync classmethod passes `type(obj)`."""
    assert type(Poll("p").create("x")) is Poll


async def test_classmethod_a_binds_class() -> None:
    """`await Cls.m.a(...)` on a multisync classmethod passes the class."""
    created = await Poll.create.a("x")
    assert (type(created), created.text) == (Poll, "x")


async def test_classmethod_async_spelling_binds_class() -> None:
    """`await Cls.m_async(...)` is installed as a classmethod."""
    created = await Poll.create_async("x")
    assert (type(created), created.text) == (Poll, "x")


# --- staticmethods ------------------------------------------------------------------


def test_staticmethod_call_on_class_passes_no_receiver() -> None:
    """`Cls.m(...)` on a multisync staticmethod passes only the arguments."""
    assert Question.clean("  x ") == "x"


def test_staticmethod_call_on_instance_passes_no_receiver() -> None:
    """`obj.m(...)` on a multisync staticmethod passes only the arguments."""
    assert Question("q").clean("  x ") == "x"


async def test_staticmethod_a_passes_no_receiver() -> None:
    """`await obj.m.a(...)` on a multisync staticmethod passes only the arguments."""
    assert await Question("q").clean.a(" x ") == "x"


async def test_staticmethod_async_spelling_passes_no_receiver() -> None:
    """`await Cls.m_async(...)` is installed as a staticmethod."""
    assert await Question.clean_async(" x ") == "x"


# --- super() ------------------------------------------------------------------------


class Loud(Question):
    @multisync
    def describe(self, suffix: str = "") -> str:
        return super().describe(suffix).upper()

    @describe.async_
    async def describe_async(self, suffix: str = "") -> str:
        return (await super().describe.a(suffix)).upper()


def test_super_sync_half_reaches_parent_sync_half() -> None:
    """`super().m(...)` in a sync half runs the parent's sync half."""
    assert Loud("q").describe() == "SYNC Q"


async def test_super_async_half_reaches_parent_async_half() -> None:
    """`await super().m.a(...)` in an async half runs the parent's async half."""
    assert await Loud("q").describe.a() == "ASYNC Q"


# --- the bound object ---------------------------------------------------------------


def test_bound_is_a_bound_multisync() -> None:
    """`obj.m` is a `BoundMultisync` carrying the instance and the descriptor."""
    question = Question("q")
    bound = question.describe
    assert isinstance(bound, BoundMultisync)
    assert bound.__self__ is question
    assert bound.__func__ is vars(Question)["describe"]


def test_bound_a_is_a_coroutine_function_for_written_half() -> None:
    """`inspect.iscoroutinefunction(obj.m.a)` holds for a written async half."""
    assert inspect.iscoroutinefunction(Question("q").describe.a)


def test_bound_a_is_a_coroutine_function_for_derived_half() -> None:
    """`inspect.iscoroutinefunction(obj.m.a)` holds for a derived async half."""
    assert inspect.iscoroutinefunction(Question("q").derived.a)


def test_bound_equal_for_same_instance_and_method() -> None:
    """Two accesses of `obj.m` compare and hash equal, as bound methods do."""
    question = Question("q")
    assert question.describe == question.describe
    assert hash(question.describe) == hash(question.describe)


def test_bound_not_equal_for_other_instance() -> None:
    """`a.m` and `b.m` differ for different instances."""
    assert Question("q").describe != Question("q").describe


def test_bound_signature_omits_self() -> None:
    """`inspect.signature(obj.m)` omits the bound instance."""
    assert str(inspect.signature(Question("q").describe)) == "(suffix: 'str' = '') -> 'str'"


def test_bound_repr_names_method_without_calling_str() -> None:
    """The repr names `Cls.m` and the instance without calling its `__str__`."""
    question = Question("q")
    expected = f"<bound multisync Question.describe of <Question object at {id(question):#x}>>"
    assert repr(question.describe) == expected


def test_bound_forwards_function_attributes() -> None:
    """Attributes set on the function (Django's `alters_data`) are readable on `obj.m`."""

    class Saver:
        @multisync
        def save(self) -> None: ...

    vars(Saver)["save"].alters_data = True
    assert Saver().save.alters_data is True


def test_bound_pickles_as_getattr_of_instance() -> None:
    """`pickle` rebuilds `obj.m` as `getattr(copy_of_obj, "m")`."""
    restored = pickle.loads(pickle.dumps(Question("q").describe))
    assert restored() == "sync q"


def test_bound_doc_is_the_function_doc() -> None:
    """`obj.m.__doc__` is the method's docstring, as for a bound method."""
    assert Question("q").describe.__doc__ == "Describe the question."


def test_bound_class_doc_is_kept() -> None:
    """`BoundMultisync.__doc__` is still the class's own docstring."""
    assert BoundMultisync.__doc__ is not None
    assert BoundMultisync.__doc__.startswith("A multisync bound to its instance")
