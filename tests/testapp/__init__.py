"""The test app: Django's tutorial polls, with every relation kind."""
