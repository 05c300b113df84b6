"""Type variables shared by the core modules."""

from __future__ import annotations

from typing import ParamSpec, TypeVar

__all__ = ["P2", "R2", "P", "R", "T"]

P = ParamSpec("P")
P2 = ParamSpec("P2")
R = TypeVar("R")
R2 = TypeVar("R2")
T = TypeVar("T")
