"""Tests of the polls demo (`make demo`), run against the real server in a subprocess."""
