"""The polls of multisync's docs, with polymorphic questions, for the API checks."""
