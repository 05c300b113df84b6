"""Bad input gets a 4xx answer, never a 500, and never reaches a file it should not."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.demo.load import logged_errors

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.demo.server import DemoServer

WALK = "Which season suits a long walk best?"
# Larger than any 64-bit primary key.
HUGE_ID = "9" * 30


@pytest.fixture(autouse=True)
def no_server_errors(demo: DemoServer) -> Iterator[None]:
    """Each test of this module leaves no exception in the demo's log."""
    logged = demo.log.read_text(errors="replace")
    yield
    new = demo.log.read_text(errors="replace")[len(logged) :]
    assert not logged_errors(new), new


def test_suggest_with_a_nul_character_is_refused(demo: DemoServer) -> None:
    """A suggestion with a NUL character, which PostgreSQL cannot store, is a 400."""
    question_id = demo.question_id(WALK)
    csrf = demo.csrf(f"/polls/{question_id}/")
    form = {"choice_text": "Spring\x00time"}
    page = demo.post_form(f"/polls/{question_id}/suggest/", form, csrf)
    assert page.status == 400
    assert '<p class="error" role="alert">Null characters are not allowed.</p>' in page.text
    assert demo.count("polls_choice", "choice_text LIKE %s", "Spring%time") == 0


@pytest.mark.parametrize(
    "path",
    [
        "/static/polls/%2e%2e/%2e%2e/%2e%2e/settings.py",
        "/static/polls/../../settings.py",
        "/static/%2e%2e/demo/settings.py",
        "/static/polls/%2e%2e%2fstyle.css",
        "/static/polls/style.css%00.py",
        "/static/polls/",
    ],
)
def test_static_path_outside_the_static_files_is_404(demo: DemoServer, path: str) -> None:
    """A path under /static/ that names no static file answers the demo's 404 page."""
    page = demo.get(path)
    assert page.status == 404
    assert "<h1>Not found</h1>" in page.text


@pytest.mark.parametrize(
    "path", [f"/polls/{HUGE_ID}/", f"/polls/{HUGE_ID}/results/", f"/choices/{HUGE_ID}/"]
)
def test_page_of_an_id_beyond_64_bits_is_404(demo: DemoServer, path: str) -> None:
    """An id no database column can hold is a missing page, not a database error."""
    assert demo.get(path).status == 404


@pytest.mark.parametrize("choice", [HUGE_ID, "-1", "1\x00", "\N{FULLWIDTH DIGIT ONE}"])
def test_vote_for_an_impossible_choice_shows_the_form_again(demo: DemoServer, choice: str) -> None:
    """A vote for a choice id that is out of range or not plain digits is a 400."""
    question_id = demo.question_id(WALK)
    csrf = demo.csrf(f"/polls/{question_id}/")
    page = demo.post_form(f"/polls/{question_id}/vote/", {"choice": choice}, csrf)
    assert page.status == 400
    assert "Pick one of the answers before voting." in page.text
