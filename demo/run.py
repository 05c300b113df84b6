"""`make demo`, for now: a short tour of the @multisync primitive.

The polls demo served under uvicorn replaces this once the Django layer lands.
"""

from __future__ import annotations

import asyncio

from multisync import SyncCallInEventLoopError, multisync


class Question:
    """A plain class standing in for a model."""

    def __init__(self, text: str) -> None:
        self.text = text

    @multisync
    def save(self) -> str:
        """Save (sync half written; the async half is derived)."""
        return f"saved {self.text!r} (sync half)"

    @multisync
    async def refresh(self) -> str:
        """Refresh (async half written; the sync half is derived)."""
        return f"refreshed {self.text!r} (async half)"


class Poll(Question):
    """Overrides only the async half of save."""

    async def save_async(self) -> str:
        """Every spelling of save runs this override."""
        return f"saved {self.text!r} (Poll's async override)"


async def in_async_code(question: Question) -> None:
    """The async spellings, and the error for a derived sync half in async code."""
    print("await question.save.a()     ->", await question.save.a())
    print("await question.save_async() ->", await question.save_async())
    print("await question.refresh.a()  ->", await question.refresh.a())
    try:
        question.refresh()
    except SyncCallInEventLoopError as error:
        print("question.refresh() in async code ->", type(error).__name__)


def main() -> None:
    """Show every spelling, then the override rule."""
    question = Question("What's new?")
    print("question.save()             ->", question.save())
    print("question.refresh()          ->", question.refresh())
    asyncio.run(in_async_code(question))
    print("Poll('Why?').save()         ->", Poll("Why?").save())


if __name__ == "__main__":
    main()
