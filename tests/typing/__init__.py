"""Typing tests: YAML cases for mypy, `assert_type` files for mypy and pyright."""
