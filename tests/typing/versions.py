"""The mypy and django-stubs under test, and how the typing tests read what they print.

The typing tests run at both ends of the plugin's supported range (docs/guide/typing.md):
mypy 2.4 with django-stubs 6.1, and mypy 1.19 with django-stubs 5.2. Expected output is
written as the newest mypy prints it; `cases.py` lets a YAML case say what an older
release prints instead.
"""

from __future__ import annotations

import functools
import importlib.metadata
import re

__all__ = ["as_printed_today", "release"]


@functools.cache
def release(distribution: str) -> tuple[int, int]:
    """The major and minor version of an installed distribution, e.g. `(2, 4)` for mypy."""
    version = importlib.metadata.version(distribution)
    found = re.match(r"(\d+)\.(\d+)", version)
    assert found is not None, f"{distribution} {version}"
    return int(found[1]), int(found[2])


def as_printed_today(line: str) -> str:
    """A line of mypy's output, with revealed types spelled as mypy 1.20 and later do.

    mypy 1.20 dropped the module of builtins from revealed types (python/mypy#20929):
    earlier releases reveal the same `list[str]` as `builtins.list[builtins.str]`.
    """
    if release("mypy") < (1, 20) and ': note: Revealed type is "' in line:
        return line.replace("builtins.", "")
    return line
