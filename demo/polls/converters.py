"""The `<pk:...>` path converter: a primary key that the database can hold.

Django's `<int:...>` matches any number of digits, and a number past the 64-bit range
of a primary key column makes the lookup fail inside the database driver (SQLite's
"Python int too large to convert to SQLite INTEGER" on Django 4.2) instead of
finding no row. Such a path matches no URL here, so it is a plain 404.
"""

from __future__ import annotations

# The largest value of a BigAutoField, on every database Django supports.
MAX_PK = 2**63 - 1


def parse_pk(value: str | None) -> int | None:
    """A primary key from a form field or a path: None unless plain digits in range."""
    if value is None or not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if 0 < number <= MAX_PK else None


class PrimaryKeyConverter:
    """Matches a positive 64-bit integer, as `BigAutoField` stores them."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        """The primary key; a ValueError makes the URL not match."""
        number = parse_pk(value)
        if number is None:
            msg = f"{value} is not a primary key"
            raise ValueError(msg)
        return number

    def to_url(self, value: int) -> str:
        """The primary key as a path segment."""
        return str(value)
