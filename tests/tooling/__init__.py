"""Tests of the tooling around the ORM: query assertions, async commands, the shell."""
