"""Type variables shared by the core modules."""

from __future__ import annotations

from typing import ParamSpec, TypeVar

__all__ = ["P", "P2", "R", "R2", "T"]  # noqa: RUF022  # grouped by role, not sorted

P = ParamSpec("P")
P2 = ParamSpec("P2")
R = TypeVar("R")
R2 = TypeVar("R2")
T = TypeVar("T")
