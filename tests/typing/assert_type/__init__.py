"""Files that mypy and pyright both check; not collected by pytest."""
