"""`waitforctrlc`: say "ready", then wait until interrupted, and clean up."""

from __future__ import annotations

import asyncio
from typing import Any

from multisync.django.commands import AsyncBaseCommand


class Command(AsyncBaseCommand):
    help = "Wait for Ctrl-C, then clean up."

    async def handle(self, **options: Any) -> None:  # type: ignore[override]  # noqa: ARG002  # no options
        try:
            self.stdout.write("ready")
            self.stdout.flush()
            await asyncio.sleep(60)
        finally:
            self.stdout.write("cleaned up")
