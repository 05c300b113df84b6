"""End to end: a visitor votes in headless Chromium, on a phone-sized screen.

Playwright drives Debian's Chromium (`apt-get install chromium`), never a browser of
its own download. Without either, the test is skipped, except under CI (`CI=true`),
where it fails.
"""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.demo.server import missing

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Browser, Page, ViewportSize

    from tests.demo.server import DemoServer

CHROMIUM = Path(os.environ.get("MULTISYNC_CHROMIUM", "/usr/bin/chromium"))
# Playwright adds --headless and --no-sandbox itself. These keep Chromium off the
# network, which here reaches only loopback: without them it tries Google's services
# at start-up and keeps retrying.
CHROMIUM_FLAGS = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE: ViewportSize = {"width": 390, "height": 844}
TIMEOUT_MS = 10_000

QUESTION = "What helps most while reading a long traceback?"
ANSWER = "A rubber duck"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright."""
    if importlib.util.find_spec("playwright") is None:
        missing("Playwright is not installed (pip install playwright==1.65.2)")
    if not CHROMIUM.exists():
        missing(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A fresh page with a phone's screen size and touch."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    context.close()


def votes_shown(page: Page, choice_text: str) -> int:
    """The vote count the results page shows for a choice."""
    row = page.locator("ol.results li").filter(has=page.get_by_role("link", name=choice_text))
    match = re.match(r"(\d+) votes?", row.locator(".votes").inner_text())
    assert match is not None
    return int(match[1])


def fits_the_screen(page: Page) -> bool:
    """Whether the page needs no sideways scrolling."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_browser_votes_and_sees_the_results(demo: DemoServer, phone: Page, tmp_path: Path) -> None:
    """A visitor opens a poll from the home page, votes, and sees the vote counted."""
    phone.goto(demo.url)
    assert fits_the_screen(phone)
    question_id = demo.question_id(QUESTION)
    before = demo.votes(demo.choice_id(question_id, ANSWER))

    phone.get_by_role("link", name=QUESTION).click()
    phone.wait_for_url(f"{demo.url}polls/{question_id}/")
    phone.get_by_label(ANSWER).check()
    phone.get_by_role("button", name="Vote").click()

    phone.wait_for_url(f"{demo.url}polls/{question_id}/results/")
    assert phone.get_by_role("heading", level=1).inner_text() == QUESTION
    assert votes_shown(phone, ANSWER) == before + 1
    assert phone.locator("#query-count").inner_text() == "This page ran 2 SQL queries."
    assert fits_the_screen(phone)
    phone.screenshot(path=tmp_path / "results.png", full_page=True)


def test_browser_sees_the_guard_error_page(demo: DemoServer, phone: Page) -> None:
    """The guard demo page shows the error's class and message in the browser."""
    phone.goto(demo.url)
    phone.get_by_role("link", name="Guard demo").click()
    phone.wait_for_url(f"{demo.url}guard/")
    error = phone.locator("#guard-error")
    assert error.locator("strong").inner_text() == "UnprefetchedRelatedModelAccessError"
    assert (
        phone.locator("#guard-message").inner_text().startswith("`Choice.question` is not loaded")
    )
    assert fits_the_screen(phone)
