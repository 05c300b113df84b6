"""Every ```python block in the README and the docs runs, page by page.

The blocks of one page share a namespace and run top to bottom, like a session, so a
page can build its example step by step. A block with a top-level `await` runs in an
event loop (under `async_to_sync`, as the rest of the suite does); the others run
outside any loop. Use ```py for a snippet that must not run (settings, shell).

Each page runs in its own database transaction, with the polls models of the test app
(`Question`, `Choice`, `Tag`, `Profile`, `Comment`, `User`) already in its namespace:
the docs show those models once, in `docs/guide/relations.md`.
"""

from __future__ import annotations

import ast
import inspect
import linecache
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync

ROOT = Path(__file__).resolve().parent.parent
FENCE = re.compile(
    r"^(?P<indent>[ \t]*)```python[ \t]*\n(?P<code>.*?)^(?P=indent)```[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def python_blocks(page: Path) -> list[tuple[int, str]]:
    """The (line number, source) of each executable block of a page."""
    text = page.read_text()
    return [
        (text.count("\n", 0, match.start()) + 2, textwrap.dedent(match["code"]))
        for match in FENCE.finditer(text)
    ]


async def _await(awaitable: Any) -> None:
    await awaitable


def run_block(page: Path, line: int, source: str, namespace: dict[str, Any]) -> None:
    """Run one block; await it when it uses top-level `await`.

    The source is padded so that tracebacks name the page's own line numbers.
    """
    filename = str(page)
    linecache.cache[filename] = (0, None, page.read_text().splitlines(keepends=True), filename)
    padded = "\n" * (line - 1) + source
    # dont_inherit: this module's `from __future__ import annotations` must not leak in.
    code = compile(
        padded, filename, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True
    )
    result = eval(code, namespace)  # our own documentation
    if inspect.iscoroutine(result):
        async_to_sync(_await)(result)


def page_namespace(page: Path) -> dict[str, Any]:
    """What a page's examples start with: the polls models."""
    from django.contrib.auth.models import User

    from tests.testapp import models

    names = ("Question", "Choice", "Tag", "Profile", "Comment")
    return {
        "__name__": f"docs_{page.stem}",
        "User": User,
        **{name: getattr(models, name) for name in names},
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "page",
    [page for page in PAGES if python_blocks(page)],
    ids=lambda page: str(page.relative_to(ROOT)),
)
def test_docs_page_examples_run(page: Path) -> None:
    """The page's ```python blocks run in order without an error."""
    namespace = page_namespace(page)
    for line, source in python_blocks(page):
        run_block(page, line, source, namespace)
