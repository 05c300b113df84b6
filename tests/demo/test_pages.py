"""Every page of the demo renders, with the query count its view promises.

The count comes from the `X-Query-Count` header and the page footer, which must agree:
the demo counts on every connection its request uses (`demo/querycount.py`), and every
query of these async views runs in a worker thread, so a count that missed a thread
hop would come out as zero.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.demo.server import DemoServer

SEEDED_POLLS = (
    "Which spelling of an async save reads best?",
    "Where should a view load its relations?",
    "What helps most while reading a long traceback?",
    "Which season suits a long walk best?",
)
WALK = "Which season suits a long walk best?"


def test_index_lists_the_seeded_polls_in_one_query(demo: DemoServer) -> None:
    """The home page lists every seeded poll, newest first, from one query."""
    page = demo.get("/")
    assert page.status == 200
    positions = [page.text.index(text) for text in SEEDED_POLLS]
    assert positions == sorted(positions)
    assert (page.query_count, page.footer_count) == (1, 1)


def test_index_marks_recent_polls_new(demo: DemoServer) -> None:
    """Polls published within a day carry the "new" badge, older ones do not."""
    text = demo.get("/").text
    assert text.count('<span class="badge">new</span>') == 2


def test_detail_shows_the_choices_in_two_queries(demo: DemoServer) -> None:
    """A poll page loads the question, then its choices with `await question.a.choice_set`."""
    page = demo.get(f"/polls/{demo.question_id(WALK)}/")
    assert page.status == 200
    for season in ("Spring", "Summer", "Autumn", "Winter"):
        assert f"<span>{season}</span>" in page.text
    assert 'name="csrfmiddlewaretoken"' in page.text
    assert (page.query_count, page.footer_count) == (2, 2)


def test_detail_of_a_missing_poll_is_404(demo: DemoServer) -> None:
    """An unknown poll answers 404 with the demo's own page, after its one lookup."""
    page = demo.get("/polls/999999/")
    assert page.status == 404
    assert "<h1>Not found</h1>" in page.text
    assert (page.query_count, page.footer_count) == (1, 1)


def test_results_ranks_prefetched_choices_in_two_queries(demo: DemoServer) -> None:
    """The results page lists choices by votes, from the question and one prefetch."""
    question_id = demo.question_id(WALK)
    autumn = demo.choice_id(question_id, "Autumn")
    csrf = demo.csrf(f"/polls/{question_id}/")
    demo.post_form(f"/polls/{question_id}/vote/", {"choice": str(autumn)}, csrf)
    page = demo.get(f"/polls/{question_id}/results/")
    assert page.status == 200
    assert page.text.index(">Autumn<") < page.text.index(">Spring<")
    assert f'<li data-choice="{autumn}">' in page.text
    assert (page.query_count, page.footer_count) == (2, 2)


def test_choice_page_awaits_its_question_in_three_queries(demo: DemoServer) -> None:
    """A choice page loads the choice, `await choice.a.question`, and the question's total."""
    question_id = demo.question_id(WALK)
    page = demo.get(f"/choices/{demo.choice_id(question_id, 'Winter')}/")
    assert page.status == 200
    assert "<h1>Winter</h1>" in page.text
    assert f'<a href="/polls/{question_id}/">{WALK}</a>' in page.text
    assert (page.query_count, page.footer_count) == (3, 3)


def test_top_answers_select_related_in_one_query(demo: DemoServer) -> None:
    """The top answers page reads each answer's question from one joined query."""
    page = demo.get("/top/")
    assert page.status == 200
    assert page.text.count('<li class="card">') == 10
    assert (page.query_count, page.footer_count) == (1, 1)


def test_guard_page_shows_the_unprefetched_relation_error(demo: DemoServer) -> None:
    """The labelled guard page shows multisync's error, raised before a second query."""
    page = demo.get("/guard/")
    assert page.status == 200
    assert "A deliberate mistake" in page.text
    assert "<strong>UnprefetchedRelatedModelAccessError</strong>" in page.text
    assert "a Django <code>SynchronousOnlyOperation</code>" in page.text
    assert '<p id="guard-message">`Choice.question` is not loaded' in page.text
    assert "Use `await choice.a.question`" in page.text
    assert (page.query_count, page.footer_count) == (1, 1)


