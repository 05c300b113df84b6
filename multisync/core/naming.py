"""The names multisync gives things, in one place."""

from __future__ import annotations

import re

__all__ = ["ASYNC_SUFFIX", "MODEL_METHODS", "async_name", "variable_name"]

# `m` gets the async spelling `m_async`.
ASYNC_SUFFIX = "_async"

# The methods the Django layer makes pairs on every model, each with Django's own
# async twin; the mypy plugin types the same names.
MODEL_METHODS = {"save": "asave", "delete": "adelete", "refresh_from_db": "arefresh_from_db"}


def async_name(name: str) -> str:
    """`save` -> `save_async`: the async spelling of a multisync name."""
    return f"{name}{ASYNC_SUFFIX}"


def variable_name(class_name: str) -> str:
    """`ChoiceTag` -> `choice_tag`: the variable name a user gives an instance."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", class_name).lower()
