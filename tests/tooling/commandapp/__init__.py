"""An app with example async management commands, for the tooling tests."""
