"""`demo/run.py` prepares its database idempotently."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from typing import TYPE_CHECKING

from tests.demo.server import run_in_demo

if TYPE_CHECKING:
    from pathlib import Path


def counts(database: Path) -> tuple[int, int, int]:
    """The numbers of questions and choices, and the votes, in `database`."""
    with closing(sqlite3.connect(database)) as db:
        row = db.execute(
            "SELECT (SELECT count(*) FROM polls_question), count(*), sum(votes) FROM polls_choice"
        ).fetchone()
    return (row[0], row[1], row[2])


def test_prepare_database_seeds_once_and_keeps_votes(tmp_path: Path) -> None:
    """A second run adds no poll and no choice, and keeps the votes cast in between."""
    database = tmp_path / "demo.sqlite3"
    assert run_in_demo(database) == "Seeded 4 polls.\n"
    assert counts(database) == (4, 14, 0)
    with closing(sqlite3.connect(database)) as db, db:
        db.execute("UPDATE polls_choice SET votes = 3 WHERE id = 1")
    assert run_in_demo(database) == ""
    assert counts(database) == (4, 14, 3)
