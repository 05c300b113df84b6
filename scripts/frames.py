"""Count the multisync frames that one `await choice.a.question` enters in the loop thread.

Imported by `scripts/layers.py --frames` once Django is set up with the test settings.
The database is a temporary SQLite file, so that the thread hop's connection sees the
rows; the event loop is a real one (`asyncio.run`), as under an ASGI server.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import multisync

if TYPE_CHECKING:
    from types import FrameType

PACKAGE = str(Path(multisync.__file__).resolve().parent)


class FrameCounter:
    """A profile function: counts frames entered (and resumed) per kind, in one thread."""

    def __init__(self) -> None:
        self.multisync = 0
        self.hops = 0

    def __call__(self, frame: FrameType, event: str, arg: Any) -> None:  # noqa: ARG002
        """Count a frame entered (or resumed) in multisync, or a thread hop."""
        if event != "call":
            return
        filename = frame.f_code.co_filename
        if filename.startswith(PACKAGE):
            self.multisync += 1
        elif filename.endswith("asgiref/sync.py") and frame.f_code.co_name == "__call__":
            self.hops += 1


async def _counted(load: Any) -> FrameCounter:
    counter = FrameCounter()
    sys.setprofile(counter)
    try:
        await load()
    finally:
        sys.setprofile(None)
    return counter


def measure() -> tuple[int, int, int]:
    """(frames uncached, frames loaded, hops loaded) for `await choice.a.question`."""
    from django.core.management import call_command
    from django.db import connections

    from tests.testapp.models import Choice, Question

    with tempfile.TemporaryDirectory() as folder:
        connections["default"].settings_dict["NAME"] = str(Path(folder) / "frames.sqlite3")
        connections["default"].close()
        call_command("migrate", verbosity=0)
        question = Question.objects.create(question_text="Frames?")
        for text in ("Warm-up", "Twelve"):
            Choice.objects.create(question=question, choice_text=text)

        async def run() -> tuple[FrameCounter, FrameCounter]:
            # Loaded one by one, so that they are not peers; the first builds the
            # namespace class, which happens once per model.
            await (await Choice.objects.aget(choice_text="Warm-up")).a.question
            choice = await Choice.objects.aget(choice_text="Twelve")
            uncached = await _counted(lambda: choice.a.question)
            loaded = await _counted(lambda: choice.a.question)
            return uncached, loaded

        uncached, loaded = asyncio.run(run())
        connections.close_all()
    return uncached.multisync, loaded.multisync, loaded.hops
