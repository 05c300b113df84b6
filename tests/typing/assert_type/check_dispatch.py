"""The `@multisync` primitive, as both mypy (with the plugins) and pyright type it.

Checked by `mypy` (the repository's configuration) and by `pyright` (strict, with
`enableTypeIgnoreComments` off and unnecessary suppressions reported): every
`assert_type` holds under both, and each negative case carries the suppression of
each checker that reports it, so an error that disappears fails the run.
"""

from __future__ import annotations

from typing import assert_type

from multisync import BoundMultisync, Multisync, multisync


@multisync
def total(numbers: list[int], *, start: int = 0) -> int:
    return sum(numbers, start)


@multisync
async def fetch(url: str) -> bytes:
    return url.encode()


class Question:
    def __init__(self, text: str) -> None:
        self.text = text

    @multisync
    def describe(self, suffix: str = "") -> str:
        return self.text + suffix

    @describe.async_
    async def describe_async(self, suffix: str = "") -> str:
        return self.text + suffix

    @multisync
    @classmethod
    def build(cls, text: str) -> Question:
        return cls(text)

    @multisync
    @staticmethod
    def clean(text: str) -> str:
        return text.strip()


class Poll(Question):
    async def shout(self) -> str:
        return await super().describe.a("!")


async def check_functions() -> None:
    assert_type(total([1, 2]), int)
    assert_type(await total.a([1, 2], start=3), int)
    assert_type(fetch("x"), bytes)
    assert_type(await fetch.a("x"), bytes)
    pair: Multisync[..., int] = total  # the pair itself
    assert_type(await pair.a([1]), int)


async def check_methods(question: Question, poll: Poll) -> None:
    bound: BoundMultisync[..., str] = question.describe
    assert_type(await bound.a(), str)
    assert_type(question.describe("?"), str)
    assert_type(await question.describe.a("?"), str)
    assert_type(await question.describe_async("?"), str)
    assert_type(Question.describe(question, "?"), str)
    assert_type(await Question.describe.a(question, "?"), str)
    assert_type(await poll.shout(), str)


async def check_classmethods_and_staticmethods(question: Question) -> None:
    assert_type(Question.build("x"), Question)
    assert_type(question.build("x"), Question)
    assert_type(await Question.build.a("x"), Question)
    assert_type(Question.clean(" x "), str)
    assert_type(question.clean(" x "), str)
    assert_type(await Question.clean.a(" x "), str)


async def check_mistakes(question: Question) -> None:
    total(["1"])  # type: ignore[list-item]  # pyright: ignore[reportArgumentType]
    await total.a([1], begin=2)  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
    await question.describe.a(1)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    await Question.build.a(1)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    question.describe.a()  # type: ignore[unused-coroutine]  # pyright: ignore[reportUnusedCoroutine]
