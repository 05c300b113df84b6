"""The typing stub `_spellings.pyi` declares exactly the pairs that `query.py` builds.

The queryset pairs are built in a loop at runtime, which no type checker follows; the
stub spells them out. These tests keep the two lists in step.
"""

from __future__ import annotations

import ast
from pathlib import Path

from multisync.core import async_name
from multisync.django.query import CHAINING_METHODS, QUERY_METHODS

STUB = Path(__file__).resolve().parents[2] / "multisync" / "django" / "_spellings.pyi"


def declared(class_names: tuple[str, ...]) -> set[str]:
    """Every method and attribute name the stub declares in the given classes."""
    tree = ast.parse(STUB.read_text())
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name in class_names:
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    names.add(item.name)
                elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    names.add(item.target.id)
    return names


def test_spellings_stub_declares_every_queryset_pair() -> None:
    """Each queryset pair that query.py builds, with its `_async` spelling, is declared."""
    names = declared(("QueryPairs", "QuerySetPairs"))
    pairs = {*QUERY_METHODS, *CHAINING_METHODS}
    assert pairs - names == set()
    assert {async_name(name) for name in pairs} - names == set()


def test_spellings_stub_declares_no_pair_query_py_lacks() -> None:
    """The stub declares no `_async` spelling that query.py does not build."""
    names = declared(("QueryPairs", "QuerySetPairs", "ManagerPairs"))
    spellings = {name.removesuffix("_async") for name in names if name.endswith("_async")}
    assert spellings - {*QUERY_METHODS, *CHAINING_METHODS} == set()


def test_spellings_stub_manager_declares_every_chaining_pair() -> None:
    """Every chaining pair is declared for managers, in their own class or the shared one."""
    names = declared(("QueryPairs", "ManagerPairs"))
    assert set(CHAINING_METHODS) - names == set()
    assert {async_name(name) for name in CHAINING_METHODS} - names == set()
