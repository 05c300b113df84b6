"""multisync test suite."""