def test_static_stylesheet_is_served(demo: DemoServer) -> None:
    """The stylesheet every page links to is served by the demo itself, no CDN."""
    page = demo.get("/")
    assert '<link rel="stylesheet" href="/static/polls/style.css">' in page.text
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in page.text
    css = demo.get("/static/polls/style.css")
    assert css.status == 200
    assert css.headers["Content-Type"].startswith("text/css")
    assert "http" not in css.text


def test_vote_counts_one_vote_and_redirects_to_results(demo: DemoServer) -> None:
    """A vote adds exactly one to its choice, in two queries, and redirects to the results."""
    question_id = demo.question_id(WALK)
    spring = demo.choice_id(question_id, "Spring")
    before = demo.votes(spring)
    csrf = demo.csrf(f"/polls/{question_id}/")
    page = demo.post_form(f"/polls/{question_id}/vote/", {"choice": str(spring)}, csrf)
    assert (page.status, page.headers["Location"]) == (302, f"/polls/{question_id}/results/")
    assert page.query_count == 2
    assert demo.votes(spring) == before + 1


@pytest.mark.parametrize("form", [{}, {"choice": "abc"}], ids=["no-choice", "not-a-number"])
def test_vote_without_a_valid_choice_shows_the_form_again(
    demo: DemoServer, form: dict[str, str]
) -> None:
    """A vote without a usable choice answers 400 with the form and a message."""
    question_id = demo.question_id(WALK)
    csrf = demo.csrf(f"/polls/{question_id}/")
    page = demo.post_form(f"/polls/{question_id}/vote/", form, csrf)
    assert page.status == 400
    assert "Pick one of the answers before voting." in page.text
    assert "<span>Spring</span>" in page.text


def test_vote_for_another_polls_choice_is_refused(demo: DemoServer) -> None:
    """A choice of another poll is not counted: the UPDATE matches no row."""
    walk = demo.question_id(WALK)
    other = demo.question_id(SEEDED_POLLS[0])
    foreign = demo.choice_id(other, "await obj.asave()")
    before = demo.votes(foreign)
    csrf = demo.csrf(f"/polls/{walk}/")
    page = demo.post_form(f"/polls/{walk}/vote/", {"choice": str(foreign)}, csrf)
    assert page.status == 400
    assert page.query_count == 3  # the question, the UPDATE of no row, the choices
    assert demo.votes(foreign) == before


def test_vote_without_csrf_token_is_forbidden(demo: DemoServer) -> None:
    """A vote without the CSRF cookie and token is rejected before the view runs."""
    question_id = demo.question_id(WALK)
    summer = demo.choice_id(question_id, "Summer")
    before = demo.votes(summer)
    page = demo.post_form(f"/polls/{question_id}/vote/", {"choice": str(summer)}, csrf=None)
    assert (page.status, page.query_count) == (403, 0)
    assert demo.votes(summer) == before


def test_vote_by_get_is_not_allowed(demo: DemoServer) -> None:
    """Voting needs a POST; a GET answers 405."""
    page = demo.get(f"/polls/{demo.question_id(WALK)}/vote/")
    assert (page.status, page.headers["Allow"]) == (405, "POST")


def test_suggest_saves_a_new_choice_through_the_validating_save(demo: DemoServer) -> None:
    """A suggested answer is saved with `await choice.save.a()` and listed on the poll."""
    question_id = demo.question_id(SEEDED_POLLS[2])
    csrf = demo.csrf(f"/polls/{question_id}/")
    form = {"choice_text": "  A second monitor  "}
    page = demo.post_form(f"/polls/{question_id}/suggest/", form, csrf)
    assert (page.status, page.headers["Location"]) == (302, f"/polls/{question_id}/")
    assert "<span>A second monitor</span>" in demo.get(f"/polls/{question_id}/").text


def test_suggest_of_an_existing_choice_shows_the_validation_error(demo: DemoServer) -> None:
    """A duplicate answer is refused by `Choice.save`'s `full_clean`, run from async code."""
    question_id = demo.question_id(SEEDED_POLLS[2])
    csrf = demo.csrf(f"/polls/{question_id}/")
    page = demo.post_form(f"/polls/{question_id}/suggest/", {"choice_text": "Tea"}, csrf)
    assert page.status == 400
    assert '<p class="error" role="alert">Choice with this Question and Choice text' in page.text
    assert 'value="Tea"' in page.text
